"""Screening pages: access, the live HTMX result, finalise and the DoMV plan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salama.cases.models import PlanItem
from salama.screening.models import Screening, VulnerabilityAssessment
from salama.screening.tests.test_services import MEETS_PROFILE, make_case, screen

pytestmark = pytest.mark.django_db


def test_caseworker_sees_the_case_screenings_page(caseworker_a, login):
    case = make_case(caseworker_a)
    response = login(caseworker_a).get(reverse("screening:case-screenings", args=[case.id]))
    assert response.status_code == 200
    assert "Start screening" in response.content.decode()


def test_other_organisation_gets_404(caseworker_a, caseworker_b, login):
    case = make_case(caseworker_a)
    screening = screen(caseworker_a, case, {})
    client = login(caseworker_b)
    assert client.get(reverse("screening:case-screenings", args=[case.id])).status_code == 404
    assert client.get(reverse("screening:screening-detail", args=[screening.id])).status_code == 404
    url = reverse("screening:screening-answer", args=[screening.id])
    response = client.post(url, {"indicator": "d1_deceived_contract", "value": "present"})
    assert response.status_code == 404
    assert not screening.answers.exists()


def test_data_officer_is_denied(caseworker_a, data_officer_a, login):
    case = make_case(caseworker_a)
    client = login(data_officer_a)
    assert client.get(reverse("screening:case-screenings", args=[case.id])).status_code == 404
    response = client.post(
        reverse("screening:screening-start", args=[case.id]), {"exploitation": "labour"}
    )
    assert response.status_code == 404
    assert not Screening.objects.exists()


def test_start_screening_and_answer_live_with_htmx(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    response = client.post(
        reverse("screening:screening-start", args=[case.id]),
        {"exploitation": "labour", "age_at_recruitment": "30"},
    )
    screening = Screening.objects.get(case=case)
    assert response.url == reverse("screening:screening-detail", args=[screening.id])
    page = client.get(response.url).content.decode()
    assert "Deceived about the nature of the job, location or employer" in page
    url = reverse("screening:screening-answer", args=[screening.id])
    for code in MEETS_PROFILE:
        response = client.post(
            url, {"indicator": code, "value": "present", "note": "said so"}, HTTP_HX_REQUEST="true"
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<section id="result-panel"')
    assert "meets the trafficking profile" in body
    assert "D5 (Coercion at destination) is positive" in body
    assert screening.answers.get(indicator="d1_deceived_nature_of_job").note == "said so"


def test_finalised_screening_is_read_only_with_amend(caseworker_a, login):
    case = make_case(caseworker_a)
    screening = screen(caseworker_a, case, MEETS_PROFILE)
    client = login(caseworker_a)
    client.post(reverse("screening:screening-finalise", args=[screening.id]), {"confirmed": "yes"})
    page = client.get(reverse("screening:screening-detail", args=[screening.id])).content.decode()
    assert "Amend screening" in page and "Finalise screening" not in page
    assert "Referred for identification" in page
    response = client.post(
        reverse("screening:screening-answer", args=[screening.id]),
        {"indicator": "d5_debt_bondage", "value": "absent"},
    )
    assert response.status_code == 302
    assert screening.answers.get(indicator="d5_debt_bondage").value == "present"


def test_identification_decision_form(caseworker_a, supervisor_a, login):
    case = make_case(caseworker_a)
    client = login(supervisor_a)
    url = reverse("screening:decision-create", args=[case.id])
    assert client.get(url + "?step=conclusive_grounds").status_code == 200
    response = client.post(
        url,
        {
            "step": "conclusive_grounds",
            "decided_by_org_type": "Police",
            "authority_name": "Anti-trafficking unit",
            "decided_on": "2024-01-10",
            "outcome": "positive",
            "legal_basis": "Decision 12/2024",
        },
    )
    assert response.status_code == 302
    case.person.refresh_from_db()
    assert case.person.trafficking_status == "ActualVictimOfTrafficking"


def test_assessment_answer_and_add_to_case_plan(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    client.post(reverse("screening:assessment-start", args=[case.id]))
    assessment = VulnerabilityAssessment.objects.get(case=case)
    response = client.post(
        reverse("screening:assessment-answer", args=[assessment.id]),
        {
            "factor": "ind_legal_status",
            "polarity": "risk",
            "present": "yes",
            "harms": ["exploitation"],
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="profile-panel"' in body and "Add to case plan" in body
    page = client.get(reverse("screening:assessment-detail", args=[assessment.id])).content.decode()
    assert "Age" in page and "Structural" in page
    client.post(
        reverse("screening:assessment-plan", args=[assessment.id]), {"responses": ["documentation"]}
    )
    assert PlanItem.objects.filter(case=case, source=f"domv:{assessment.id}:documentation").exists()
