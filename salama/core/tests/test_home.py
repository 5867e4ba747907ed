"""The home page's registry (salama.core.home): who sees which panel, and dates in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import principal
from salama.core import home
from salama.core.roles import Perm, Role

TODAY = dt.date(2026, 5, 14)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, home.Panel]]:
    """An empty registry for the test (the apps' own panels are put back afterwards)."""
    panels: dict[str, home.Panel] = {}
    monkeypatch.setattr(home, "_PANELS", panels)
    yield panels


def _register(key: str, reads: list[str], **kwargs: Any) -> None:
    def reader(p: Any) -> dict[str, Any]:
        reads.append(key)
        return {"who": p.user.email}

    kwargs.setdefault("perm", Perm.CASE_VIEW)
    home.register_panel(key, reader=reader, template=f"{key}.html", **kwargs)


def test_a_panel_is_shown_only_to_those_holding_its_permission_and_its_reader_runs_only_then(
    registry: Any, caseworker_a: Any, data_officer_a: Any
) -> None:
    reads: list[str] = []
    _register("cases.mine", reads, perm=Perm.CASE_VIEW)

    assert [p.key for p in home.panels_for(principal(caseworker_a))] == ["cases.mine"]
    assert home.panels_for(principal(data_officer_a)) == []
    assert reads == ["cases.mine"]  # never read for the data officer


def test_an_unverified_session_and_an_anonymous_visitor_see_no_panel(
    registry: Any, caseworker_a: Any
) -> None:
    reads: list[str] = []
    _register("cases.mine", reads)

    assert home.panels_for(principal(caseworker_a, verified=False)) == []
    assert home.panels_for(None) == []
    assert reads == []


def test_a_panel_for_some_roles_is_not_shown_to_another_role_with_the_same_permission(
    registry: Any, caseworker_a: Any, supervisor_a: Any
) -> None:
    reads: list[str] = []
    _register("cases.mine", reads, roles=(Role.CASEWORKER,))

    assert [p.key for p in home.panels_for(principal(caseworker_a))] == ["cases.mine"]
    assert home.panels_for(principal(supervisor_a)) == []


def test_panels_come_in_order_and_a_reader_returning_none_leaves_its_panel_out(
    registry: Any, caseworker_a: Any
) -> None:
    reads: list[str] = []
    _register("b.later", reads, order=20)
    _register("a.first", reads, order=10)
    home.register_panel(
        "c.nothing", perm=Perm.CASE_VIEW, reader=lambda p: None, template="c.html", order=5
    )

    shown = home.panels_for(principal(caseworker_a))

    assert [p.key for p in shown] == ["a.first", "b.later"]
    assert shown[0].template == "a.first.html"
    assert shown[0].data == {"who": "caseworker@a.example"}


def test_every_app_registers_its_panels_without_core_knowing_the_apps() -> None:
    keys = {p.key for p in home.registered_panels()}
    assert {
        "core.audit",
        "accounts.members",
        "cases.mine",
        "cases.tasks",
        "cases.board",
        "referrals.inbox",
        "assistance.approvals",
    } <= keys
    source = (home.__file__ or "").replace(".pyc", ".py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    for app in ("accounts", "people", "cases", "screening", "assistance", "referrals"):
        assert f"salama.{app}" not in text


@pytest.mark.parametrize(
    ("day", "text", "level"),
    [
        (TODAY - dt.timedelta(days=3), "3 days overdue", "danger"),
        (TODAY - dt.timedelta(days=1), "1 day overdue", "danger"),
        (TODAY, "due today", "warn"),
        (TODAY + dt.timedelta(days=1), "due tomorrow", "warn"),
        (TODAY + dt.timedelta(days=2), "due in 2 days", "warn"),
        (TODAY + dt.timedelta(days=9), "due in 9 days", ""),
    ],
)
def test_a_deadline_is_said_in_words_with_its_urgency(day: dt.date, text: str, level: str) -> None:
    when = home.due(day, TODAY)
    assert (str(when), when.level) == (text, level)


def test_expiries_and_period_ends_are_said_in_words() -> None:
    assert str(home.expires(TODAY + dt.timedelta(days=12), TODAY)) == "expires in 12 days"
    assert str(home.expires(TODAY, TODAY)) == "expires today"
    assert str(home.expires(TODAY - dt.timedelta(days=2), TODAY)) == "expired 2 days ago"
    assert str(home.ends(TODAY + dt.timedelta(days=1), TODAY)) == "ends in 1 day"
    assert str(home.ends(TODAY, TODAY)) == "ends today"


def test_a_deadline_passed_earlier_today_is_overdue_not_due_today(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    now = dt.datetime(2026, 5, 14, 15, 0, tzinfo=dt.UTC)
    passed = home.deadline(now - dt.timedelta(hours=2), now)
    coming = home.deadline(now + dt.timedelta(hours=2), now)
    late = home.deadline(now - dt.timedelta(days=3), now)
    assert (str(passed), passed.level) == ("overdue since today", "danger")
    assert str(coming) == "due today"
    assert str(late) == "3 days overdue"
