"""Case services: numbering, lifecycle, versions, assignment, attachments and tasks.

The small factories at the top are shared by the other case test modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import principal
from salama.accounts.models import User
from salama.cases import services
from salama.cases.choices import ReassignmentStatus, Stage, TaskStatus
from salama.cases.models import Attachment, Case, ReassignmentRequest
from salama.core.errors import ConflictError
from salama.core.models import AuditEntry
from salama.core.tests import samples
from salama.people.models import Person
from salama.people.services import register_person

pytestmark = pytest.mark.django_db

PDF = samples.pdf_bytes()


def make_person(user: User, given_name: str = "Amina", family_name: str = "Yusuf") -> Person:
    return register_person(
        actor=principal(user),
        given_name=given_name,
        family_name=family_name,
        date_of_birth=dt.date(1994, 5, 17),
    )


def make_case(user: User, person: Person | None = None, **overrides: Any) -> Case:
    kwargs: dict[str, Any] = {"case_type": "trafficking", "summary": "Met at the border post."}
    kwargs.update(overrides)
    return services.open_case(actor=principal(user), person=person or make_person(user), **kwargs)


def walk(user: User, case: Case, *stages: str) -> Case:
    for stage in stages:
        services.move_case(
            actor=principal(user), case=case, target=stage, expected_version=case.version
        )
    return case


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_references_are_numbered_per_organisation(caseworker_a, caseworker_b):
    year = timezone.now().year
    first, second = make_case(caseworker_a), make_case(caseworker_a)
    other = make_case(caseworker_b)
    assert first.reference == f"NGOA-{year}-00001"
    assert second.reference == f"NGOA-{year}-00002"
    assert other.reference == f"NGOB-{year}-00001"


def test_opens_case_assigned_to_the_actor_by_default(caseworker_a):
    case = make_case(caseworker_a)
    assert case.assigned_to == caseworker_a
    assert case.stage == Stage.REGISTERED
    assert case.stage_table_version == "2"
    assert Case.objects.get(pk=case.pk).summary == "Met at the border post."


def follow(user: User, case: Case, *events: str) -> Case:
    for event in events:
        services.follow_event(actor=principal(user), case=case, event=event)
    return case


def test_moves_through_the_stages_to_closure_and_reopens(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    walk(caseworker_a, case, "screened", "referred_for_identification")
    follow(supervisor_a, case, "reasonable_grounds.positive")
    walk(caseworker_a, case, "reflection_recovery")
    assert case.reflection_starts == timezone.localdate()
    assert (case.reflection_ends - case.reflection_starts).days >= 30
    follow(supervisor_a, case, "conclusive_grounds.positive")
    walk(caseworker_a, case, "assistance_plan", "return_reintegration", "follow_up")
    services.close_case(
        actor=principal(supervisor_a),
        case=case,
        reason="objectives_met",
        expected_version=case.version,
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.stage == Stage.CLOSED
    assert stored.closure_reason == "objectives_met"
    assert stored.closed_at is not None
    services.reopen_case(
        actor=principal(caseworker_a), case=stored, expected_version=stored.version
    )
    stored.refresh_from_db()
    assert stored.stage == "follow_up"
    assert stored.closed_at is None
    assert stored.version == 11


def test_an_event_moves_the_case_and_the_move_names_it(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    walk(caseworker_a, case, "referred_for_identification")
    stale = Case.objects.get(pk=case.pk)
    assert follow(supervisor_a, case, "reasonable_grounds.negative").stage == "not_identified"
    entry = AuditEntry.objects.filter(action="case.move").latest("id")
    assert entry.changes["stage"] == ["referred_for_identification", "not_identified"]
    assert entry.changes["event"] == [None, "reasonable_grounds.negative"]
    # The event moves from where the case stands now, whatever the caller read before.
    assert (
        services.follow_event(
            actor=principal(supervisor_a), case=stale, event="reasonable_grounds.positive"
        )
        == "presumed_victim"
    )


def test_an_event_that_moves_nowhere_from_the_stage_changes_nothing(caseworker_a, supervisor_a):
    case = walk(caseworker_a, make_case(caseworker_a), "assistance_plan")
    assert (
        services.follow_event(
            actor=principal(supervisor_a), case=case, event="conclusive_grounds.positive"
        )
        is None
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.stage, stored.version) == ("assistance_plan", 2)


def test_a_caseworker_cannot_move_a_case_by_a_decision_event(caseworker_a):
    case = walk(caseworker_a, make_case(caseworker_a), "referred_for_identification")
    with pytest.raises(PermissionDenied):
        follow(caseworker_a, case, "conclusive_grounds.positive")
    assert follow(caseworker_a, make_case(caseworker_a), "screening.final").stage == "screened"
    assert Case.objects.get(pk=case.pk).stage == "referred_for_identification"


def test_an_illegal_transition_is_refused_with_a_clear_message(caseworker_a):
    case = make_case(caseworker_a)
    with pytest.raises(ValidationError, match="cannot move from") as exc:
        services.move_case(
            actor=principal(caseworker_a), case=case, target="follow_up", expected_version=1
        )
    assert exc.value.code == "not_allowed"
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_moving_by_hand_to_an_identification_stage_says_a_decision_is_needed(caseworker_a):
    case = make_case(caseworker_a)
    with pytest.raises(ValidationError, match="identification decision is recorded") as exc:
        services.move_case(
            actor=principal(caseworker_a), case=case, target="identified", expected_version=1
        )
    assert exc.value.code == "needs_event"
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_a_stale_version_raises_conflict_and_changes_nothing(caseworker_a):
    case = make_case(caseworker_a)
    services.update_summary(
        actor=principal(caseworker_a), case=case, summary="First", expected_version=1
    )
    stale = Case.objects.get(pk=case.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.update_summary(
            actor=principal(caseworker_a), case=stale, summary="Second", expected_version=1
        )
    with pytest.raises(ConflictError):
        services.move_case(
            actor=principal(caseworker_a), case=stale, target="assistance_plan", expected_version=1
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.summary == "First"
    assert stored.stage == Stage.REGISTERED
    assert stored.version == 2


def test_caseworker_hands_over_directly_when_no_approval_is_needed(caseworker_a, caseworker2_a):
    case = make_case(caseworker_a)
    result = services.assign_case(actor=principal(caseworker_a), case=case, to_user=caseworker2_a)
    assert isinstance(result, Case)
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker2_a


def test_reassignment_waits_for_a_supervisor_when_the_organisation_asks(
    ngo_a, caseworker_a, caseworker2_a, supervisor_a
):
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    case = make_case(caseworker_a)
    case.organisation.refresh_from_db()
    request = services.assign_case(actor=principal(caseworker_a), case=case, to_user=caseworker2_a)
    assert isinstance(request, ReassignmentRequest)
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker_a
    with pytest.raises(PermissionDenied):
        services.decide_reassignment(
            actor=principal(caseworker_a), reassignment=request, approve=True
        )
    services.decide_reassignment(actor=principal(supervisor_a), reassignment=request, approve=True)
    assert request.status == ReassignmentStatus.APPROVED
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker2_a


def test_supervisor_assigns_directly_even_when_approval_is_required(
    ngo_a, caseworker_a, caseworker2_a, supervisor_a
):
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    case = make_case(caseworker_a)
    case.organisation.refresh_from_db()
    services.assign_case(actor=principal(supervisor_a), case=case, to_user=caseworker2_a)
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker2_a


def test_requester_cannot_approve_their_own_request(caseworker_a, caseworker2_a, supervisor_a):
    case = make_case(caseworker_a)
    request = ReassignmentRequest.objects.create(
        case=case, to_user=caseworker2_a, requested_by=supervisor_a
    )
    with pytest.raises(ValidationError, match="other than the requester"):
        services.decide_reassignment(
            actor=principal(supervisor_a), reassignment=request, approve=True
        )


def test_cannot_assign_to_another_organisations_caseworker(caseworker_a, caseworker_b):
    case = make_case(caseworker_a)
    with pytest.raises(ValidationError):
        services.assign_case(actor=principal(caseworker_a), case=case, to_user=caseworker_b)


def test_oversize_attachment_is_refused(caseworker_a, settings, media):
    settings.SALAMA_MAX_ATTACHMENT_BYTES = 1024 * 1024
    case = make_case(caseworker_a)
    big = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1), "application/pdf")
    with pytest.raises(ValidationError, match="limit"):
        services.add_attachment(actor=principal(caseworker_a), case=case, upload=big)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00rest", "not accepted"),
        ("passport.pdf", b"MZ\x90\x00rest", "does not match"),
        ("photo.png", b"%PDF-1.4", "does not match"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_wrong_attachment_types_are_refused(caseworker_a, media, name, content, message):
    case = make_case(caseworker_a)
    with pytest.raises(ValidationError, match=message):
        services.add_attachment(
            actor=principal(caseworker_a), case=case, upload=SimpleUploadedFile(name, content)
        )
    assert not Attachment.objects.exists()


def test_attachment_is_stored_encrypted_and_round_trips(caseworker_a, media):
    case = make_case(caseworker_a)
    attachment = services.add_attachment(
        actor=principal(caseworker_a),
        case=case,
        upload=SimpleUploadedFile("statement.pdf", PDF, "application/pdf"),
        description="Statement",
    )
    stored = Attachment.objects.get(pk=attachment.pk)
    with stored.file.storage.open(stored.file.name, "rb") as handle:
        raw = handle.read()
    assert PDF not in raw
    assert b"statement" not in stored.file.name.encode()
    assert stored.file.read_plain() == PDF
    assert stored.filename == "statement.pdf"


def test_tasks_are_overdue_only_while_open_and_past_due(caseworker_a):
    case = make_case(caseworker_a)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = services.add_task(
        actor=principal(caseworker_a), case=case, title="Call back", due_on=yesterday
    )
    soon = services.add_task(
        actor=principal(caseworker_a),
        case=case,
        title="Visit",
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    assert late.is_overdue() is True
    assert soon.is_overdue() is False
    services.set_task_status(actor=principal(caseworker_a), task=late, status=TaskStatus.DONE)
    assert late.is_overdue() is False


def test_closed_case_rejects_new_notes(caseworker_a, supervisor_a):
    case = make_case(caseworker_a, case_type="returnee")
    services.close_case(
        actor=principal(supervisor_a), case=case, reason="other", expected_version=1
    )
    with pytest.raises(ValidationError, match="closed"):
        services.add_note(actor=principal(caseworker_a), case=case, body="Late note")
