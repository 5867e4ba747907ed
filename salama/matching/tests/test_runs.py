"""Batch runs in the app: who may start them, what they store, agreements across organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from conftest import principal, verified_client
from salama.core.models import AuditEntry
from salama.core.policy import NotPermitted
from salama.matching import runs
from salama.matching.models import CandidatePair, MatchingAgreement, MatchModel, MatchRun
from salama.people import services as people

GIVEN = [
    "Amina",
    "Yusuf",
    "Fatima",
    "Omar",
    "Hawa",
    "Ibrahim",
    "Mariam",
    "Samuel",
    "Grace",
    "Tesfaye",
    "Olena",
    "Dmytro",
    "Aisha",
    "Kofi",
    "Zainab",
    "Ali",
    "Nadia",
    "Hassan",
    "Leila",
    "Musa",
]
FAMILY = [
    "Diallo",
    "Haile",
    "Mensah",
    "Kovalenko",
    "Osman",
    "Nasser",
    "Abebe",
    "Bah",
    "Kamara",
    "Traore",
    "Said",
    "Ndiaye",
    "Petrenko",
    "Juma",
    "Farah",
]


def _register(actor, given, family, born, sex="female", nationality="SD"):
    return people.register_person(
        actor=actor,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        birth_date_accuracy="exact",
        sex=sex,
        nationalities=[nationality],
    )


@pytest.fixture
def registry(caseworker_a):
    actor = principal(caseworker_a)
    made = []
    for i in range(60):
        given, family = GIVEN[i % len(GIVEN)], FAMILY[(i * 7) % len(FAMILY)]
        born = dt.date(1970 + i % 35, 1 + i % 12, 1 + i % 27)
        made.append(_register(actor, given, family, born, sex=("female", "male")[i % 2]))
    latin = _register(actor, "Mohammed", "Al-Hassan", dt.date(1990, 5, 1), sex="male")
    arabic = _register(actor, "محمد", "الحسن", dt.date(1990, 5, 1), sex="male")
    typo = _register(actor, "Fatuma", "Mensah", made[2].date_of_birth, sex="female")
    return {"people": made, "latin": latin, "arabic": arabic, "typo": typo}


def _run(actor, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_run(actor=actor, **kwargs)
    run.refresh_from_db()
    return run


def test_a_supervisors_run_finds_an_arabic_and_a_latin_registration_of_one_person(
    registry, supervisor_a, django_capture_on_commit_callbacks
):
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    assert run.status == MatchRun.Status.FINISHED, run.error_code
    assert run.persons == 63 and run.progress == 100 and run.model is not None
    ids = sorted([str(registry["latin"].pk), str(registry["arabic"].pk)])
    pair = CandidatePair.objects.get(run=run, person_a_id=ids[0], person_b_id=ids[1])
    assert pair.status == CandidatePair.Status.OPEN
    assert pair.cluster_key == ids[0]
    assert not pair.cross_organisation
    fields = {r["field"]: r["level"] for r in pair.reasons}
    assert fields["given_name"] == "skeleton" and fields["birth_date"] == "exact"
    assert MatchModel.objects.get(pk=run.model_id).is_current


def test_a_run_stores_no_name_anywhere(registry, supervisor_a, django_capture_on_commit_callbacks):
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    stored = str(MatchModel.objects.get(pk=run.model_id).parameters) + str(
        list(CandidatePair.objects.filter(run=run).values_list("reasons", flat=True))
    )
    for name in ("Mohammed", "mohammed", "mhmd", "محمد", "Hassan", "hassan"):
        assert name not in stored


def test_a_second_run_supersedes_open_pairs_and_versions_the_model(
    registry, supervisor_a, django_capture_on_commit_callbacks
):
    first = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    second = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    assert second.model.version == first.model.version + 1
    assert not CandidatePair.objects.filter(run=first, status=CandidatePair.Status.OPEN).exists()
    assert not MatchModel.objects.get(pk=first.model_id).is_current


@pytest.mark.parametrize("role", ["caseworker_a", "org_admin_a", "data_officer_a"])
def test_only_a_supervisor_may_start_a_run(role, request):
    with pytest.raises(NotPermitted):
        runs.start_run(actor=principal(request.getfixturevalue(role)))
    assert not MatchRun.objects.exists()


def test_a_run_is_audited(supervisor_a, django_capture_on_commit_callbacks):
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    actions = set(AuditEntry.objects.filter(object_id=str(run.pk)).values_list("action", flat=True))
    assert {"matching.run_start", "matching.run_finish"} <= actions


def test_an_agreement_brings_the_partners_persons_into_the_run_and_marks_cross_pairs(
    registry,
    supervisor_a,
    org_admin_a,
    org_admin_b,
    caseworker_b,
    ngo_b,
    django_capture_on_commit_callbacks,
):
    agreement = runs.propose_agreement(actor=principal(org_admin_a), partner=ngo_b)
    with pytest.raises(NotPermitted):
        runs.accept_agreement(actor=principal(org_admin_a), agreement=agreement)
    runs.accept_agreement(actor=principal(org_admin_b), agreement=agreement)
    other = _register(principal(caseworker_b), "Mohamed", "Hassan", dt.date(1990, 5, 1), "male")
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks, include_partners=True)
    assert run.partner_organisation_ids == [ngo_b.pk]
    assert run.persons == 64
    crossing = CandidatePair.objects.filter(run=run, cross_organisation=True)
    assert {str(other.pk)} & {
        str(p) for pair in crossing.values_list("person_a", "person_b") for p in pair
    }


def test_without_an_accepted_agreement_no_partner_is_included(
    registry, supervisor_a, org_admin_a, ngo_b, django_capture_on_commit_callbacks
):
    runs.propose_agreement(actor=principal(org_admin_a), partner=ngo_b)
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks, include_partners=True)
    assert run.partner_organisation_ids == []


def test_an_agreement_cannot_be_proposed_twice_or_with_oneself(org_admin_a, ngo_a, ngo_b):
    runs.propose_agreement(actor=principal(org_admin_a), partner=ngo_b)
    with pytest.raises(ValidationError):
        runs.propose_agreement(actor=principal(org_admin_a), partner=ngo_b)
    with pytest.raises(ValidationError):
        runs.propose_agreement(actor=principal(org_admin_a), partner=ngo_a)
    assert MatchingAgreement.objects.count() == 1


def test_the_run_page_shows_progress_and_the_result(
    registry, supervisor_a, supervisor_b, django_capture_on_commit_callbacks
):
    run = _run(principal(supervisor_a), django_capture_on_commit_callbacks)
    page = verified_client(supervisor_a).get(f"/matching/runs/{run.pk}/")
    assert page.status_code == 200
    assert "Possible duplicates (pairs)" in page.content.decode()
    assert verified_client(supervisor_b).get(f"/matching/runs/{run.pk}/").status_code == 404


def test_the_api_starts_a_run_and_reads_its_status(
    supervisor_a, django_capture_on_commit_callbacks
):
    client = verified_client(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/matching/runs", {}, content_type="application/json")
    assert started.status_code == 202
    status = client.get(f"/api/v1/matching/runs/{started.json()['id']}")
    assert status.json()["status"] == "finished"
