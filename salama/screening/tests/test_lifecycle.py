"""The draft → final → amend life cycle shared by screenings and vulnerability assessments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from salama.accounts.models import User
from salama.core.models import AuditEntry
from salama.screening import services
from salama.screening.tests.test_services import (
    MEETS_PROFILE,
    PACKAGED_DATA,
    assess,
    make_case,
    principal,
    screen,
)

pytestmark = pytest.mark.django_db


def actions_on(*objects: Any) -> list[str]:
    ids = [str(obj.id) for obj in objects]
    return list(
        AuditEntry.objects.filter(object_id__in=ids).order_by("id").values_list("action", flat=True)
    )


def copy_packaged_data(settings: Any, tmp_path: Path) -> None:
    settings.SCREENING_DATA_DIR = str(tmp_path)
    for path in PACKAGED_DATA.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)


def add_situational_event(user: User, assessment: Any, factor: str) -> None:
    services.add_situational_event(
        actor=principal(user),
        assessment=assessment,
        factor=factor,
        description="Residence permit revoked",
        occurred_on=timezone.localdate(),
    )


def test_each_record_audits_its_life_cycle_under_its_own_action_names(caseworker_a):
    case = make_case(caseworker_a)
    screening = screen(caseworker_a, case, {"d1_deceived_contract": "present"})
    services.set_act_recorded(actor=principal(caseworker_a), screening=screening, act_recorded=True)
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    screening_draft = services.amend_screening(actor=principal(caseworker_a), screening=screening)
    assessment = assess(caseworker_a, case)
    add_situational_event(caseworker_a, assessment, "ind_legal_status")
    services.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)
    assessment_draft = services.amend_assessment(
        actor=principal(caseworker_a), assessment=assessment
    )

    assert actions_on(screening, screening_draft) == [
        "screening.start",
        "screening.answer",
        "screening.act_recorded",
        "screening.finalise",
        "screening.amend",
    ]
    assert actions_on(assessment, assessment_draft) == [
        "domv.start",
        "domv.answer",
        "domv.answer",
        "domv.answer",
        "domv.event",
        "domv.finalise",
        "domv.amend",
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("screening", "Only a final screening can be amended"),
        ("assessment", "Only a final assessment can be amended"),
    ],
)
def test_a_draft_cannot_be_amended_only_edited(caseworker_a, kind, message):
    case = make_case(caseworker_a)
    with pytest.raises(ValidationError, match=message):
        if kind == "screening":
            services.amend_screening(
                actor=principal(caseworker_a), screening=screen(caseworker_a, case, {})
            )
        else:
            services.amend_assessment(
                actor=principal(caseworker_a), assessment=assess(caseworker_a, case)
            )


def test_amending_an_assessment_carries_its_answers_evidence_and_events(caseworker_a):
    assessment = assess(caseworker_a, make_case(caseworker_a))
    add_situational_event(caseworker_a, assessment, "ind_legal_status")
    services.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)

    draft = services.amend_assessment(actor=principal(caseworker_a), assessment=assessment)

    answer = draft.factor_answers.get(factor="ind_legal_status")
    assert answer.evidence == "No valid residence permit"
    assert answer.harms == ["exploitation", "rights_violations"]
    assert [(e.factor, e.description) for e in draft.events.all()] == [
        ("ind_legal_status", "Residence permit revoked")
    ]
    assert services.compute_profile(draft).situational_factors == ("ind_legal_status",)
    with pytest.raises(ValidationError, match="already exists"):
        services.amend_assessment(actor=principal(caseworker_a), assessment=assessment)


def test_an_amended_screening_leaves_behind_answers_the_new_table_no_longer_has(
    caseworker_a, settings, tmp_path
):
    copy_packaged_data(settings, tmp_path)
    old = screen(caseworker_a, make_case(caseworker_a), MEETS_PROFILE, age_at_recruitment=30)
    services.finalise_screening(actor=principal(caseworker_a), screening=old)
    raw = json.loads((tmp_path / "ilo-2009-adult-labour.v1.json").read_text())
    raw["version"] = "2"
    for dimension in raw["dimensions"]:
        dimension["indicators"] = [
            i for i in dimension["indicators"] if i["code"] != "d5_debt_bondage"
        ]
    (tmp_path / "ilo-2009-adult-labour.v2.json").write_text(json.dumps(raw))

    draft = services.amend_screening(actor=principal(caseworker_a), screening=old)

    assert draft.table_version == "2"
    kept = {a.indicator: a.value for a in draft.answers.all()}
    assert kept == {k: v for k, v in MEETS_PROFILE.items() if k != "d5_debt_bondage"}
    assert old.answers.filter(indicator="d5_debt_bondage").exists()
    entry = AuditEntry.objects.get(action="screening.amend", object_id=str(draft.id))
    assert entry.changes["table_version"] == ["1", "2"]


def test_an_amended_assessment_leaves_behind_factors_the_new_catalogue_no_longer_has(
    caseworker_a, settings, tmp_path
):
    copy_packaged_data(settings, tmp_path)
    assessment = assess(caseworker_a, make_case(caseworker_a))
    add_situational_event(caseworker_a, assessment, "com_organised_crime")
    services.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)
    raw = json.loads((tmp_path / "domv-factors.v1.json").read_text())
    raw["version"] = "2"
    raw["factors"] = [f for f in raw["factors"] if f["code"] != "com_organised_crime"]
    for response in raw["responses"]:
        response["proposed_by"] = [c for c in response["proposed_by"] if c != "com_organised_crime"]
    (tmp_path / "domv-factors.v2.json").write_text(json.dumps(raw))

    draft = services.amend_assessment(actor=principal(caseworker_a), assessment=assessment)

    assert draft.catalogue_version == "2"
    assert {a.factor for a in draft.factor_answers.all()} == {"ind_legal_status", "hh_dynamics"}
    assert not draft.events.exists()
    assert assessment.events.filter(factor="com_organised_crime").exists()
    entry = AuditEntry.objects.get(action="domv.amend", object_id=str(draft.id))
    assert entry.changes["catalogue_version"] == ["1", "2"]
