from __future__ import annotations

from django.utils import translation

from salama.people.forms import DocumentForm, RegisterForm


def test_a_form_lists_the_countries_in_the_language_it_is_shown_in() -> None:
    with translation.override("ar"):
        labels = dict(DocumentForm().fields["issuing_country"].choices)
    assert labels["KE"] == "كينيا"
    with translation.override("es"):
        labels = dict(DocumentForm().fields["issuing_country"].choices)
    assert labels["KE"] == "Kenia"
    assert labels[""] == "—"


def test_the_registration_form_names_the_issuing_country_in_the_language_it_is_shown_in() -> None:
    with translation.override("fr"):
        labels = dict(RegisterForm().fields["document_issuing_country"].choices)
    assert labels["DE"] == "Allemagne"
