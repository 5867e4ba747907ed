"""The reads that the case pages and the cases API share (salama.cases.queries).

The page and the API list cases through one function, so for the same filters they must return
the same cases in the same order; notes, files and the timeline need person.view besides the
case, so a token scoped to case.view alone reads the case but not what was written about the
person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salama.accounts.models import User
from salama.accounts.services import create_api_token
from salama.cases import queries, services
from salama.cases.models import Case
from salama.cases.tests.test_services import make_case, principal, walk
from salama.core.models import AuditEntry
from salama.core.policy import Principal

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


def _age(case: Case, days: int, hours: int = 0) -> None:
    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=days, hours=hours)
    )


@pytest.fixture
def caseload(caseworker_a: User, caseworker2_a: User, supervisor_a: User) -> dict[str, Case]:
    """Six cases of organisation A that differ in every way the list filters on."""
    mine = make_case(caseworker_a)
    returnee = make_case(caseworker2_a, case_type="returnee")
    walk(caseworker2_a, returnee, "assistance_plan")
    closed = make_case(caseworker_a)
    services.close_case(
        actor=principal(supervisor_a), case=closed, reason="other", expected_version=1
    )
    overdue = make_case(supervisor_a)
    services.add_task(
        actor=principal(supervisor_a),
        case=overdue,
        title="Call back",
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    twin_a, twin_b = make_case(caseworker_a), make_case(caseworker2_a)
    _age(mine, 5)
    _age(returnee, 4)
    _age(closed, 3)
    _age(overdue, 2)
    # Opened at the same moment: the case id breaks the tie, on both sides.
    same = timezone.now() - dt.timedelta(days=1)
    Case.objects.filter(pk__in=[twin_a.pk, twin_b.pk]).update(opened_at=same)
    return {
        "mine": mine,
        "returnee": returnee,
        "closed": closed,
        "overdue": overdue,
        "twin_a": twin_a,
        "twin_b": twin_b,
    }


def _page_references(client: Client, params: dict[str, str]) -> list[str]:
    response = client.get(reverse("cases:case-list"), params)
    assert response.status_code == 200
    return [row["case"].reference for row in response.context["rows"]]


def _api_references(client: Client, params: dict[str, str]) -> list[str]:
    response = client.get(f"{API}/", params)
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


FILTERS: list[dict[str, str]] = [
    {},
    {"status": "open"},
    {"status": "closed"},
    {"status": "all"},
    {"stage": "assistance_plan"},
    {"case_type": "returnee"},
    {"case_type": "trafficking", "status": "all"},
    {"assigned": "me"},
    {"assigned": "me", "status": "all"},
    {"overdue": "true"},
    {"reference": "0000", "status": "all"},
    {"sort": "opened_at"},
    {"sort": "reference", "status": "all"},
    {"sort": "-stage_changed_at"},
]


@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_page_and_api_list_the_same_cases_in_the_same_order(
    params: dict[str, str], caseload: dict[str, Case], supervisor_a: User, login: Any
) -> None:
    client = login(supervisor_a)
    assert _page_references(client, params) == _api_references(client, params)


def test_both_list_open_cases_newest_first_by_default_with_ties_broken_by_id(
    caseload: dict[str, Case], supervisor_a: User, login: Any
) -> None:
    twins = sorted([caseload["twin_a"], caseload["twin_b"]], key=lambda c: str(c.pk))
    expected = [
        *(c.reference for c in twins),
        caseload["overdue"].reference,
        caseload["returnee"].reference,
        caseload["mine"].reference,
    ]
    client = login(supervisor_a)
    assert _page_references(client, {}) == expected
    assert _api_references(client, {}) == expected


def test_filters_mean_the_same_on_both_sides(
    caseload: dict[str, Case], caseworker_a: User, supervisor_a: User, login: Any
) -> None:
    client = login(supervisor_a)
    closed = caseload["closed"].reference
    assert _api_references(client, {"status": "closed"}) == [closed]
    assert _api_references(client, {"reference": closed[-3:], "status": "all"}) == [closed]
    assert _api_references(client, {"overdue": "true"}) == [caseload["overdue"].reference]
    assert _page_references(client, {"stage": "assistance_plan"}) == [
        caseload["returnee"].reference
    ]
    own = {caseload["mine"].reference, caseload["twin_a"].reference}
    assert set(_api_references(login(caseworker_a), {"assigned": "me"})) == own


def test_a_supervisor_lists_one_caseworkers_cases_on_the_page_and_in_the_api_alike(
    caseload: dict[str, Case], caseworker2_a: User, supervisor_a: User, login: Any
) -> None:
    client = login(supervisor_a)
    params = {"assignee": str(caseworker2_a.uuid), "status": "all"}
    theirs = {caseload["returnee"].reference, caseload["twin_b"].reference}
    assert set(_page_references(client, params)) == theirs
    assert _page_references(client, params) == _api_references(client, params)


def test_a_caseworker_cannot_list_a_colleagues_cases_by_naming_them(
    caseload: dict[str, Case], caseworker_a: User, caseworker2_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    params = {"assignee": str(caseworker2_a.uuid)}
    # The page has no caseworker menu for them (the value is ignored: their own cases), and the
    # API finds none of the colleague's among the cases the caseworker may see.
    assert "assignee" not in client.get(reverse("cases:case-list")).context["form"].fields
    assert caseload["returnee"].reference not in _page_references(client, params)
    assert _api_references(client, params) == []


def test_the_shared_query_refuses_a_caseworker_that_is_not_a_user_id() -> None:
    with pytest.raises(ValueError):
        queries.CaseListQuery(assignee="someone")


def test_the_api_refuses_an_order_it_does_not_know_and_so_does_the_shared_query(
    supervisor_a: User, login: Any
) -> None:
    response = login(supervisor_a).get(f"{API}/", {"sort": "person__given_name"})
    assert response.status_code == 422
    with pytest.raises(ValueError, match="unknown case sort"):
        queries.CaseListQuery(sort="person__given_name")


def test_the_page_and_the_api_read_a_page_of_cases_in_a_bounded_number_of_queries(
    caseload: dict[str, Case],
    supervisor_a: User,
    login: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(supervisor_a)
    for _ in range(6):
        make_case(supervisor_a)
    # Signing in (session, user, membership, second factor) and the page's own chrome, the
    # supervisor's caseworker menu, then one statement for the cases with their people and staff
    # and one for their overdue tasks: twelve cases cost what one does.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("cases:case-list"), {"status": "all"})
    with django_assert_max_num_queries(6):
        api = client.get(f"{API}/", {"status": "all"})
    assert len(page.context["rows"]) == len(api.json()["items"]) == 12


# Staff --------------------------------------------------------------------------------------


def test_staff_are_active_caseworkers_and_supervisors_of_the_organisation(
    caseworker_a: User,
    caseworker2_a: User,
    supervisor_a: User,
    receiver_a: User,
    caseworker_b: User,
) -> None:
    caseworker2_a.is_active = False
    caseworker2_a.save()
    staff = set(queries.staff_of(caseworker_a.memberships.get().organisation))
    assert staff == {caseworker_a, supervisor_a}
    org = supervisor_a.memberships.get().organisation
    assert queries.staff_member(org, caseworker_b.uuid) is None
    assert queries.staff_member(org, receiver_a.uuid) is None


def test_the_api_cannot_assign_a_case_to_a_deactivated_member(
    caseworker_a: User, caseworker2_a: User, supervisor_a: User, login: Any
) -> None:
    case = make_case(caseworker_a)
    caseworker2_a.is_active = False
    caseworker2_a.save()
    response = login(supervisor_a).post(
        f"{API}/{case.id}/assign",
        {"to_user": str(caseworker2_a.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker_a


# What was written about the person needs person.view ------------------------------------------


def _token_client(user: User, scopes: list[str]) -> Client:
    _token, secret = create_api_token(actor=principal(user), name="sync", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def written_case(caseworker_a: User, media: Any) -> tuple[Case, Any]:
    case = make_case(caseworker_a)
    services.add_note(actor=principal(caseworker_a), case=case, body="She fears her employer.")
    attachment = services.add_attachment(
        actor=principal(caseworker_a),
        case=case,
        upload=SimpleUploadedFile("statement.txt", b"statement", content_type="text/plain"),
    )
    return case, attachment


def test_a_token_scoped_to_case_view_reads_the_case_but_not_its_notes_or_files(
    written_case: tuple[Case, Any], caseworker_a: User
) -> None:
    case, attachment = written_case
    client = _token_client(caseworker_a, ["case.view"])
    assert client.get(f"{API}/{case.id}").status_code == 200
    assert client.get(f"{API}/{case.id}/notes").status_code == 404
    assert client.get(f"{API}/{case.id}/attachments").status_code == 404
    download = client.get(f"{API}/{case.id}/attachments/{attachment.id}/download")
    assert download.status_code == 404
    assert b"statement" not in download.content
    assert not AuditEntry.objects.filter(action="case.attachment_view").exists()


def test_a_token_with_person_view_as_well_reads_the_notes_and_downloads_the_files(
    written_case: tuple[Case, Any], caseworker_a: User
) -> None:
    case, attachment = written_case
    client = _token_client(caseworker_a, ["case.view", "person.view"])
    notes = client.get(f"{API}/{case.id}/notes").json()
    assert [n["body"] for n in notes] == ["She fears her employer."]
    download = client.get(f"{API}/{case.id}/attachments/{attachment.id}/download")
    assert download.status_code == 200
    assert download.content == b"statement"
    assert download["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="case.attachment_view").count() == 1


def test_without_person_view_the_shared_reads_refuse_notes_files_and_timeline(
    written_case: tuple[Case, Any], caseworker_a: User
) -> None:
    case, attachment = written_case
    membership = caseworker_a.memberships.get()
    narrow = Principal(
        user=caseworker_a, membership=membership, verified=True, scopes=frozenset({"case.view"})
    )
    for read in (queries.case_notes, queries.case_attachments, queries.case_timeline):
        with pytest.raises(Http404):
            read(narrow, case)
    with pytest.raises(Http404):
        queries.read_attachment(narrow, case.id, attachment.id)
    assert [n.body for n in queries.case_notes(principal(caseworker_a), case)] == [
        "She fears her employer."
    ]


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path
