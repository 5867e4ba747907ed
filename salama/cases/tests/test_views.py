"""Case pages: access, the list, the detail forms, conflicts, attachments and the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salama.cases import services
from salama.cases.models import ApprovalSettings, Attachment, Case, CaseNote, Task
from salama.cases.tests.test_services import PDF, make_case, make_person, principal
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return make_case(caseworker_a)


@pytest.fixture
def attachment(case, caseworker_a):
    return services.add_attachment(
        actor=principal(caseworker_a),
        case=case,
        upload=SimpleUploadedFile("statement.pdf", PDF, "application/pdf"),
    )


def _post_urls(case, attachment):
    task = services.add_task(actor=principal(case.assigned_to), case=case, title="Call")
    item = services.add_plan_item(
        actor=principal(case.assigned_to), case=case, goal="g", action="a"
    )
    args = [case.id]
    return [
        (reverse("cases:case-move", args=args), {"target": "assistance_plan", "version": 1}),
        (reverse("cases:case-close", args=args), {"reason": "other", "version": 1}),
        (reverse("cases:case-reopen", args=args), {"version": 1}),
        (reverse("cases:case-summary", args=args), {"summary": "x", "version": 1}),
        (reverse("cases:case-assign", args=args), {"to_user": str(case.assigned_to.uuid)}),
        (reverse("cases:case-note-add", args=args), {"body": "x"}),
        (
            reverse("cases:case-attachment-add", args=args),
            {"file": SimpleUploadedFile("a.txt", b"hi")},
        ),
        (reverse("cases:case-task-add", args=args), {"title": "x"}),
        (reverse("cases:case-task-status", args=[case.id, task.id]), {"status": "done"}),
        (reverse("cases:case-plan-add", args=args), {"action": "x"}),
        (reverse("cases:case-plan-status", args=[case.id, item.id]), {"status": "done"}),
    ]


def test_caseworker_of_another_organisation_gets_404_everywhere(
    case, attachment, caseworker_b, login
):
    client = login(caseworker_b)
    assert client.get(case.get_absolute_url()).status_code == 404
    download = reverse("cases:attachment-download", args=[case.id, attachment.id])
    assert client.get(download).status_code == 404
    for url, data in _post_urls(case, attachment):
        assert client.post(url, data).status_code == 404, url
    stored = Case.objects.get(pk=case.pk)
    assert (stored.stage, stored.version, stored.summary) == (
        "registered",
        1,
        "Met at the border post.",
    )
    assert not CaseNote.objects.exists()


def test_unassigned_caseworker_gets_404_but_supervisor_sees_the_case(
    case, caseworker2_a, supervisor_a, login
):
    assert login(caseworker2_a).get(case.get_absolute_url()).status_code == 404
    response = login(supervisor_a).get(case.get_absolute_url())
    assert response.status_code == 200
    assert "Amina Yusuf" in response.content.decode()


def test_data_officer_is_refused_the_list_and_cannot_find_a_case(case, data_officer_a, login):
    client = login(data_officer_a)
    assert client.get(reverse("cases:case-list")).status_code == 403
    assert client.get(case.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("cases:case-note-add", args=[case.id]), {"body": "x"}).status_code
        == 404
    )


def test_service_provider_cannot_see_cases(case, receiver_a, login):
    assert login(receiver_a).get(case.get_absolute_url()).status_code == 404


def test_case_list_shows_visible_cases_with_bounded_queries(
    caseworker_a, caseworker2_a, login, django_assert_max_num_queries
):
    cases = [
        make_case(caseworker_a, make_person(caseworker_a, f"Person{i}", "Haddad")) for i in range(6)
    ]
    make_case(caseworker2_a)
    services.add_task(
        actor=principal(caseworker_a),
        case=cases[0],
        title="Call",
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    client = login(caseworker_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:case-list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert all(c.reference in body for c in cases)
    assert "Person3 Haddad" in body
    # The overdue flag says which task is late and by how much.
    assert "2 days overdue" in body
    assert '<span class="overdue-task">Call</span>' in body
    assert "caseworker2" not in body


def test_case_page_reads_the_staff_once_for_its_three_staff_menus(
    case, caseworker_a, caseworker2_a, data_officer_a, caseworker_b, login
):
    client = login(caseworker_a)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(case.get_absolute_url()).content.decode()
    staff_reads = [
        q["sql"] for q in queries if "accounts_membership" in q["sql"] and "DISTINCT" in q["sql"]
    ]
    assert len(staff_reads) == 1, staff_reads
    # Assign to, task "For" and plan "Responsible": the organisation's case staff only.
    assert body.count(f'value="{caseworker2_a.uuid}"') == 3
    assert str(data_officer_a.uuid) not in body
    assert str(caseworker_b.uuid) not in body


def test_staff_menus_refuse_a_member_of_another_organisation(
    case, caseworker_a, caseworker_b, login
):
    client = login(caseworker_a)
    response = client.post(
        reverse("cases:case-task-add", args=[case.id]),
        {"title": "Call", "assigned_to": str(caseworker_b.uuid)},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.filter(case=case).exists()


def test_case_list_filters_and_answers_htmx_with_the_table_only(caseworker_a, login):
    trafficking = make_case(caseworker_a)
    returnee = make_case(caseworker_a, case_type="returnee")
    client = login(caseworker_a)
    response = client.get(
        reverse("cases:case-list"), {"case_type": "returnee"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert returnee.reference in body
    assert trafficking.reference not in body
    assert "<html" not in body
    response = client.get(reverse("cases:case-list"), {"overdue": "on"})
    assert returnee.reference not in response.content.decode()


def test_case_list_paginates_without_counting(caseworker_a, login, monkeypatch):
    person = make_person(caseworker_a)
    for _ in range(3):
        make_case(caseworker_a, person)
    monkeypatch.setattr("salama.cases.queries.PER_PAGE", 2)
    client = login(caseworker_a)
    first = client.get(reverse("cases:case-list"), {"sort": "reference"}).content.decode()
    second = client.get(
        reverse("cases:case-list"), {"sort": "reference", "page": 2}
    ).content.decode()
    assert "00001" in first and "00003" not in first and 'rel="next"' in first
    assert "00003" in second and 'rel="next"' not in second


def test_opens_a_case_for_a_visible_person(caseworker_a, login):
    person = make_person(caseworker_a)
    client = login(caseworker_a)
    url = reverse("cases:case-create") + f"?person={person.id}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "case_type": "vulnerable_migrant",
            "summary": "Stranded",
            "assigned_to": str(caseworker_a.uuid),
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_cannot_open_a_case_for_another_organisations_person(caseworker_a, caseworker_b, login):
    person = make_person(caseworker_a)
    assert (
        login(caseworker_b).get(reverse("cases:case-create") + f"?person={person.id}").status_code
        == 404
    )


def test_viewing_a_case_is_audited(case, caseworker_a, login):
    login(caseworker_a).get(case.get_absolute_url())
    entry = AuditEntry.objects.filter(action="case.view").get()
    assert entry.scope_id == str(case.id)
    assert entry.actor_id == caseworker_a.pk


def test_detail_shows_allowed_next_stages(case, caseworker_a, login):
    body = login(caseworker_a).get(case.get_absolute_url()).content.decode()
    assert "Referred for identification" in body
    assert 'value="assistance_plan"' in body
    assert 'value="identified"' not in body
    # Decisions, not buttons, take the case to the identification stages; the page says so.
    assert "moves the case to: Presumed victim (reasonable grounds)" in body


def test_moving_a_case_from_the_page(case, caseworker_a, login):
    response = login(caseworker_a).post(
        reverse("cases:case-move", args=[case.id]), {"target": "assistance_plan", "version": 1}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "assistance_plan"


def test_an_illegal_transition_shows_the_message_and_changes_nothing(case, caseworker_a, login):
    response = login(caseworker_a).post(
        reverse("cases:case-move", args=[case.id]), {"target": "follow_up", "version": 1}
    )
    assert response.status_code == 400
    assert "cannot move from" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_two_people_editing_at_once_the_second_gets_the_conflict_message(
    case, caseworker_a, supervisor_a, login
):
    first, second = login(caseworker_a), login(supervisor_a)
    url = reverse("cases:case-summary", args=[case.id])
    assert first.post(url, {"summary": "Seen by the doctor", "version": 1}).status_code == 302
    response = second.post(url, {"summary": "Moved to the shelter", "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).summary == "Seen by the doctor"


def test_closing_during_reflection_with_person_returned_is_refused(
    case, caseworker_a, supervisor_a, login
):
    from salama.cases.tests.test_services import follow, walk

    walk(caseworker_a, case, "referred_for_identification")
    follow(supervisor_a, case, "reasonable_grounds.positive")
    walk(caseworker_a, case, "reflection_recovery")
    response = login(caseworker_a).post(
        reverse("cases:case-close", args=[case.id]),
        {"reason": "person_returned", "version": case.version},
    )
    assert response.status_code == 400
    assert "reflection and recovery period runs until" in response.content.decode()


def test_close_and_reopen_from_the_page(case, caseworker_a, login):
    ApprovalSettings.objects.create(organisation=case.organisation, closure=False)
    client = login(caseworker_a)
    client.post(
        reverse("cases:case-close", args=[case.id]),
        {"reason": "objectives_met", "note": "Done", "version": 1},
    )
    assert Case.objects.get(pk=case.pk).stage == "closed"
    client.post(reverse("cases:case-reopen", args=[case.id]), {"version": 2})
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_notes_tasks_and_plan_are_added_and_shown(case, caseworker_a, login):
    client = login(caseworker_a)
    client.post(reverse("cases:case-note-add", args=[case.id]), {"body": "Asked for a lawyer"})
    client.post(
        reverse("cases:case-task-add", args=[case.id]),
        {"title": "Book interpreter", "due_on": "2020-01-01"},
    )
    client.post(
        reverse("cases:case-plan-add", args=[case.id]),
        {"goal": "Safety", "action": "Find a shelter bed"},
    )
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Asked for a lawyer" in body
    assert "Book interpreter" in body
    assert "Overdue" in body
    assert "Find a shelter bed" in body


def test_marking_a_task_done_over_htmx_returns_the_task_list(case, caseworker_a, login):
    task = services.add_task(actor=principal(caseworker_a), case=case, title="Call back")
    response = login(caseworker_a).post(
        reverse("cases:case-task-status", args=[case.id, task.id]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="tasks"' in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "done"


def test_uploads_and_downloads_an_attachment(case, caseworker_a, login):
    client = login(caseworker_a)
    upload = SimpleUploadedFile("déclaration.pdf", PDF, "application/pdf")
    response = client.post(
        reverse("cases:case-attachment-add", args=[case.id]),
        {"file": upload, "description": "Statement"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    response = client.get(reverse("cases:attachment-download", args=[case.id, attachment.id]))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "d%C3%A9claration.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="case.attachment_view", scope_id=str(case.id)).exists()


def test_a_renamed_executable_is_refused_with_a_message(case, caseworker_a, login):
    upload = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00", "application/pdf")
    response = login(caseworker_a).post(
        reverse("cases:case-attachment-add", args=[case.id]), {"file": upload}
    )
    assert response.status_code == 400
    assert "does not match its extension" in response.content.decode()
    assert not Attachment.objects.exists()


def test_supervisor_approves_a_pending_reassignment_from_the_page(
    ngo_a, case, caseworker_a, caseworker2_a, supervisor_a, login
):
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    login(caseworker_a).post(
        reverse("cases:case-assign", args=[case.id]), {"to_user": str(caseworker2_a.uuid)}
    )
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker_a
    client = login(supervisor_a)
    pending = case.reassignments.get()
    assert "a supervisor must approve" in client.get(case.get_absolute_url()).content.decode()
    client.post(
        reverse("cases:case-reassignment-decide", args=[case.id, pending.id]), {"approve": "yes"}
    )
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker2_a


def test_timeline_lists_what_happened_with_stage_names(case, caseworker_a, login):
    client = login(caseworker_a)
    client.post(
        reverse("cases:case-move", args=[case.id]), {"target": "assistance_plan", "version": 1}
    )
    client.post(reverse("cases:case-note-add", args=[case.id]), {"body": "Secret detail"})
    body = client.get(case.get_absolute_url()).content.decode()
    timeline = body[body.index('id="timeline-h"') :]
    assert "Case opened" in timeline
    assert "Stage changed" in timeline
    assert "Registered (not yet screened) → Assistance plan" in timeline
    assert "Note added" in timeline
    assert "Secret detail" not in timeline
    assert timeline.index("Note added") < timeline.index("Case opened")


def test_post_only_views_refuse_get(case, caseworker_a, login):
    assert login(caseworker_a).get(reverse("cases:case-move", args=[case.id])).status_code == 405
