"""Case and referral services announce domain events, and only for writes that commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from conftest import principal
from salama.cases.services import close_case, move_case, open_case
from salama.core import events
from salama.people.services import register_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Any:
    seen: list[events.Event] = []
    events.subscribe("tests.collector", seen.append)
    yield seen
    events._HANDLERS.pop("tests.collector", None)


def _person(user: Any) -> Any:
    return register_person(
        actor=principal(user),
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
    )


def test_opening_a_case_announces_it_with_codes_only(
    caseworker_a: Any, heard: list[events.Event], django_capture_on_commit_callbacks: Any
) -> None:
    person = _person(caseworker_a)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(actor=principal(caseworker_a), person=person, case_type="trafficking")
    [event] = [e for e in heard if e.name == "case.opened"]
    assert event.organisation_id == case.organisation_id
    assert event.record_id == str(case.pk)
    assert dict(event.data) == {
        "reference": case.reference,
        "case_type": "trafficking",
        "stage": case.stage,
    }
    assert "Amina" not in repr(event)


def test_a_rolled_back_write_announces_nothing(
    caseworker_a: Any, heard: list[events.Event], django_capture_on_commit_callbacks: Any
) -> None:
    person = _person(caseworker_a)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            open_case(actor=principal(caseworker_a), person=person, case_type="trafficking")
            raise RuntimeError("the write fails after the service")
    assert [e.name for e in heard] == []


def test_moving_and_closing_a_case_announce_the_stages(
    supervisor_a: Any, heard: list[events.Event], django_capture_on_commit_callbacks: Any
) -> None:
    actor = principal(supervisor_a)
    person = _person(supervisor_a)
    case = open_case(actor=actor, person=person, case_type="trafficking")
    with django_capture_on_commit_callbacks(execute=True):
        move_case(actor=actor, case=case, target="screened", expected_version=None)
        close_case(actor=actor, case=case, reason="not_eligible", expected_version=None)
    names = [e.name for e in heard]
    assert names == ["case.stage_changed", "case.closed"]
    assert heard[0].data["from_stage"] != heard[0].data["stage"] == "screened"
    assert heard[1].data["closure_reason"] == "not_eligible"


def test_case_and_referral_events_are_declared_by_name() -> None:
    for name in (
        "case.opened",
        "case.stage_changed",
        "case.closed",
        "case.reassigned",
        "referral.sent",
        "referral.accepted",
        "referral.declined",
        "referral.completed",
        "referral.withdrawn",
    ):
        assert name in events.EVENT_NAMES
