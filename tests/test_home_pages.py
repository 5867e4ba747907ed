"""The home page of each role on a small world: which panels, which numbers, which links.

Organisation A has five cases (one closed) with tasks, consents, referrals, a reflection period,
a reassignment and assistance waiting, a fund running low and an invitation; organisation B has
the same kinds of work, which must never show in A's numbers. Every count on a home page links
to a list, and the list shows exactly as many rows as the count says. The page reads in a
bounded number of statements, however much work there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_user, verified_client
from salama.accounts.models import Organisation, User
from salama.accounts.services import invite_member
from salama.assistance.services import approve_item
from salama.assistance.tests.factories import ask, make_fund
from salama.cases import queries as case_queries
from salama.cases import services as case_services
from salama.cases.models import Case
from salama.cases.queries import Tally
from salama.cases.tests.test_services import make_case as open_case_for
from salama.cases.tests.test_services import principal
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent
from salama.referrals.models import Referral, Service
from salama.referrals.services import send_referral
from salama.referrals.tests.helpers import consent_to, make_service

pytestmark = pytest.mark.django_db


@dataclass
class Work:
    """What one organisation's world holds, for the tests to look up."""

    screened: Case
    presumed: Case
    reflecting: Case
    other: Case
    service: Service


def _consent(user: User, case: Case, recipient: Organisation, days: int) -> None:
    record_consent(
        actor=principal(user),
        person=case.person,
        purpose="referral",
        method="verbal",
        given_on=timezone.localdate() - dt.timedelta(days=10),
        expires_on=timezone.localdate() + dt.timedelta(days=days),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=recipient,
        service_type="accommodation",
    )


def _refer(user: User, case: Case, service: Service, *, late_days: int = 0) -> Referral:
    referral = send_referral(
        actor=principal(user),
        case=case,
        service=service,
        packet_fields=["age_band", "needs_note"],
        purpose_note="A safe place to stay.",
        needs_note="Needs a quiet room.",
    )
    if late_days:
        back = dt.timedelta(days=late_days)
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=referral.sent_at - back, due_at=referral.due_at - back
        )
    return referral


def at_stage(case: Case, stage: str) -> Case:
    """Put a case at a stage as its history would have (screening, identification decisions):
    the home page reads stages, not how a case reached them."""
    Case.objects.filter(pk=case.pk).update(stage=stage)
    case.refresh_from_db()
    return case


def make_case(user: User) -> Case:
    """A case that was screened (new cases open at "registered")."""
    return at_stage(open_case_for(user), "screened")


def build(org: Organisation, worker: User, worker2: User, supervisor: User, admin: User) -> Work:
    """One organisation's work (the same shape for A and B)."""
    today = timezone.localdate()
    org.reassignment_needs_approval = True
    org.save()
    screened = make_case(worker)
    presumed = at_stage(make_case(worker), "presumed_victim")
    reflecting = at_stage(make_case(worker), "reflection_recovery")
    Case.objects.filter(pk=reflecting.pk).update(reflection_ends=today + dt.timedelta(days=5))
    closed = make_case(worker)
    case_services.close_case(
        actor=principal(supervisor), case=closed, reason="other", expected_version=closed.version
    )
    other = make_case(worker2)

    def task(user: User, case: Case, days: int, title: str) -> Any:
        return case_services.add_task(
            actor=principal(user), case=case, title=title, due_on=today + dt.timedelta(days=days)
        )

    task(worker, screened, -3, "Call the shelter back")
    task(worker, presumed, 1, "Book the interpreter")
    task(worker, presumed, 20, "Next month's visit")  # beyond the week: not listed
    done = task(worker, screened, -5, "Already done")
    case_services.set_task_status(actor=principal(worker), task=done, status="done")
    task(worker2, other, -2, "Someone else's overdue task")

    _consent(worker, screened, org, 9)  # runs out within 30 days
    _consent(worker, presumed, org, 45)  # later: not listed

    service = make_service(org)
    _refer(worker, screened, service)  # new
    consent_to(worker, presumed.person, org)
    _refer(worker, presumed, service, late_days=10)  # new and overdue

    case_services.assign_case(actor=principal(worker), case=reflecting, to_user=worker2)

    fund = make_fund(admin, deposit="1000.00")
    ask(worker, screened, fund, "50.00")  # waits for approval
    low = make_fund(admin, deposit="100.00", name="Winter fund")
    approve_item(actor=principal(supervisor), item=ask(worker, presumed, low, "95.00"))

    invite_member(
        actor=principal(admin),
        organisation=org,
        email=f"newcomer@{org.reference_prefix.lower()}.example",
        role="caseworker",
    )
    return Work(screened, presumed, reflecting, other, service)


@pytest.fixture
def world(
    caseworker_a: User,
    caseworker2_a: User,
    supervisor_a: User,
    receiver_a: User,
    org_admin_a: User,
    data_officer_a: User,
    caseworker_b: User,
    supervisor_b: User,
    receiver_b: User,
    org_admin_b: User,
) -> Work:
    a = caseworker_a.memberships.get().organisation
    b = caseworker_b.memberships.get().organisation
    caseworker2_b = make_user(b, "caseworker", "caseworker2@b.example")
    work_a = build(a, caseworker_a, caseworker2_a, supervisor_a, org_admin_a)
    build(b, caseworker_b, caseworker2_b, supervisor_b, org_admin_b)
    # B refers one of its persons to A's service: that is A's inbox, rightly.
    b_case = make_case(caseworker_b)
    consent_to(caseworker_b, b_case.person, a)
    _refer(caseworker_b, b_case, work_a.service)
    return work_a


def panels(client: Client) -> dict[str, Any]:
    response = client.get("/")
    assert response.status_code == 200
    return {p.key: p.data for p in response.context["panels"]}


def keys(client: Client) -> list[str]:
    response = client.get("/")
    return [p.key for p in response.context["panels"]]


# What each role sees ----------------------------------------------------------------------------


def test_a_caseworker_sees_their_cases_by_stage_tasks_referrals_and_consents(
    world: Work, caseworker_a: User
) -> None:
    client = verified_client(caseworker_a)
    assert keys(client) == [
        "cases.mine",
        "cases.tasks",
        "cases.risk_reviews",
        "referrals.mine",
        "cases.consents",
    ]
    shown = panels(client)

    mine = shown["cases.mine"]
    assert mine["total"] == 3  # the closed case is not open, the colleague's is not theirs
    assert {s["stage"]: s["count"] for s in mine["stages"]} == {
        "screened": 1,
        "presumed_victim": 1,
        "reflection_recovery": 1,
    }

    tasks = shown["cases.tasks"]
    assert [(t["title"], str(t["when"])) for t in tasks["tasks"]] == [
        ("Call the shelter back", "3 days overdue"),
        ("Book the interpreter", "due tomorrow"),
    ]
    assert tasks["tasks"][0]["reference"] == world.screened.reference
    assert tasks["overdue_cases"] == 1

    referrals = shown["referrals.mine"]
    counts = referrals["counts"]
    assert (counts.open, counts.new, counts.overdue) == (2, 2, 1)
    assert referrals["rows"][0]["reference"] == world.presumed.reference  # the late one first
    assert str(referrals["rows"][0]["when"]).endswith("days overdue")

    consents = shown["cases.consents"]["consents"]
    assert [(c["reference"], str(c["when"])) for c in consents] == [
        (world.screened.reference, "expires in 9 days")
    ]


def test_a_supervisor_sees_the_board_the_team_approvals_overdue_work_and_reflection_periods(
    world: Work, supervisor_a: User, caseworker_a: User, caseworker2_a: User
) -> None:
    client = verified_client(supervisor_a)
    assert keys(client) == [
        "cases.board",
        "cases.workload",
        "cases.approvals",
        "assistance.approvals",
        "referrals.overdue",
        "cases.reflection",
        "core.audit",
    ]
    shown = panels(client)

    board = shown["cases.board"]
    assert board["total"] == 4
    by_stage = {s["stage"]: s["count"] for s in board["stages"]}
    assert by_stage["screened"] == 2 and by_stage["presumed_victim"] == 1
    assert by_stage["identified"] == 0  # every open stage has its column, empty or not
    assert "closed" not in by_stage

    workload = {row["name"]: row["count"] for row in shown["cases.workload"]["rows"]}
    assert workload == {"caseworker": 3, "caseworker2": 1, "supervisor": 0}

    approvals = shown["assistance.approvals"]
    assert approvals["items"] == 1  # the approved one waits no more
    assert [r["reference"] for r in approvals["reassignments"]] == [world.reflecting.reference]

    overdue = shown["referrals.overdue"]
    assert (overdue["cases"], overdue["referrals"]) == (2, 1)

    reflection = shown["cases.reflection"]["cases"]
    assert [(c["reference"], str(c["when"])) for c in reflection] == [
        (world.reflecting.reference, "ends in 5 days")
    ]


def test_a_service_provider_sees_the_inbox_with_the_need_and_its_urgency(
    world: Work, receiver_a: User
) -> None:
    client = verified_client(receiver_a)
    assert keys(client) == ["referrals.inbox"]
    inbox = panels(client)["referrals.inbox"]

    assert (inbox["counts"].open, inbox["counts"].new, inbox["counts"].overdue) == (3, 3, 1)
    first = inbox["rows"][0]
    assert first["service"] == world.service.name
    assert first["service_type"] == "Accommodation"
    assert first["needs_note"] is True
    late = Referral.objects.filter(to_organisation=world.service.provider.organisation).earliest(
        "due_at"
    )
    days = (timezone.localdate() - timezone.localdate(late.due_at)).days
    assert str(first["when"]) == f"{days} days overdue"
    assert {r["from"] for r in inbox["rows"]} == {"NGO A", "NGO B"}
    # The recipient never learns which case a referral came from.
    assert all(r["reference"] == "" for r in inbox["rows"])


def test_the_inbox_panel_never_shows_the_packet_or_the_purpose_note(
    world: Work, receiver_a: User
) -> None:
    body = verified_client(receiver_a).get("/").content.decode()
    assert "Needs a quiet room" not in body
    assert "A safe place to stay" not in body
    assert "needs note attached" in body


def test_an_organisation_administrator_sees_members_invitations_and_funds_running_low(
    world: Work, org_admin_a: User
) -> None:
    client = verified_client(org_admin_a)
    assert keys(client) == [
        "accounts.members",
        "assistance.low_funds",
        "core.audit",
        "cases.retention",
        "cases.review_intervals",
        "evidence.releases",
    ]
    shown = panels(client)
    counts = shown["accounts.members"]["counts"]
    assert (counts.members, counts.invitations) == (6, 1)
    assert [f["name"] for f in shown["assistance.low_funds"]["funds"]] == ["Winter fund"]
    assert shown["assistance.low_funds"]["funds"][0]["available"] == "5.00 USD"


def test_without_a_fund_running_low_the_administrator_sees_no_funds_panel(
    org_admin_a: User,
) -> None:
    make_fund(org_admin_a, deposit="1000.00")
    assert "assistance.low_funds" not in keys(verified_client(org_admin_a))


def test_a_data_officer_sees_what_they_can_do_and_no_figure_under_eleven(
    world: Work, data_officer_a: User
) -> None:
    client = verified_client(data_officer_a)
    assert keys(client) == ["cases.statistics", "evidence.releases"]
    totals = panels(client)["cases.statistics"]["totals"]
    assert (totals.open, totals.closed) == (None, None)  # 4 open and 1 closed: both withheld
    body = client.get("/").content.decode()
    assert "fewer than 11" in body
    assert world.screened.reference not in body


def test_a_data_officer_sees_totals_of_eleven_or_more(
    caseworker_a: User, data_officer_a: User, caseworker_b: User
) -> None:
    for _ in range(11):
        make_case(caseworker_a)
    make_case(caseworker_b)
    totals = panels(verified_client(data_officer_a))["cases.statistics"]["totals"]
    assert (totals.open, totals.closed) == (Tally(11), None)


def test_an_organisations_figures_are_counted_only_up_to_a_cap_and_say_so(
    world: Work, supervisor_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However many cases an organisation holds, its supervisor's home page reads at most the
    # cap per figure; here the cap is two.
    monkeypatch.setattr(case_queries, "HOME_COUNT_CAP", 2)
    client = verified_client(supervisor_a)
    shown = panels(client)
    board = {s["stage"]: (s["count"], s["more"]) for s in shown["cases.board"]["stages"]}
    assert board["screened"] == (2, True)
    assert board["presumed_victim"] == (1, False)
    assert shown["cases.board"]["total_more"] is True
    workload = {row["name"]: (row["count"], row["more"]) for row in shown["cases.workload"]["rows"]}
    assert workload["caseworker"] == (2, True) and workload["caseworker2"] == (1, False)
    body = client.get("/").content.decode()
    assert "4+ open cases" in body
    assert "counted up to 2" in body


def test_tallies_count_each_queryset_in_one_statement(
    world: Work, django_assert_num_queries: Any
) -> None:
    cases = Case.objects.filter(organisation=world.screened.organisation)
    with django_assert_num_queries(1):
        counted = case_queries.tallies(
            {"all": cases, "closed": cases.filter(stage="closed"), "none": cases.none()}, 3
        )
    assert counted == {"all": Tally(3, True), "closed": Tally(1), "none": Tally(0)}


def test_another_organisations_work_is_never_counted(
    world: Work, caseworker_b: User, supervisor_b: User, receiver_b: User
) -> None:
    # B's people see B's own world only: the same shape as A's, and nothing of A's.
    assert panels(verified_client(caseworker_b))["cases.mine"]["total"] == 4  # and one to A
    supervisor = panels(verified_client(supervisor_b))
    assert supervisor["cases.board"]["total"] == 5
    assert supervisor["assistance.approvals"]["items"] == 1
    inbox = panels(verified_client(receiver_b))["referrals.inbox"]
    assert (inbox["counts"].open, inbox["counts"].overdue) == (2, 1)  # not B's referral to A


def test_a_caseworker_without_work_is_told_what_to_do_next(caseworker_a: User) -> None:
    body = verified_client(caseworker_a).get("/").content.decode()
    assert "You have no open cases." in body
    assert "Find or register the person" in body
    assert "None of your cases has an open referral." in body


# Every count links to the list it counts --------------------------------------------------------


def _rows(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return len(response.context["rows"])


def test_every_count_on_a_caseworkers_home_links_to_a_list_of_as_many(
    world: Work, caseworker_a: User
) -> None:
    client = verified_client(caseworker_a)
    shown = panels(client)
    mine = shown["cases.mine"]
    assert _rows(client, mine["total_url"]) == mine["total"]
    for stage in mine["stages"]:
        assert _rows(client, stage["url"]) == stage["count"]
    tasks = shown["cases.tasks"]
    assert _rows(client, tasks["overdue_url"]) == tasks["overdue_cases"]
    referrals = shown["referrals.mine"]
    assert _rows(client, referrals["open_url"]) == referrals["counts"].open
    assert _rows(client, referrals["new_url"]) == referrals["counts"].new
    assert _rows(client, referrals["overdue_url"]) == referrals["counts"].overdue


def test_every_count_on_a_supervisors_home_links_to_a_list_of_as_many(
    world: Work, supervisor_a: User
) -> None:
    client = verified_client(supervisor_a)
    shown = panels(client)
    for stage in shown["cases.board"]["stages"]:
        assert _rows(client, stage["url"]) == stage["count"]
    for row in shown["cases.workload"]["rows"]:
        assert _rows(client, row["url"]) == row["count"]
    overdue = shown["referrals.overdue"]
    assert _rows(client, overdue["cases_url"]) == overdue["cases"]
    assert _rows(client, overdue["referrals_url"]) == overdue["referrals"]
    approvals = shown["assistance.approvals"]
    assert len(client.get(approvals["items_url"]).context["items"]) == approvals["items"]


def test_every_count_on_a_providers_home_links_to_a_list_of_as_many(
    world: Work, receiver_a: User
) -> None:
    client = verified_client(receiver_a)
    inbox = panels(client)["referrals.inbox"]
    assert _rows(client, inbox["open_url"]) == inbox["counts"].open
    assert _rows(client, inbox["new_url"]) == inbox["counts"].new
    assert _rows(client, inbox["overdue_url"]) == inbox["counts"].overdue


# Bounded reads ----------------------------------------------------------------------------------

# Statements per home page: four to sign in (session, user, memberships, second factor), then
# the panels' own reads, one or two each (caseworker: cases by stage, tasks and the cases with
# overdue ones, referral counts and list, consents; supervisor: the board, staff and their
# workload, reassignments and the approvals queue, overdue cases and referrals, reflection
# periods; and so on).
# The caseworker's risk reviews panel reads one statement (salama.cases.safety_home).
# Supervision approvals add one read each: what came back to a caseworker, what waits for a
# supervisor.
# The supervisor's count includes the possible duplicates waiting (salama.matching, one query).
# The caseworker's tasks read their ids first, then those few rows (salama.cases.queries).
MAX_QUERIES = {"caseworker": 13, "supervisor": 14, "provider": 6, "org_admin": 7, "data": 5}


def _more_work(caseworker: User, service: Service) -> None:
    """Three more cases with overdue tasks and referrals: the home page must not read more."""
    today = timezone.localdate()
    org = caseworker.memberships.get().organisation
    for _ in range(3):
        case = make_case(caseworker)
        case_services.add_task(
            actor=principal(caseworker),
            case=case,
            title="More",
            due_on=today - dt.timedelta(days=1),
        )
        _consent(caseworker, case, org, 3)
        _refer(caseworker, case, service, late_days=4)


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "provider", "org_admin", "data"])
def test_a_home_page_reads_in_a_bounded_number_of_queries_however_much_work_there_is(
    role: str,
    world: Work,
    caseworker_a: User,
    supervisor_a: User,
    receiver_a: User,
    org_admin_a: User,
    data_officer_a: User,
    django_assert_max_num_queries: Any,
) -> None:
    user = {
        "caseworker": caseworker_a,
        "supervisor": supervisor_a,
        "provider": receiver_a,
        "org_admin": org_admin_a,
        "data": data_officer_a,
    }[role]
    client = verified_client(user)
    client.get("/")  # warm the per-process caches (translations, templates)
    with django_assert_max_num_queries(MAX_QUERIES[role]) as before:
        client.get("/")
    _more_work(caseworker_a, world.service)
    with django_assert_max_num_queries(MAX_QUERIES[role]) as after:
        client.get("/")
    assert len(after.captured_queries) == len(before.captured_queries)
