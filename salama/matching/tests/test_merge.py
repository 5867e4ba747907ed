"""Merging two records of one person, and undoing it: everything moves, sealed under the kept
person's key, and moves back exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from conftest import principal
from salama.cases import services as cases
from salama.cases.models import Attachment, Case, CaseNote
from salama.matching.merge_models import NotDuplicate, PersonMerge
from salama.matching.models import CandidatePair
from salama.matching.review_services import mark_not_duplicate, merge_pair, undo_merge
from salama.matching.tests.review_factories import make_pair
from salama.people import household, search
from salama.people import services as people
from salama.people.access import visible_people
from salama.people.household_models import Guardian, HouseholdLink
from salama.people.models import CONSENT_CHECKLIST, Consent, Contact, IdentityDocument, Person

pytestmark = pytest.mark.django_db


def _twice_registered(caseworker: Any) -> dict[str, Any]:
    """One woman registered twice: once in Latin script, once in Arabic, with a case each."""
    cw = principal(caseworker)
    latin = people.register_person(
        actor=cw,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
        documents=[people.DocumentInput(doc_type="passport", number="P7654321")],
    )
    arabic = people.register_person(
        actor=cw,
        given_name="أمينة",
        family_name="يوسف",
        other_names=[{"name": "Umm Khaled", "kind": "alias"}],
        date_of_birth=dt.date(1994, 5, 17),
        documents=[people.DocumentInput(doc_type="national_id", number="SY-4455667")],
        contacts=[people.ContactInput(kind="phone", value="+962 79 555 0101")],
    )
    people.record_consent(
        actor=cw,
        person=arabic,
        purpose="assistance",
        method="verbal",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
    )
    child = people.register_person(
        actor=cw, given_name="Khaled", family_name="Yusuf", estimated_age=7
    )
    household.link_household(
        actor=cw, person=arabic, other=child, relationship="parent", notes="Travelled together"
    )
    household.set_guardian(actor=cw, child=child, kind="parent", guardian_person=arabic)
    case = cases.open_case(
        actor=cw, person=arabic, case_type="trafficking", summary="Met at the border post"
    )
    cases.add_note(actor=cw, case=case, body="She asked for legal aid.")
    cases.add_attachment(
        actor=cw,
        case=case,
        upload=SimpleUploadedFile("letter.txt", b"A plain letter.", content_type="text/plain"),
    )
    return {"latin": latin, "arabic": arabic, "child": child, "case": case}


def _fresh(model: Any, pk: Any) -> Any:
    return model.objects.get(pk=pk)


def test_a_merge_moves_every_name_document_contact_consent_link_and_case_to_the_kept_person(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge = merge_pair(
        actor=principal(supervisor_a),
        pair=pair,
        keep=w["latin"],
        reason_code="same_document",
        note="Same passport photo",
    )
    kept = _fresh(Person, w["latin"].pk)
    names = {n["name"]: (n["script"], n["kind"]) for n in kept.other_names}
    assert names["أمينة يوسف"] == ("arabic", "spelling")
    assert names["Umm Khaled"][1] == "alias"
    assert {d.number for d in IdentityDocument.objects.filter(person=kept)} == {
        "P7654321",
        "SY-4455667",
    }
    assert [c.value for c in Contact.objects.filter(person=kept)] == ["+962 79 555 0101"]
    assert Consent.objects.filter(person=kept).count() == 1
    link = HouseholdLink.objects.get(other=w["child"])
    assert (link.person_id, link.notes) == (kept.pk, "Travelled together")
    assert Guardian.objects.get(child=w["child"]).guardian_person_id == kept.pk
    case = _fresh(Case, w["case"].pk)
    assert (case.person_id, case.summary) == (kept.pk, "Met at the border post")
    assert CaseNote.objects.get(case=case).body == "She asked for legal aid."
    assert Attachment.objects.get(case=case).file.read_plain() == b"A plain letter."
    assert merge.note == "Same passport photo"
    assert _fresh(CandidatePair, pair.pk).status == CandidatePair.Status.MERGED


def test_a_moved_value_is_sealed_again_under_the_kept_persons_key_not_copied(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    before = IdentityDocument.objects.get(person=w["arabic"]).__dict__["number"].token
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge_pair(
        actor=principal(supervisor_a), pair=pair, keep=w["latin"], reason_code="same_document"
    )
    doc = IdentityDocument.objects.get(number_index=people.document_index("SY-4455667"))
    assert doc.__dict__["number"].token != before
    assert doc.number == "SY-4455667"


def test_the_merged_person_disappears_from_lists_and_search(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    sup = principal(supervisor_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="registered_twice")
    assert not visible_people(sup).filter(pk=w["arabic"].pk).exists()
    hits = search.search_people(visible_people(sup), "أمينة")
    assert [h.person.pk for h in hits] == [w["latin"].pk]


def test_undo_moves_exactly_what_moved_back_and_both_persons_return(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    sup = principal(supervisor_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge = merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="registered_twice")
    undo_merge(actor=sup, merge=merge)
    kept, merged = _fresh(Person, w["latin"].pk), _fresh(Person, w["arabic"].pk)
    assert kept.other_names == []
    assert merged.merged_at is None and merged.other_names[0]["name"] == "Umm Khaled"
    assert [d.number for d in IdentityDocument.objects.filter(person=kept)] == ["P7654321"]
    assert [d.number for d in IdentityDocument.objects.filter(person=merged)] == ["SY-4455667"]
    assert Contact.objects.get(person=merged).value == "+962 79 555 0101"
    assert HouseholdLink.objects.get(other=w["child"]).person_id == merged.pk
    assert Guardian.objects.get(child=w["child"]).guardian_person_id == merged.pk
    case = _fresh(Case, w["case"].pk)
    assert (case.person_id, case.summary) == (merged.pk, "Met at the border post")
    assert CaseNote.objects.get(case=case).body == "She asked for legal aid."
    assert Attachment.objects.get(case=case).file.read_plain() == b"A plain letter."
    assert set(
        visible_people(sup).filter(pk__in=[kept.pk, merged.pk]).values_list("pk", flat=True)
    ) == {kept.pk, merged.pk}
    assert merged.pk in [h.person.pk for h in search.search_people(visible_people(sup), "أمينة")]
    assert _fresh(PersonMerge, merge.pk).undone_at is not None
    assert _fresh(CandidatePair, pair.pk).status == CandidatePair.Status.UNDONE


def test_undo_is_refused_naming_the_case_closed_since_the_merge(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    sup = principal(supervisor_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge = merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="registered_twice")
    case = _fresh(Case, w["case"].pk)
    cases.close_case(actor=sup, case=case, reason="lost_contact", expected_version=None)
    with pytest.raises(ValidationError) as refused:
        undo_merge(actor=sup, merge=merge)
    assert case.reference in str(refused.value) and "closed" in str(refused.value)
    assert _fresh(Person, w["arabic"].pk).merged_at is not None


def test_a_supervisor_of_another_organisation_cannot_merge_and_nothing_moves(
    caseworker_a: Any, supervisor_a: Any, supervisor_b: Any
) -> None:
    w = _twice_registered(caseworker_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    with pytest.raises(Http404):
        merge_pair(
            actor=principal(supervisor_b), pair=pair, keep=w["latin"], reason_code="same_document"
        )
    assert IdentityDocument.objects.filter(person=w["latin"]).count() == 1
    assert _fresh(Person, w["arabic"].pk).merged_at is None


def test_a_caseworker_cannot_merge_even_persons_they_registered(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    with pytest.raises(Http404):
        merge_pair(
            actor=principal(caseworker_a), pair=pair, keep=w["latin"], reason_code="same_document"
        )


def test_a_merge_needs_a_reason_from_the_list_and_a_kept_person_of_the_pair(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    sup = principal(supervisor_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    with pytest.raises(ValidationError, match="reason"):
        merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="because")
    with pytest.raises(ValidationError, match="one of the two"):
        merge_pair(actor=sup, pair=pair, keep=w["child"], reason_code="same_document")
    with pytest.raises(ValidationError, match="note"):
        merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="other")


def test_not_the_same_person_closes_the_pair_and_is_stored_by_person_pair(
    caseworker_a: Any, supervisor_a: Any
) -> None:
    w = _twice_registered(caseworker_a)
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    decision = mark_not_duplicate(actor=principal(supervisor_a), pair=pair, reason_code="namesakes")
    low, high = sorted([w["latin"].pk, w["arabic"].pk], key=str)
    assert (decision.person_low_id, decision.person_high_id) == (low, high)
    assert NotDuplicate.objects.count() == 1
    assert _fresh(CandidatePair, pair.pk).status == CandidatePair.Status.NOT_DUPLICATE
    with pytest.raises(ValidationError, match="already decided"):
        merge_pair(
            actor=principal(supervisor_a), pair=pair, keep=w["latin"], reason_code="other", note="x"
        )


def test_a_referral_of_a_moved_case_follows_it_to_the_kept_person_and_back(
    caseworker_a: Any, supervisor_a: Any, ngo_b: Any
) -> None:
    from salama.referrals import services as referrals
    from salama.referrals.models import Referral, Service

    w = _twice_registered(caseworker_a)
    cw, sup = principal(caseworker_a), principal(supervisor_a)
    service = Service.objects.create(
        provider=referrals.ensure_provider(ngo_b),
        name="B shelter",
        service_type="accommodation",
        country="KE",
    )
    people.record_consent(
        actor=cw,
        person=w["arabic"],
        purpose="referral",
        method="written",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=ngo_b,
    )
    referral = referrals.send_referral(
        actor=cw, case=w["case"], service=service, packet_fields=["age_band"], purpose_note="Bed"
    )
    pair = make_pair(w["latin"], w["arabic"], requested_by=supervisor_a)
    merge = merge_pair(actor=sup, pair=pair, keep=w["latin"], reason_code="registered_twice")
    moved = Referral.objects.get(pk=referral.pk)
    assert (moved.person_id, moved.purpose_note) == (w["latin"].pk, "Bed")
    undo_merge(actor=sup, merge=merge)
    back = Referral.objects.get(pk=referral.pk)
    assert (back.person_id, back.purpose_note) == (w["arabic"].pk, "Bed")
