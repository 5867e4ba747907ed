"""A plan item an assessment proposed reads in the reader's language; a typed one stays as typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import principal
from salama.cases.models import PlanItem
from salama.cases.services import add_plan_item
from salama.screening import services
from salama.screening.tests.test_services import assess, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request in French leaves French active in the thread; the next test file expects none."""
    yield
    translation.deactivate()


def _plan_in_arabic(caseworker):
    case = make_case(caseworker)
    assessment = assess(caseworker, case)
    with translation.override("ar"):
        services.plan_from_proposals(
            actor=principal(caseworker),
            assessment=assessment,
            response_codes=["documentation"],
        )
    return case, PlanItem.objects.get(case=case)


def test_plan_item_added_in_arabic_is_stored_with_its_code(caseworker_a):
    _case, item = _plan_in_arabic(caseworker_a)
    assert item.action == "الوثائق"  # the fallback text, in the language of whoever added it
    assert item.generated_key == "domv.response"
    assert item.generated_params["response"] == "documentation"
    assert item.generated_params["harms"]


def test_plan_item_added_in_arabic_reads_french_to_a_french_supervisor_on_the_case_page(
    caseworker_a, supervisor_a, login
):
    case, _item = _plan_in_arabic(caseworker_a)
    page = login(supervisor_a).get(
        reverse("cases:case-detail", args=[case.id]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Documents d’identité" in html and "Réduire la vulnérabilité à" in html
    assert "الوثائق" not in html


def test_plan_item_added_in_arabic_reads_french_in_the_api(caseworker_a, supervisor_a, login):
    case, _item = _plan_in_arabic(caseworker_a)
    response = login(supervisor_a).get(f"/api/v1/cases/{case.id}/plan", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    [row] = response.json()
    assert row["action"] == "Documents d’identité"
    assert row["goal"].startswith("Réduire la vulnérabilité à ")


def test_a_typed_plan_item_reads_as_typed_in_any_language(caseworker_a):
    case = make_case(caseworker_a)
    item = add_plan_item(
        actor=principal(caseworker_a), case=case, goal="Trouver un logement", action="Appeler"
    )
    with translation.override("ar"):
        assert (item.shown_goal, item.shown_action) == ("Trouver un logement", "Appeler")


def test_an_item_stored_before_codes_shows_its_stored_text(caseworker_a):
    case = make_case(caseworker_a)
    item = add_plan_item(
        actor=principal(caseworker_a),
        case=case,
        goal="الحد من الضعف",
        action="خدمة من الفهرس",
        source="domv:00000000-0000-0000-0000-000000000000:catalogue_extra",
    )
    # What the data migration leaves on an older row: the response code, no harms.
    PlanItem.objects.filter(pk=item.pk).update(
        generated_key="domv.response", generated_params={"response": "catalogue_extra"}
    )
    item.refresh_from_db()
    with translation.override("fr"):
        assert (item.shown_goal, item.shown_action) == ("الحد من الضعف", "خدمة من الفهرس")
    PlanItem.objects.filter(pk=item.pk).update(generated_params={"response": "documentation"})
    item.refresh_from_db()
    with translation.override("fr"):
        assert (item.shown_goal, item.shown_action) == ("الحد من الضعف", "Documents d’identité")


def test_the_data_migration_keys_items_an_assessment_proposed_before_keys_existed(caseworker_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("salama.cases.migrations.0012_generated_plan_text_codes")
    case = make_case(caseworker_a)
    old = add_plan_item(
        actor=principal(caseworker_a),
        case=case,
        goal="الحد من الضعف",
        action="الوثائق",
        source="domv:00000000-0000-0000-0000-000000000000:documentation",
    )
    typed = add_plan_item(actor=principal(caseworker_a), case=case, goal="", action="Appeler")
    migration.key_assessment_items(apps, None)
    old.refresh_from_db()
    typed.refresh_from_db()
    assert (old.generated_key, old.generated_params) == (
        "domv.response",
        {"response": "documentation"},
    )
    assert (typed.generated_key, typed.generated_params) == ("", {})
    with translation.override("fr"):
        assert (old.shown_goal, old.shown_action) == ("الحد من الضعف", "Documents d’identité")
