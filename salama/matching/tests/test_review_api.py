"""The review over the API: the queue, a pair, merge, undo, not-duplicate and disclosure."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import principal, verified_client
from salama.matching.merge_models import PersonMerge
from salama.matching.tests.review_factories import review_world

pytestmark = pytest.mark.django_db

BASE = "/api/v1/matching/review"


def _world(caseworker_a: Any, supervisor_a: Any, caseworker_b: Any) -> dict[str, Any]:
    return review_world(principal(caseworker_a), principal(supervisor_a), principal(caseworker_b))


def test_the_api_merges_a_pair_then_undoes_the_merge(
    caseworker_a: Any, supervisor_a: Any, caseworker_b: Any
) -> None:
    w = _world(caseworker_a, supervisor_a, caseworker_b)
    pair = w["review_pair"]
    client = verified_client(supervisor_a)
    queue = client.get(BASE).json()
    assert str(pair.pk) in [row["id"] for row in queue["pairs"]]
    detail = client.get(f"{BASE}/pairs/{pair.pk}").json()
    assert {s["name"] for s in detail["sides"]} == {"Samira Haddad", "Samira حداد"}
    merged = client.post(
        f"{BASE}/pairs/{pair.pk}/merge",
        {"keep": str(pair.person_a_id), "reason_code": "registered_twice"},
        content_type="application/json",
    )
    assert merged.status_code == 201, merged.content
    assert merged.json()["kept_id"] == str(pair.person_a_id)
    undone = client.post(f"{BASE}/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    again = client.post(f"{BASE}/merges/{merged.json()['id']}/undo")
    assert again.status_code == 422
    assert "already undone" in again.json()["detail"]


def test_the_api_refuses_an_unknown_reason_and_a_person_outside_the_pair(
    caseworker_a: Any, supervisor_a: Any, caseworker_b: Any
) -> None:
    w = _world(caseworker_a, supervisor_a, caseworker_b)
    pair = w["review_pair"]
    client = verified_client(supervisor_a)
    bad_reason = client.post(
        f"{BASE}/pairs/{pair.pk}/merge",
        {"keep": str(pair.person_a_id), "reason_code": "hunch"},
        content_type="application/json",
    )
    assert bad_reason.status_code == 422
    outsider = client.post(
        f"{BASE}/pairs/{pair.pk}/merge",
        {"keep": str(w["review_cross_pair"].person_a_id), "reason_code": "registered_twice"},
        content_type="application/json",
    )
    assert outsider.status_code == 422
    assert outsider.json()["errors"][0]["field"] == "keep"
    assert PersonMerge.objects.filter(pair=pair).count() == 0


def test_another_organisation_gets_404_on_the_pair_and_the_merge(
    caseworker_a: Any, supervisor_a: Any, caseworker_b: Any, supervisor_b: Any
) -> None:
    w = _world(caseworker_a, supervisor_a, caseworker_b)
    client = verified_client(supervisor_b)
    assert client.get(f"{BASE}/pairs/{w['review_pair'].pk}").status_code == 404
    assert client.get(f"{BASE}/merges/{w['review_merge'].pk}").status_code == 404
    assert client.post(f"{BASE}/merges/{w['review_merge'].pk}/undo").status_code == 404
    assert (
        client.post(
            f"{BASE}/pairs/{w['review_pair'].pk}/not-duplicate",
            {"reason_code": "namesakes"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_disclosure_over_the_api_shows_both_records_only_when_both_agreed(
    caseworker_a: Any, supervisor_a: Any, caseworker_b: Any, supervisor_b: Any
) -> None:
    w = _world(caseworker_a, supervisor_a, caseworker_b)
    cross = w["review_cross_pair"]
    a, b = verified_client(supervisor_a), verified_client(supervisor_b)
    first = a.post(f"{BASE}/pairs/{cross.pk}/disclose").json()
    assert first["we_agreed"] and not first["disclosed"]
    hidden = [s for s in first["sides"] if not s["disclosed"]]
    assert len(hidden) == 1 and hidden[0]["name"] is None and hidden[0]["person_id"] is None
    assert first["probability"] is None and first["reasons"] == []
    second = b.post(f"{BASE}/pairs/{cross.pk}/disclose").json()
    assert second["disclosed"] and {s["name"] for s in second["sides"]} == {
        "Nadia Saleh",
        "Nadia Salih",
    }
