"""Across organisations nothing about the other side's person leaks until both agree to disclose;
then both see both records, and a merge links the identities without moving a case across."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from conftest import principal, verified_client
from salama.cases import services as cases
from salama.cases.models import Case
from salama.matching.review_queries import pending_count
from salama.matching.review_services import agree_to_disclose, mark_not_duplicate, merge_pair
from salama.matching.tests.review_factories import make_pair
from salama.people import search
from salama.people import services as people
from salama.people.access import visible_people

pytestmark = pytest.mark.django_db

SECRET_NAMES = ("Amina", "Yusuf", "1994", "P7654321", "•••321")


def _cross(cw_a: Any, cw_b: Any, sup_a: Any) -> dict[str, Any]:
    a = people.register_person(
        actor=principal(cw_a),
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
        documents=[people.DocumentInput(doc_type="passport", number="P7654321")],
    )
    b = people.register_person(
        actor=principal(cw_b),
        given_name="أمينة",
        family_name="يوسف",
        date_of_birth=dt.date(1995, 5, 17),  # a different year: only A's is secret from B
    )
    case_a = cases.open_case(actor=principal(cw_a), person=a, case_type="trafficking")
    case_b = cases.open_case(actor=principal(cw_b), person=b, case_type="trafficking")
    pair = make_pair(a, b, requested_by=sup_a)
    assert pair.cross_organisation
    return {"a": a, "b": b, "case_a": case_a, "case_b": case_b, "pair": pair}


def test_before_agreement_the_other_side_sees_only_an_organisation_and_a_band(
    caseworker_a: Any, caseworker_b: Any, supervisor_a: Any, supervisor_b: Any, ngo_a: Any
) -> None:
    w = _cross(caseworker_a, caseworker_b, supervisor_a)
    client = verified_client(supervisor_b)
    for url in (
        reverse("matching:review-queue"),
        reverse("matching:review-pair", args=[w["pair"].pk]),
        reverse("api:review_pair", args=[w["pair"].pk]),
        reverse("api:review_queue"),
    ):
        text = client.get(url).content.decode()
        assert ngo_a.name in text, url
        for secret in SECRET_NAMES:
            assert secret not in text, (url, secret)
        assert str(w["a"].pk) not in text, url
    assert (
        "Likely the same person"
        in client.get(reverse("matching:review-pair", args=[w["pair"].pk])).content.decode()
    )


def test_before_agreement_search_from_the_other_side_finds_nothing(
    caseworker_a: Any, caseworker_b: Any, supervisor_a: Any, supervisor_b: Any
) -> None:
    w = _cross(caseworker_a, caseworker_b, supervisor_a)
    sup_b = principal(supervisor_b)
    hits = search.search_people(visible_people(sup_b), "Amina Yusuf")
    assert all(h.person.pk != w["a"].pk for h in hits)
    assert pending_count(sup_b) == 1 and pending_count(principal(supervisor_a)) == 1


def test_neither_side_may_merge_or_decide_before_both_agree(
    caseworker_a: Any, caseworker_b: Any, supervisor_a: Any, supervisor_b: Any
) -> None:
    w = _cross(caseworker_a, caseworker_b, supervisor_a)
    agree_to_disclose(actor=principal(supervisor_a), pair=w["pair"])
    for sup in (supervisor_a, supervisor_b):
        with pytest.raises(Http404):
            merge_pair(
                actor=principal(sup), pair=w["pair"], keep=w["a"], reason_code="same_document"
            )
        with pytest.raises(Http404):
            mark_not_duplicate(actor=principal(sup), pair=w["pair"], reason_code="namesakes")
    text = (
        verified_client(supervisor_b)
        .get(reverse("matching:review-pair", args=[w["pair"].pk]))
        .content.decode()
    )
    assert "Amina" not in text


def test_a_caseworker_cannot_agree_for_their_organisation(
    caseworker_a: Any, caseworker_b: Any, supervisor_a: Any
) -> None:
    w = _cross(caseworker_a, caseworker_b, supervisor_a)
    with pytest.raises(Http404):
        agree_to_disclose(actor=principal(caseworker_b), pair=w["pair"])


def test_once_both_agree_both_see_both_records_and_a_merge_keeps_each_case_with_its_organisation(
    caseworker_a: Any,
    caseworker_b: Any,
    supervisor_a: Any,
    supervisor_b: Any,
    ngo_a: Any,
    ngo_b: Any,
) -> None:
    w = _cross(caseworker_a, caseworker_b, supervisor_a)
    agree_to_disclose(actor=principal(supervisor_a), pair=w["pair"])
    agree_to_disclose(actor=principal(supervisor_b), pair=w["pair"])
    text = (
        verified_client(supervisor_b)
        .get(reverse("matching:review-pair", args=[w["pair"].pk]))
        .content.decode()
    )
    assert "Amina Yusuf" in text and "أمينة يوسف" in text
    merge_pair(
        actor=principal(supervisor_b), pair=w["pair"], keep=w["a"], reason_code="same_document"
    )
    case_b = Case.objects.get(pk=w["case_b"].pk)
    assert (case_b.organisation_id, case_b.person_id) == (ngo_b.pk, w["a"].pk)
    assert Case.objects.get(pk=w["case_a"].pk).organisation_id == ngo_a.pk
    assert visible_people(principal(supervisor_b)).filter(pk=w["a"].pk).exists()
    assert not visible_people(principal(supervisor_b)).filter(pk=w["b"].pk).exists()
