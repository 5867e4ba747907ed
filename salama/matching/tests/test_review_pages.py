"""The review pages: the queue, a pair side by side with reasons in words, merge and undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conftest import principal, verified_client
from salama.matching.merge_models import PersonMerge
from salama.matching.tests.review_factories import make_pair
from salama.people import services as people

pytestmark = pytest.mark.django_db


def _pair(caseworker: Any, supervisor: Any, probability: float = 0.97) -> Any:
    cw = principal(caseworker)
    latin = people.register_person(
        actor=cw,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
        documents=[people.DocumentInput(doc_type="passport", number="P7654321")],
    )
    arabic = people.register_person(
        actor=cw, given_name="أمينة", family_name="يوسف", date_of_birth=dt.date(1994, 5, 17)
    )
    return make_pair(latin, arabic, requested_by=supervisor, probability=probability)


def test_the_queue_lists_open_pairs_most_likely_first(caseworker_a: Any, supervisor_a: Any) -> None:
    low = _pair(caseworker_a, supervisor_a, probability=0.91)
    high = _pair(caseworker_a, supervisor_a, probability=0.995)
    page = verified_client(supervisor_a).get(reverse("matching:review-queue"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index(str(high.pk)) < body.index(str(low.pk))
    assert "Very likely the same person" in body


def test_a_caseworker_has_no_queue(caseworker_a: Any, supervisor_a: Any) -> None:
    pair = _pair(caseworker_a, supervisor_a)
    client = verified_client(caseworker_a)
    assert client.get(reverse("matching:review-queue")).status_code == 403
    assert client.get(reverse("matching:review-pair", args=[pair.pk])).status_code == 403


def test_another_organisations_supervisor_gets_a_404_for_the_pair(
    caseworker_a: Any, supervisor_a: Any, supervisor_b: Any
) -> None:
    pair = _pair(caseworker_a, supervisor_a)
    client = verified_client(supervisor_b)
    assert client.get(reverse("matching:review-pair", args=[pair.pk])).status_code == 404
    assert str(pair.pk) not in client.get(reverse("matching:review-queue")).content.decode()


def test_the_pair_page_shows_both_records_masked_documents_and_reasons_in_words(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    pair = _pair(caseworker_a, supervisor_a)
    body = verified_client(supervisor_a).get(reverse("matching:review-pair", args=[pair.pk]))
    text = body.content.decode()
    assert 'dir="auto">أمينة يوسف' in text and 'dir="auto">Amina Yusuf' in text
    assert "•••321" in text and "P7654321" not in text
    assert "the same name written in another script" in text
    assert "cross_script" not in text


def test_merging_from_the_page_then_undoing_it(caseworker_a: Any, supervisor_a: Any) -> None:
    pair = _pair(caseworker_a, supervisor_a)
    client = verified_client(supervisor_a)
    response = client.post(
        reverse("matching:review-pair-merge", args=[pair.pk]),
        {"keep": str(pair.person_a_id), "reason_code": "registered_twice", "note": ""},
    )
    merge = PersonMerge.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "matching:review-merge", args=[merge.pk]
    )
    merged_page = client.get(reverse("people:person-detail", args=[merge.merged_id]))
    assert "was merged into" in merged_page.content.decode()
    kept_page = client.get(reverse("people:person-detail", args=[merge.kept_id])).content.decode()
    merged_name = "أمينة يوسف" if merge.kept.given_name == "Amina" else "Amina Yusuf"
    assert merged_name in kept_page
    client.post(reverse("matching:review-merge-undo", args=[merge.pk]))
    merge.refresh_from_db()
    assert merge.is_undone
    assert client.get(reverse("people:person-detail", args=[merge.merged_id])).status_code == 200


def test_a_merge_without_a_reason_says_what_to_fix(caseworker_a: Any, supervisor_a: Any) -> None:
    pair = _pair(caseworker_a, supervisor_a)
    response = verified_client(supervisor_a).post(
        reverse("matching:review-pair-merge", args=[pair.pk]),
        {"keep": str(pair.person_a_id), "reason_code": "other", "note": ""},
    )
    assert response.status_code == 400
    assert "Say in the note why" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_the_supervisor_home_counts_pairs_waiting(caseworker_a: Any, supervisor_a: Any) -> None:
    _pair(caseworker_a, supervisor_a)
    text = verified_client(supervisor_a).get("/").content.decode()
    assert "Pairs waiting for review" in text
    assert reverse("matching:review-queue") in text
