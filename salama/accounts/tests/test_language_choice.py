"""The language a user picks on the pages is remembered on their account, so that what Salama
emails them (reminders, notifications) reaches them in it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from salama.accounts import services
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_choosing_arabic_on_the_pages_remembers_it_for_emails(caseworker_a, login):
    client = login(caseworker_a)
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    caseworker_a.refresh_from_db()
    assert caseworker_a.preferred_language == "ar"
    entry = AuditEntry.objects.filter(action="user.language").latest("id")
    assert entry.changes["preferred_language"] == ["", "ar"]


def test_choosing_the_same_language_again_writes_nothing(caseworker_a, login):
    client = login(caseworker_a)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert AuditEntry.objects.filter(action="user.language").count() == 1


def test_a_visitor_who_is_not_logged_in_only_gets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    assert not AuditEntry.objects.filter(action="user.language").exists()


def test_a_language_salama_does_not_offer_is_refused_and_not_stored(caseworker_a, login):
    client = login(caseworker_a)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    caseworker_a.refresh_from_db()
    assert caseworker_a.preferred_language == ""
    with pytest.raises(ValidationError, match="languages Salama offers"):
        services.set_preferred_language(user=caseworker_a, language="xx")
