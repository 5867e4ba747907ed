"""The case page: a summary header, sections opened when needed, and forms that never lose what
was typed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from salama.accounts.models import User
from salama.cases import exploitation, services
from salama.cases.case_page import section_of
from salama.cases.tests.test_services import make_case, principal
from salama.people.choices import TraffickingStatus
from salama.people.models import CONSENT_CHECKLIST, Person
from salama.people.services import record_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a: User, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return make_case(caseworker_a)


def _page(client: Any, case: Any, **params: str) -> str:
    response = client.get(case.get_absolute_url(), params)
    assert response.status_code == 200
    return str(response.content.decode())


def _header(body: str) -> str:
    start = body.index('<section class="card case-header"')
    return body[start : body.index("</section>", start)]


def _opening_tag(body: str, section: str) -> str:
    """The <details …> tag of one section (to read whether it is open)."""
    match = re.search(rf'<details class="case-section card" id="{section}"[^>]*>', body)
    assert match, f"no section {section}"
    return match.group(0)


def _is_open(body: str, section: str) -> bool:
    return _opening_tag(body, section).endswith(" open>")


def test_the_header_shows_stage_trafficking_status_consent_and_the_next_due_item(
    case: Any, caseworker_a: User, login: Any
) -> None:
    today = timezone.localdate()
    record_consent(
        actor=principal(caseworker_a),
        person=case.person,
        purpose="assistance",
        method="written",
        given_on=today,
        expires_on=today + dt.timedelta(days=12),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
    )
    services.add_task(
        actor=principal(caseworker_a),
        case=case,
        title="Book an interpreter",
        due_on=today - dt.timedelta(days=3),
    )
    services.add_task(
        actor=principal(caseworker_a), case=case, title="Later", due_on=today + dt.timedelta(9)
    )

    Person.objects.filter(pk=case.person.pk).update(trafficking_status=TraffickingStatus.POSSIBLE)

    header = _header(_page(login(caseworker_a), case))

    assert "<strong>Registered (not yet screened)</strong>" in header
    assert "Possible victim of trafficking" in header
    assert "case status: Active" in header
    assert "Assistance" in header
    assert "expires in 12 days" in header
    # The next due item: which task, when, and how late.
    assert "Book an interpreter" in header
    assert (today - dt.timedelta(days=3)).isoformat() in header
    assert "3 days overdue" in header
    assert "Later" not in header


def test_the_header_says_when_no_consent_is_in_force_and_nothing_is_due(
    case: Any, caseworker_a: User, login: Any
) -> None:
    header = _header(_page(login(caseworker_a), case))
    assert "No consent in force" in header
    assert "Nothing with a due date" in header
    assert "Not assessed" in header
    # No risk level on the case: the header says nothing about one.
    assert "Risk level" not in header


def test_sections_are_closed_until_the_url_opens_one(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    body = _page(client, case)
    for section in ("stage", "identification", "screening", "plan", "referrals", "notes"):
        assert not _is_open(body, section), section
    assert not _is_open(body, "exploitation")
    assert not _is_open(body, "timeline")

    notes = _page(client, case, open="notes")
    assert _is_open(notes, "notes")
    assert not _is_open(notes, "plan")
    # A section may be asked for by the name of a part of it.
    assert _is_open(_page(client, case, open="tasks"), "plan")
    assert _is_open(_page(client, case, open="timeline"), "timeline")


def test_a_saved_form_returns_to_its_section_open(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    response = client.post(reverse("cases:case-note-add", args=[case.id]), {"body": "Seen"})
    assert response.status_code == 302
    assert response["Location"] == f"{case.get_absolute_url()}?open=notes#notes"
    response = client.post(
        reverse("cases:case-plan-add", args=[case.id]), {"action": "Find a shelter bed"}
    )
    assert response["Location"] == f"{case.get_absolute_url()}?open=plan#plan"
    response = client.post(
        reverse("cases:case-move", args=[case.id]), {"target": "screened", "version": 1}
    )
    assert response["Location"] == f"{case.get_absolute_url()}?open=stage#stage"


# Each form: what is posted (with something typed and something wrong), the section it is in,
# and the text that must come back.
REFUSED_FORMS = [
    ("case-close", {"note": "Typed closing note", "version": "1"}, "stage", "Typed closing note"),
    ("case-summary", {"summary": "Typed summary", "version": "9"}, "notes", "Typed summary"),
    ("case-assign", {"to_user": "not-a-person"}, "stage", "Assign to"),
    ("case-note-add", {"body": "x" * 20001}, "notes", "x" * 20001),
    ("case-attachment-add", {"description": "Typed description"}, "notes", "Typed description"),
    ("case-task-add", {"title": "Typed task", "due_on": "31/02/2026"}, "plan", "Typed task"),
    (
        "case-plan-add",
        {"goal": "Typed goal", "action": "Typed action", "due_on": "soon"},
        "plan",
        "Typed action",
    ),
]


@pytest.mark.parametrize(("url_name", "data", "section", "typed"), REFUSED_FORMS)
def test_a_refused_form_comes_back_as_typed_with_its_errors_in_its_open_section(
    case: Any,
    caseworker_a: User,
    login: Any,
    url_name: str,
    data: dict[str, str],
    section: str,
    typed: str,
) -> None:
    response = login(caseworker_a).post(reverse(f"cases:{url_name}", args=[case.id]), data)
    body = response.content.decode()
    assert response.status_code in (400, 409)
    assert typed in body
    assert _is_open(body, section)
    # The form's own disclosure is open too, and its error is on it.
    assert '<details class="add" open>' in body
    assert 'class="error"' in body or 'class="form-errors"' in body


def test_a_summary_refused_for_a_conflict_keeps_the_text_and_can_be_saved_again(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    response = client.post(
        reverse("cases:case-summary", args=[case.id]), {"summary": "Mine", "version": "9"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this case" in body
    assert f'name="version" value="{case.version}"' in body


def test_a_reopen_refused_says_why_in_the_open_stage_section(
    case: Any, caseworker_a: User, login: Any
) -> None:
    response = login(caseworker_a).post(
        reverse("cases:case-reopen", args=[case.id]), {"version": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="form-errors" role="alert"' in body
    assert _is_open(body, "stage")


def test_a_refused_perpetrator_comes_back_as_typed_in_the_open_exploitation_section(
    case: Any, caseworker_a: User, login: Any
) -> None:
    response = login(caseworker_a).post(
        reverse("cases:case-perpetrator-add", args=[case.id]),
        {"perpetrator-first_name": "Karim", "perpetrator-citizenship": "XX"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Karim"' in body
    assert _is_open(body, "exploitation")


def test_a_task_refused_over_htmx_comes_back_as_typed_in_the_task_list(
    case: Any, caseworker_a: User, login: Any
) -> None:
    response = login(caseworker_a).post(
        reverse("cases:case-task-add", args=[case.id]),
        {"title": "Typed task", "due_on": "never"},
        HTTP_HX_REQUEST="true",
    )
    # HTMX swaps only a success: the refusal comes as the list with the form and its error.
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="tasks"')
    assert 'value="Typed task"' in body
    assert '<details class="add" open>' in body
    assert 'class="error"' in body


def test_ids_on_the_case_page_are_unique(case: Any, caseworker_a: User, login: Any) -> None:
    actor = principal(caseworker_a)
    today = timezone.localdate()
    services.add_task(actor=actor, case=case, title="Call", due_on=today)
    services.add_plan_item(actor=actor, case=case, goal="Safety", action="Shelter", due_on=today)
    services.add_note(actor=actor, case=case, body="Seen")
    for name in ("Karim", "Sami"):
        exploitation.add_perpetrator(
            actor=actor, case=case, data=exploitation.PerpetratorInput(first_name=name)
        )
    client = login(caseworker_a)
    for params in ({}, {"edit": "record"}, {"edit": "new"}):
        body = _page(client, case, **params)
        ids = Counter(re.findall(r'\sid="([^"]+)"', body))
        repeated = [i for i, n in ids.items() if n > 1]
        assert repeated == [], f"ids repeated with {params}: {repeated}"
        # The task's and the plan's due dates are told apart.
        assert 'id="task-due_on"' in body
        assert 'id="plan-due_on"' in body


def test_the_attachment_form_keeps_its_description_when_the_file_is_refused(
    case: Any, caseworker_a: User, login: Any
) -> None:
    response = login(caseworker_a).post(
        reverse("cases:case-attachment-add", args=[case.id]),
        {
            "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/octet-stream"),
            "description": "Typed description",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Typed description"' in body
    assert _is_open(body, "notes")


def test_a_bound_form_opens_the_section_it_belongs_to() -> None:
    assert section_of("task") == "plan"
    assert section_of("close") == "stage"
    assert section_of("events") == "exploitation"
    assert section_of("p-6f1c") == "exploitation"
    # A section another app adds names its forms after itself.
    assert section_of("safety") == "safety"
