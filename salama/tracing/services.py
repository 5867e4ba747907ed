"""Writes of family tracing: requests, the caseworkers' decisions on matches, reunification steps.

Every function checks the actor against the record first, then validates, then writes and
audits in one transaction. What the audit keeps are codes and dates: the sought person's names
and the place of separation are named as changed fields, never copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases.models import Case
from salama.core import audit, events
from salama.core.errors import ConsentMissing
from salama.core.policy import NotPermitted, Principal, ensure
from salama.core.roles import Perm
from salama.core.versioning import bump_version
from salama.people.choices import Sex
from salama.people.models import Person
from salama.tracing import access, matcher
from salama.tracing.choices import (
    CloseReason,
    MatchStatus,
    Relationship,
    RequestStatus,
    ReunificationStep,
)
from salama.tracing.models import ReunificationStepRecord, TracingMatch, TracingRequest

MAX_OTHER_NAMES = 10
MAX_NAME = 200
REQUEST_CHANGED = gettext_lazy(
    "Someone else changed this tracing request while you were working on it. "
    "Reload the page to see their change, then try again."
)
IDENTIFYING = ["sought_given_name", "sought_family_name", "sought_other_names", "separation_place"]
CODES = [
    "sought_sex",
    "sought_birth_year",
    "sought_age",
    "relationship",
    "separation_year",
    "separation_month",
]


def _clean(
    *,
    sought_given_name: str,
    sought_family_name: str,
    sought_other_names: Sequence[str],
    sought_sex: str,
    sought_birth_year: int | None,
    sought_age: int | None,
    relationship: str,
    separation_place: str,
    separation_year: int | None,
    separation_month: int | None,
) -> dict[str, Any]:
    """The request's fields, checked; a ValidationError names each field to fix."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    given, family = sought_given_name.strip(), sought_family_name.strip()
    others = [str(n).strip() for n in sought_other_names if str(n).strip()]
    if not given and not family:
        errors["sought_given_name"] = _("Write at least one name of the person sought.")
    if len(given) > MAX_NAME or len(family) > MAX_NAME or any(len(n) > MAX_NAME for n in others):
        errors["sought_given_name"] = _("A name has at most 200 characters.")
    if len(others) > MAX_OTHER_NAMES:
        errors["sought_other_names"] = _("Write at most 10 other names or spellings.")
    if sought_sex not in Sex.values:
        errors["sought_sex"] = _("Choose the sex from the list (or “unknown”).")
    if relationship not in Relationship.values:
        errors["relationship"] = _("Choose the relationship from the list.")
    if sought_birth_year is not None and not 1900 <= sought_birth_year <= today.year:
        errors["sought_birth_year"] = _("The year of birth must be between 1900 and this year.")
    if sought_age is not None and not 0 <= sought_age <= 120:
        errors["sought_age"] = _("The approximate age must be between 0 and 120.")
    if separation_year is not None and not 1900 <= separation_year <= today.year:
        errors["separation_year"] = _("The year of separation must be between 1900 and this year.")
    if separation_month is not None:
        if separation_year is None:
            errors["separation_month"] = _("Give the year of separation with its month.")
        elif not 1 <= separation_month <= 12:
            errors["separation_month"] = _("The month is a number from 1 to 12.")
        elif (separation_year, separation_month) > (today.year, today.month):
            errors["separation_month"] = _("The separation cannot be in the future.")
    if len(separation_place.strip()) > MAX_NAME:
        errors["separation_place"] = _("The place has at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return {
        "sought_given_name": given,
        "sought_family_name": family,
        "sought_other_names": others,
        "sought_sex": sought_sex,
        "sought_birth_year": sought_birth_year,
        "sought_age": sought_age,
        "relationship": relationship,
        "separation_place": separation_place.strip(),
        "separation_year": separation_year,
        "separation_month": separation_month,
    }


def _require_seeker_consent(person: Person) -> None:
    if not Person.objects.filter(pk=person.pk).filter(access.tracing_consent("pk")).exists():
        raise ConsentMissing(
            _(
                "Tracing needs the person's tracing consent, recorded by the organisation that "
                "registered them. Record the consent for “Family tracing” first."
            )
        )


@transaction.atomic
def create_request(
    *,
    actor: Principal,
    case: Case,
    relationship: str,
    sought_given_name: str = "",
    sought_family_name: str = "",
    sought_other_names: Sequence[str] = (),
    sought_sex: str = Sex.UNKNOWN,
    sought_birth_year: int | None = None,
    sought_age: int | None = None,
    separation_place: str = "",
    separation_year: int | None = None,
    separation_month: int | None = None,
    request: HttpRequest | None = None,
) -> TracingRequest:
    """Open a tracing request on a case (its person is the seeker) and look for matches."""
    ensure(actor, case, Perm.CASE_CHANGE, Perm.PERSON_VIEW)
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it before opening a tracing request."))
    if case.person.is_erased:
        raise ValidationError(_("This person was erased."))
    fields = _clean(
        sought_given_name=sought_given_name,
        sought_family_name=sought_family_name,
        sought_other_names=sought_other_names,
        sought_sex=sought_sex,
        sought_birth_year=sought_birth_year,
        sought_age=sought_age,
        relationship=relationship,
        separation_place=separation_place,
        separation_year=separation_year,
        separation_month=separation_month,
    )
    _require_seeker_consent(case.person)
    tracing_request = TracingRequest(
        case=case, organisation=case.organisation, created_by=actor.user, **fields
    )
    tracing_request.save()
    audit.record(
        "tracing.request_create",
        actor=actor.user,
        obj=tracing_request,
        organisation=actor.organisation,
        fields=[f for f in IDENTIFYING if fields[f]],
        changes={f: (None, fields[f]) for f in CODES if fields[f] not in (None, "")},
        request=request,
        scope=case,
    )
    events.emit(
        "tracing.request_opened",
        organisation_id=case.organisation_id,
        record_id=str(case.pk),
        data={"request_id": str(tracing_request.pk), "relationship": relationship},
    )
    matcher.match_request(tracing_request)
    return tracing_request


@transaction.atomic
def update_request(
    *,
    actor: Principal,
    tracing_request: TracingRequest,
    version: int,
    relationship: str,
    sought_given_name: str = "",
    sought_family_name: str = "",
    sought_other_names: Sequence[str] = (),
    sought_sex: str = Sex.UNKNOWN,
    sought_birth_year: int | None = None,
    sought_age: int | None = None,
    separation_place: str = "",
    separation_year: int | None = None,
    separation_month: int | None = None,
    request: HttpRequest | None = None,
) -> TracingRequest:
    """Change what a request says of the sought person; matching runs again."""
    access.ensure_request(actor, tracing_request)
    if not tracing_request.is_open:
        raise ValidationError(_("This tracing request is closed."))
    fields = _clean(
        sought_given_name=sought_given_name,
        sought_family_name=sought_family_name,
        sought_other_names=sought_other_names,
        sought_sex=sought_sex,
        sought_birth_year=sought_birth_year,
        sought_age=sought_age,
        relationship=relationship,
        separation_place=separation_place,
        separation_year=separation_year,
        separation_month=separation_month,
    )
    bump_version(tracing_request, version, REQUEST_CHANGED)
    before = {f: getattr(tracing_request, f) for f in IDENTIFYING + CODES}
    for name, value in fields.items():
        setattr(tracing_request, name, value)
    tracing_request.save()
    audit.record(
        "tracing.request_update",
        actor=actor.user,
        obj=tracing_request,
        organisation=actor.organisation,
        fields=[f for f in IDENTIFYING if before[f] != fields[f]],
        changes={f: (before[f], fields[f]) for f in CODES if before[f] != fields[f]},
        request=request,
        scope=tracing_request.case,
    )
    matcher.match_request(tracing_request)
    return tracing_request


@transaction.atomic
def close_request(
    *,
    actor: Principal,
    tracing_request: TracingRequest,
    reason: str,
    version: int,
    request: HttpRequest | None = None,
) -> TracingRequest:
    """Close a request with the reason; its open matches stay as they are."""
    access.ensure_request(actor, tracing_request)
    if not tracing_request.is_open:
        raise ValidationError(_("This tracing request is already closed."))
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("Choose why the request is closed.")})
    bump_version(tracing_request, version, REQUEST_CHANGED)
    old = tracing_request.status
    tracing_request.status = RequestStatus.CLOSED
    tracing_request.close_reason = reason
    tracing_request.save(update_fields=["status", "close_reason"])
    audit.record(
        "tracing.request_close",
        actor=actor.user,
        obj=tracing_request,
        organisation=actor.organisation,
        changes={"status": (old, RequestStatus.CLOSED), "reason": (None, reason)},
        request=request,
        scope=tracing_request.case,
    )
    return tracing_request


def _scopes(match: TracingMatch) -> list[Case]:
    """The cases whose timelines show a decision on the match: the request's, and the other
    request's (a person's case is not told more than the match page shows)."""
    cases = [match.request.case]
    if match.other_request_id is not None:
        cases.append(match.other_request.case)  # type: ignore[union-attr]
    return cases


@transaction.atomic
def confirm_match(
    *, actor: Principal, match: TracingMatch, request: HttpRequest | None = None
) -> TracingMatch:
    """Confirm a proposed match for the side(s) the actor works. The match is confirmed when
    both sides have: the seeker's (the request's case) and the other's (the person's
    organisation, or the other request's case)."""
    access.ensure_match(actor, match)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("Only a proposed match can be confirmed."))
    sides = access.sides(actor, match)
    now = timezone.now()
    changed = []
    if "seeker" in sides and match.seeker_confirmed_at is None:
        match.seeker_confirmed_by, match.seeker_confirmed_at = actor.user, now
        changed.append("seeker")
    if "other" in sides and match.other_confirmed_at is None:
        match.other_confirmed_by, match.other_confirmed_at = actor.user, now
        changed.append("other")
    if not changed:
        raise ValidationError(
            _("Your side has confirmed this match already; the other side has not yet.")
        )
    if match.both_confirmed:
        match.status = MatchStatus.CONFIRMED
        for tracing_request in filter(None, (match.request, match.other_request)):
            if tracing_request.status == RequestStatus.OPEN:
                tracing_request.status = RequestStatus.MATCHED
                tracing_request.save(update_fields=["status"])
    match.save()
    for case in _scopes(match):
        audit.record(
            "tracing.match_confirm",
            actor=actor.user,
            obj=match,
            organisation=actor.organisation,
            changes={"sides": (None, changed), "status": (MatchStatus.PROPOSED, match.status)},
            request=request,
            scope=case,
        )
    if match.status == MatchStatus.CONFIRMED:
        events.emit(
            "tracing.match_confirmed",
            organisation_id=match.request.organisation_id,
            record_id=str(match.request.case_id),
            data={"match_id": str(match.pk)},
        )
    return match


@transaction.atomic
def reject_match(
    *, actor: Principal, match: TracingMatch, request: HttpRequest | None = None
) -> TracingMatch:
    """Reject a proposed match (either side may); it is not proposed again."""
    access.ensure_match(actor, match)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("Only a proposed match can be rejected."))
    match.status = MatchStatus.REJECTED
    match.rejected_by, match.rejected_at = actor.user, timezone.now()
    match.save(update_fields=["status", "rejected_by", "rejected_at"])
    for case in _scopes(match):
        audit.record(
            "tracing.match_reject",
            actor=actor.user,
            obj=match,
            organisation=actor.organisation,
            changes={"status": (MatchStatus.PROPOSED, MatchStatus.REJECTED)},
            request=request,
            scope=case,
        )
    return match


@transaction.atomic
def add_reunification_step(
    *,
    actor: Principal,
    match: TracingMatch,
    step: str,
    happened_on: dt.date,
    request: HttpRequest | None = None,
) -> ReunificationStepRecord:
    """Record a step towards reunification on a confirmed match; both cases show it."""
    access.ensure_match(actor, match)
    if not access.sides(actor, match):
        raise NotPermitted
    if match.status != MatchStatus.CONFIRMED:
        raise ValidationError(
            _("Reunification steps are recorded once both sides have confirmed the match.")
        )
    if step not in ReunificationStep.values:
        raise ValidationError({"step": _("Choose the step from the list.")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The date cannot be in the future.")})
    record = ReunificationStepRecord.objects.create(
        match=match,
        step=step,
        happened_on=happened_on,
        organisation=actor.organisation,
        recorded_by=actor.user,
    )
    for case in _scopes(match):
        audit.record(
            "tracing.reunification_step",
            actor=actor.user,
            obj=record,
            organisation=actor.organisation,
            changes={"step": (None, step), "happened_on": (None, happened_on.isoformat())},
            request=request,
            scope=case,
        )
    return record
