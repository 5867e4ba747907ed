"""Every write of the duplicate review: merge, undo a merge, not the same person, agree to disclose.

Each runs in one transaction, checks the actor against the records first (salama.matching.access:
a pair or merge the actor may not see is a 404), then validates, then writes its audit entry.
Encrypted values move by being re-sealed under the new person's key (salama.matching.reseal).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import audit, events
from salama.core.policy import Principal
from salama.matching import merge as plan
from salama.matching import reseal
from salama.matching.access import (
    OPEN_STATUSES,
    ensure_can_decide,
    ensure_can_undo,
    ensure_own_side,
    sides,
)
from salama.matching.merge_models import (
    DisclosureAgreement,
    MergeReason,
    NotDuplicate,
    NotDuplicateReason,
    PersonMerge,
)
from salama.matching.models import CandidatePair
from salama.people import name_index
from salama.people.household_models import Guardian, HouseholdLink
from salama.people.models import Consent, Contact, IdentityDocument, Person
from salama.people.names import detect_script

MAX_NOTE_LENGTH = 1000


def _locked_pair(pair: CandidatePair) -> CandidatePair:
    return (
        CandidatePair.objects.select_for_update()
        .select_related("person_a", "person_b")
        .get(pk=pair.pk)
    )


def _check_open(pair: CandidatePair) -> None:
    if pair.status not in OPEN_STATUSES:
        raise ValidationError(
            _("This pair was already decided (%(status)s); reload the queue.")
            % {"status": pair.get_status_display()}
        )
    if pair.person_a.merged_at or pair.person_b.merged_at:
        raise ValidationError(_("One of these persons was merged into someone else since."))
    if pair.person_a.erased_at or pair.person_b.erased_at:
        raise ValidationError(_("One of these persons was erased; there is nothing to merge."))


def _person_fk_fields(model: type[Any]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "related_model", None) is Person and f.many_to_one
    ]


def _move_person_fks(
    rows: reseal.Rows, source: Any, target: Any
) -> dict[str, dict[str, list[str]]]:
    """Point every link to `source` among the case rows at `target`; return what moved (ids)."""
    moved: dict[str, dict[str, list[str]]] = {}
    for model, pks in rows.items():
        for attname in _person_fk_fields(model):
            ids = list(
                model._base_manager.filter(pk__in=pks, **{attname: source}).values_list(
                    "pk", flat=True
                )
            )
            if ids:
                model._base_manager.filter(pk__in=ids).update(**{attname: target})
                moved.setdefault(model._meta.label_lower, {})[attname] = [str(i) for i in ids]
    return moved


@transaction.atomic
def merge_pair(
    *,
    actor: Principal,
    pair: CandidatePair,
    keep: Person,
    reason_code: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> PersonMerge:
    """Merge the other person of `pair` into `keep`: names, documents, contacts, consents,
    household links, guardians and cases all move; the merged person is hidden until undone."""
    ensure_can_decide(actor, pair)
    pair = _locked_pair(pair)
    if keep.pk not in (pair.person_a_id, pair.person_b_id):
        raise ValidationError({"keep": _("Choose one of the two persons of this pair to keep.")})
    if reason_code not in MergeReason.values:
        raise ValidationError({"reason_code": _("Choose a reason for the merge from the list.")})
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"note": _("A note has at most %(n)s characters.") % {"n": MAX_NOTE_LENGTH}}
        )
    if reason_code == MergeReason.OTHER and not note:
        raise ValidationError({"note": _("Say in the note why these are the same person.")})
    _check_open(pair)
    merged_id = pair.person_b_id if keep.pk == pair.person_a_id else pair.person_a_id
    people = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .select_related("data_key")
        .filter(pk__in=[keep.pk, merged_id])
    }
    kept, merged = people[keep.pk], people[merged_id]

    added = plan.names_to_add(kept.all_names(), merged.full_name, merged.other_names, detect_script)
    kept.other_names = list(kept.other_names or []) + added
    kept.version += 1
    kept.updated_at = timezone.now()
    kept.save(update_fields=["other_names", "version", "updated_at"])

    documents = list(IdentityDocument.objects.filter(person=merged).values_list("pk", flat=True))
    contacts = list(Contact.objects.filter(person=merged).values_list("pk", flat=True))
    consents = list(Consent.objects.filter(person=merged).values_list("pk", flat=True))
    links = plan.plan_links(
        (
            plan.Link(ln.pk, ln.person_id, ln.other_id)
            for ln in HouseholdLink.objects.filter(person__in=[kept.pk, merged.pk])
            | HouseholdLink.objects.filter(other__in=[kept.pk, merged.pk])
        ),
        kept=kept.pk,
        merged=merged.pk,
    )
    guardians_child = list(
        Guardian.objects.filter(child=merged)
        .exclude(guardian_person=kept)
        .values_list("pk", flat=True)
    )
    guardians_person = list(
        Guardian.objects.filter(guardian_person=merged)
        .exclude(child=kept)
        .values_list("pk", flat=True)
    )
    from django.apps import apps

    case_model = apps.get_model("cases", "Case")
    cases = list(
        case_model.objects.filter(person=merged).values("pk", "organisation_id", "closed_at")
    )
    rows = reseal.case_rows([c["pk"] for c in cases]) if cases else {}
    for model, ids in (
        (IdentityDocument, documents),
        (Contact, contacts),
        (Consent, consents),
        (HouseholdLink, links.as_person),
        (Guardian, guardians_child),
    ):
        if ids:
            rows.setdefault(model, set()).update(ids)
    person_fks: dict[str, dict[str, list[str]]] = {}

    def change() -> None:
        nonlocal person_fks
        IdentityDocument.objects.filter(pk__in=documents).update(person=kept)
        Contact.objects.filter(pk__in=contacts).update(person=kept)
        Consent.objects.filter(pk__in=consents).update(person=kept)
        HouseholdLink.objects.filter(pk__in=links.as_person).update(person=kept)
        HouseholdLink.objects.filter(pk__in=links.as_other).update(other=kept)
        Guardian.objects.filter(pk__in=guardians_child).update(child=kept)
        Guardian.objects.filter(pk__in=guardians_person).update(guardian_person=kept)
        case_rows = {m: ids for m, ids in rows.items() if m not in _PERSON_MODELS}
        person_fks = _move_person_fks(case_rows, merged.pk, kept.pk)

    reseal.reseal(rows, change)
    merged.merged_at = timezone.now()
    merged.save(update_fields=["merged_at"])
    name_index.unindex_person(merged)
    name_index.index_person(kept)
    merge = PersonMerge(
        kept=kept,
        merged=merged,
        pair=pair,
        organisation=actor.organisation,
        cross_organisation=pair.cross_organisation,
        merged_by=actor.user,
        reason_code=reason_code,
        note=note,
        added_names=added,
        moved={
            "documents": [str(i) for i in documents],
            "contacts": [str(i) for i in contacts],
            "consents": [str(i) for i in consents],
            "links_person": links.as_person,
            "links_other": links.as_other,
            "links_stay": links.stay,
            "guardians_child": [str(i) for i in guardians_child],
            "guardians_person": [str(i) for i in guardians_person],
            "cases": [
                {
                    "id": str(c["pk"]),
                    "organisation": str(c["organisation_id"]),
                    "open": c["closed_at"] is None,
                }
                for c in cases
            ],
            "person_links": person_fks,
        },
    )
    merge.save()
    pair.status = CandidatePair.Status.MERGED
    pair.reviewed_by = actor.user
    pair.reviewed_at = timezone.now()
    pair.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(
        "person.merge",
        actor=actor.user,
        obj=merge,
        organisation=actor.organisation,
        fields=("note", "other_names") if note else ("other_names",),
        changes={
            "merge_reason": (None, reason_code),
            "merged_person": (None, str(merged.pk)),
            "cases": (None, len(cases)),
        },
        request=request,
        scope=kept,
    )
    events.emit(
        "person.merged",
        organisation_id=actor.organisation.pk,
        record_id=str(merge.pk),
        data={"kept": str(kept.pk), "merged": str(merged.pk), "cases": len(cases)},
    )
    return merge


_PERSON_MODELS = (IdentityDocument, Contact, Consent, HouseholdLink, Guardian)

UNDO_BLOCKED = {
    "moved": _("case %(ref)s no longer belongs to the kept person"),
    "transferred": _("case %(ref)s was transferred to another organisation since the merge"),
    "closed": _("case %(ref)s was closed since the merge"),
    "reopened": _("case %(ref)s was reopened since the merge"),
}


@transaction.atomic
def undo_merge(
    *, actor: Principal, merge: PersonMerge, request: HttpRequest | None = None
) -> PersonMerge:
    """Move back exactly what the merge moved, unless something moved since makes that unsafe."""
    ensure_can_undo(actor, merge)
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise ValidationError(_("This merge was already undone."))
    people = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .select_related("data_key")
        .filter(pk__in=[merge.kept_id, merge.merged_id])
    }
    kept, merged = people[merge.kept_id], people[merge.merged_id]
    if kept.erased_at or merged.erased_at:
        raise ValidationError(_("One of the two persons was erased since; the merge stays."))
    moved: dict[str, Any] = merge.moved
    from django.apps import apps

    case_model = apps.get_model("cases", "Case")
    then = {c["id"]: c for c in moved.get("cases", [])}
    states = [
        plan.CaseState(
            id=str(c.pk),
            reference=c.reference,
            organisation_then=then[str(c.pk)]["organisation"],
            organisation_now=str(c.organisation_id),
            open_then=then[str(c.pk)]["open"],
            open_now=c.closed_at is None,
            person_now=str(c.person_id),
        )
        for c in case_model.objects.filter(pk__in=list(then))
    ]
    blockers = plan.undo_blockers(states, kept=str(kept.pk))
    if blockers:
        raise ValidationError(
            _("This merge cannot be undone safely: %(why)s. Undo or reverse that first.")
            % {"why": "; ".join(str(UNDO_BLOCKED[code]) % {"ref": ref} for code, ref in blockers)}
        )

    def still(model: type[Any], key: str, attname: str) -> list[Any]:
        return list(
            model._base_manager.filter(pk__in=moved.get(key, []), **{attname: kept.pk}).values_list(
                "pk", flat=True
            )
        )

    documents = still(IdentityDocument, "documents", "person_id")
    contacts = still(Contact, "contacts", "person_id")
    consents = still(Consent, "consents", "person_id")
    links_person = still(HouseholdLink, "links_person", "person_id")
    links_other = still(HouseholdLink, "links_other", "other_id")
    guardians_child = still(Guardian, "guardians_child", "child_id")
    guardians_person = still(Guardian, "guardians_person", "guardian_person_id")
    case_ids = [s.id for s in states]
    rows = reseal.case_rows(case_ids) if case_ids else {}
    for model, ids in (
        (IdentityDocument, documents),
        (Contact, contacts),
        (Consent, consents),
        (HouseholdLink, links_person),
        (Guardian, guardians_child),
    ):
        if ids:
            rows.setdefault(model, set()).update(ids)

    def change() -> None:
        IdentityDocument.objects.filter(pk__in=documents).update(person=merged)
        Contact.objects.filter(pk__in=contacts).update(person=merged)
        Consent.objects.filter(pk__in=consents).update(person=merged)
        HouseholdLink.objects.filter(pk__in=links_person).update(person=merged)
        HouseholdLink.objects.filter(pk__in=links_other).update(other=merged)
        Guardian.objects.filter(pk__in=guardians_child).update(child=merged)
        Guardian.objects.filter(pk__in=guardians_person).update(guardian_person=merged)
        case_rows = {m: ids for m, ids in rows.items() if m not in _PERSON_MODELS}
        _move_person_fks(case_rows, kept.pk, merged.pk)

    reseal.reseal(rows, change)
    kept.other_names = plan.without_added(kept.other_names or [], merge.added_names or [])
    kept.version += 1
    kept.updated_at = timezone.now()
    kept.save(update_fields=["other_names", "version", "updated_at"])
    merged.merged_at = None
    merged.save(update_fields=["merged_at"])
    name_index.index_people([kept, merged])
    merge.undone_at = timezone.now()
    merge.undone_by = actor.user
    merge.save(update_fields=["undone_at", "undone_by"])
    if merge.pair_id:
        CandidatePair.objects.filter(pk=merge.pair_id).update(
            status=CandidatePair.Status.UNDONE, reviewed_by=actor.user, reviewed_at=timezone.now()
        )
    audit.record(
        "person.merge_undo",
        actor=actor.user,
        obj=merge,
        organisation=actor.organisation,
        fields=("other_names",),
        changes={"merged_person": (None, str(merged.pk)), "cases": (None, len(case_ids))},
        request=request,
        scope=kept,
    )
    events.emit(
        "person.merge_undone",
        organisation_id=actor.organisation.pk,
        record_id=str(merge.pk),
        data={"kept": str(kept.pk), "merged": str(merged.pk)},
    )
    return merge


def _ordered(a: Any, b: Any) -> tuple[Any, Any]:
    return (a, b) if str(a) < str(b) else (b, a)


@transaction.atomic
def mark_not_duplicate(
    *,
    actor: Principal,
    pair: CandidatePair,
    reason_code: str,
    request: HttpRequest | None = None,
) -> NotDuplicate:
    """Close the pair as two different persons; later runs do not propose the two again."""
    ensure_can_decide(actor, pair)
    pair = _locked_pair(pair)
    if reason_code not in NotDuplicateReason.values:
        raise ValidationError({"reason_code": _("Choose a reason from the list.")})
    _check_open(pair)
    low, high = _ordered(pair.person_a_id, pair.person_b_id)
    decision, _created = NotDuplicate.objects.get_or_create(
        person_low_id=low,
        person_high_id=high,
        defaults={
            "organisation": actor.organisation,
            "reason_code": reason_code,
            "decided_by": actor.user,
        },
    )
    now = timezone.now()
    CandidatePair.objects.filter(
        person_a_id=pair.person_a_id, person_b_id=pair.person_b_id, status__in=OPEN_STATUSES
    ).update(status=CandidatePair.Status.NOT_DUPLICATE, reviewed_by=actor.user, reviewed_at=now)
    audit.record(
        "matching.not_duplicate",
        actor=actor.user,
        obj=pair,
        organisation=actor.organisation,
        changes={"not_duplicate_reason": (None, reason_code)},
        request=request,
    )
    return decision


@transaction.atomic
def agree_to_disclose(
    *, actor: Principal, pair: CandidatePair, request: HttpRequest | None = None
) -> DisclosureAgreement:
    """The actor's organisation agrees to show its side of a cross-organisation pair."""
    ensure_own_side(actor, pair)
    pair = _locked_pair(pair)
    if not pair.cross_organisation:
        raise ValidationError(_("Both persons are your organisation's: there is nothing to agree."))
    _check_open(pair)
    if actor.organisation.pk not in sides(pair):
        raise ValidationError(_("Only the organisations that registered these persons agree."))
    agreement, _created = DisclosureAgreement.objects.get_or_create(
        pair=pair, organisation=actor.organisation, defaults={"agreed_by": actor.user}
    )
    if _created:
        audit.record(
            "matching.disclose",
            actor=actor.user,
            obj=pair,
            organisation=actor.organisation,
            request=request,
        )
    return agreement
