"""Possible matches for a tracing request, among persons and requests that consent to tracing.

**Who can be a candidate.** Only a person with a tracing consent in force, recorded by the
organisation that registered them (``access.tracing_consent``), not erased, and registered by the
request's own organisation, or by another organisation when both have agreed to trace across
their registries (``SALAMA_TRACING_SHARING_ORGANISATIONS``). Everybody else is excluded in the
SQL that reads the search index, so a non-consenting person is never scored, decrypted or
counted: their presence changes nothing the matcher does or records.

**Candidates** come from the name search index (``people.search``): the sought person's names,
in any script, give keyed cross-script tokens, so a request written ``Mohammed Ali`` finds a
person registered as ``محمد علي`` and the reverse. Each candidate is then scored:

* the names must *agree* (``people.name_agreement``): every word of a name of at least two words
  agrees with a part of the candidate's name (``best_agreement``, complete and above its floor);
* sex and age must not contradict (the ages within ``AGE_TOLERANCE`` years, more when either is
  estimated);
* and something besides the name must corroborate it: the age, or for two requests the place or
  month of separation, or each looking for the other. A stranger with a common name and an
  unknown or other age is therefore never proposed (``FLOOR``).

**Two requests** match when one seeks the other's seeker (request A looks for B, request B
looks for A): the seekers' own names are compared with the names the other request seeks.

Matching runs when a request is created or changed, and when a person gives a tracing consent
(the ``consent.recorded`` event); a withdrawn consent needs no run: the gate in ``access`` hides
the match at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from salama.core import audit, events
from salama.people.choices import BirthDateAccuracy, ConsentPurpose, Sex
from salama.people.models import Person
from salama.people.name_agreement import Agreement, best_agreement
from salama.people.names import detect_script
from salama.people.search import search_people
from salama.tracing.access import sharing_organisations, tracing_consent
from salama.tracing.choices import MatchReason, MatchStatus, Relationship, RequestStatus
from salama.tracing.models import TracingMatch, TracingRequest

# How many persons the search index gives per name of the request.
CANDIDATES_PER_NAME = 20
# Ages further apart than this (years) contradict; estimated ages get the wider tolerance.
AGE_TOLERANCE = 1
ESTIMATED_AGE_TOLERANCE = 3
# Points of a match; a match is proposed at FLOOR or above and only with a corroboration.
NAME_POINTS = 0.6
AGE_POINTS = 0.25
SEX_POINTS = 0.05
PLACE_POINTS = 0.1
DATE_POINTS = 0.05
EACH_OTHER_POINTS = 0.25
FLOOR = 0.75
PLACE_RATIO = 85.0
CORROBORATING = frozenset(
    {
        MatchReason.AGE_AGREES,
        MatchReason.PLACE_AGREES,
        MatchReason.DATE_AGREES,
        MatchReason.LOOKING_FOR_EACH_OTHER,
    }
)


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: tuple[str, ...]


def _allowed_organisations(organisation_id: int, organisation_uuid: str, path: str = "") -> Q:
    """Registering organisations whose persons a request of this organisation may meet (the
    person at ``path``, e.g. "case__person__")."""
    shared = sharing_organisations()
    own = Q(**{f"{path}registered_by_id": organisation_id})
    if str(organisation_uuid) in shared:
        return own | Q(**{f"{path}registered_by__uuid__in": sorted(shared)})
    return own


def eligible_people(request: TracingRequest, today: dt.date | None = None) -> QuerySet[Person]:
    """The persons a request may be matched with: consenting, not erased, in reach."""
    org = request.organisation
    return (
        Person.objects.filter(erased_at__isnull=True)
        .filter(tracing_consent("pk", today))
        .filter(_allowed_organisations(org.pk, str(org.uuid)))
        .exclude(pk=request.case.person_id)
    )


def _person_year(person: Person) -> tuple[int | None, bool]:
    """A person's birth year and whether it is estimated."""
    if person.date_of_birth is not None:
        return person.date_of_birth.year, person.birth_date_accuracy != BirthDateAccuracy.EXACT
    if person.age_at_registration is not None:
        return timezone.localtime(person.created_at).year - person.age_at_registration, True
    return None, True


def _name_agreement(
    names: list[str], given: str, family: str, others: list[str]
) -> tuple[Agreement | None, bool]:
    """The best complete agreement of a name of two or more words with the candidate's names,
    and whether it crossed scripts."""
    best: Agreement | None = None
    crossed = False
    candidate_scripts = {detect_script(f"{given} {family}")} | {detect_script(o) for o in others}
    for name in names:
        if len(name.split()) < 2:
            continue
        found = best_agreement(name, given, family, others)
        if not (found.shown and found.complete):
            continue
        if best is None or found.score > best.score:
            best = found
            crossed = detect_script(name) not in candidate_scripts
    return best, crossed


def _finish(points: float, reasons: list[str]) -> Scored | None:
    if points < FLOOR or not CORROBORATING & set(reasons):
        return None
    return Scored(round(min(points, 1.0), 3), tuple(reasons))


def _age_and_sex(
    request: TracingRequest,
    sex: str,
    year: int | None,
    estimated: bool,
    today: dt.date,
    reasons: list[str],
) -> float | None:
    """Points for sex and age; None when either contradicts."""
    points = 0.0
    known = {Sex.UNKNOWN, ""}
    if request.sought_sex not in known and sex not in known:
        if request.sought_sex != sex:
            return None
        points += SEX_POINTS
        reasons.append(MatchReason.SEX_AGREES)
    sought = request.sought_year(today.year)
    if sought is not None and year is not None:
        estimated = estimated or not request.sought_birth_year
        tolerance = ESTIMATED_AGE_TOLERANCE if estimated else AGE_TOLERANCE
        if abs(sought - year) > tolerance:
            return None
        points += AGE_POINTS
        reasons.append(MatchReason.AGE_AGREES)
    return points


def score_person(request: TracingRequest, person: Person, today: dt.date) -> Scored | None:
    """How well a person fits what the request says of the sought person, or None."""
    others = [n.get("name", "") for n in person.other_names or [] if n.get("name")]
    agreement, crossed = _name_agreement(
        request.sought_names(), person.given_name, person.family_name, others
    )
    if agreement is None:
        return None
    reasons = [MatchReason.NAME_AGREES, *agreement.reasons]
    if crossed:
        reasons.append(MatchReason.NAME_OTHER_SCRIPT)
    year, estimated = _person_year(person)
    extra = _age_and_sex(request, person.sex, year, estimated, today, reasons)
    if extra is None:
        return None
    return _finish(NAME_POINTS * agreement.score + extra, reasons)


def _names_of(person: Person) -> tuple[str, str, list[str]]:
    others = [n.get("name", "") for n in person.other_names or [] if n.get("name")]
    return person.given_name, person.family_name, others


def _place_agrees(a: str, b: str) -> bool:
    a, b = a.strip().casefold(), b.strip().casefold()
    return bool(a and b) and fuzz.token_set_ratio(a, b) >= PLACE_RATIO


def _date_agrees(a: TracingRequest, b: TracingRequest) -> bool:
    if not a.separation_year or not b.separation_year:
        return False
    months_a = a.separation_year * 12 + (a.separation_month or 6)
    months_b = b.separation_year * 12 + (b.separation_month or 6)
    return abs(months_a - months_b) <= (2 if a.separation_month and b.separation_month else 12)


def score_requests(request: TracingRequest, other: TracingRequest, today: dt.date) -> Scored | None:
    """How well ``other``'s seeker fits the person ``request`` looks for, or None."""
    seeker = other.case.person
    given, family, others = _names_of(seeker)
    agreement, crossed = _name_agreement(request.sought_names(), given, family, others)
    if agreement is None:
        return None
    reasons = [MatchReason.NAME_AGREES, *agreement.reasons]
    if crossed:
        reasons.append(MatchReason.NAME_OTHER_SCRIPT)
    year, estimated = _person_year(seeker)
    extra = _age_and_sex(request, seeker.sex, year, estimated, today, reasons)
    if extra is None:
        return None
    points = NAME_POINTS * agreement.score + extra
    mine = request.case.person
    back, _crossed = _name_agreement(other.sought_names(), *_names_of(mine))
    if back is not None:
        points += EACH_OTHER_POINTS
        reasons.append(MatchReason.LOOKING_FOR_EACH_OTHER)
    if _place_agrees(request.separation_place, other.separation_place):
        points += PLACE_POINTS
        reasons.append(MatchReason.PLACE_AGREES)
    if _date_agrees(request, other):
        points += DATE_POINTS
        reasons.append(MatchReason.DATE_AGREES)
    return _finish(points, reasons)


def _record(request: TracingRequest, scored: Scored, **candidate: object) -> TracingMatch | None:
    """Create a proposed match, or refresh the score of one still proposed; a rejected or
    confirmed match is left as the caseworkers decided."""
    match = TracingMatch.objects.filter(request=request, **candidate).first()
    if match is not None:
        if match.status == MatchStatus.PROPOSED and match.score != scored.score:
            match.score, match.reasons = scored.score, list(scored.reasons)
            match.save(update_fields=["score", "reasons"])
        return None
    match = TracingMatch.objects.create(
        request=request, score=scored.score, reasons=list(scored.reasons), **candidate
    )
    audit.record(
        "tracing.match_proposed",
        obj=match,
        organisation=request.organisation,
        actor_label="tracing matcher",
        changes={"score": (None, scored.score), "reasons": (None, list(scored.reasons))},
        # No case scope: a case's timeline must not keep showing a proposal after the consent
        # it rested on is withdrawn (the trail keeps it for those who audit).
    )
    return match


def _supersede(other: TracingRequest, person_id: Any, match: TracingMatch) -> None:
    """The other request proposed our seeker as a person before our request existed: the two
    requests' match says more (both look for each other), so that proposal gives way to it."""
    for earlier in TracingMatch.objects.filter(
        request=other, person_id=person_id, status=MatchStatus.PROPOSED
    ):
        audit.record(
            "tracing.match_superseded",
            obj=earlier,
            organisation=other.organisation,
            actor_label="tracing matcher",
            changes={"superseded_by": (None, str(match.pk))},
        )
        earlier.delete()


def _linked_by_request(request: TracingRequest, person_id: object) -> bool:
    """Whether the request already has a match with a request of this person (either way
    round): that match says more than proposing the person would."""
    return TracingMatch.objects.filter(
        Q(request=request, other_request__case__person_id=person_id)
        | Q(other_request=request, request__case__person_id=person_id)
    ).exists()


def _open_requests() -> QuerySet[TracingRequest]:
    return TracingRequest.objects.exclude(status=RequestStatus.CLOSED).select_related(
        "case__person__data_key", "organisation"
    )


def _requests_in_reach(request: TracingRequest, today: dt.date) -> QuerySet[TracingRequest]:
    org = request.organisation
    return (
        _open_requests()
        .exclude(pk=request.pk)
        .exclude(case__person_id=request.case.person_id)
        .filter(case__person__erased_at__isnull=True)
        .filter(tracing_consent("case__person", today))
        .filter(_allowed_organisations(org.pk, str(org.uuid), "case__person__"))
    )


def match_request(request: TracingRequest, today: dt.date | None = None) -> list[TracingMatch]:
    """Propose matches for one request; returns the matches newly proposed."""
    day = today or timezone.localdate()
    if not request.is_open:
        return []
    created: list[TracingMatch] = []
    by_request: set[object] = set()
    for other in _requests_in_reach(request, day):
        scored = score_requests(request, other, day)
        if scored is None:
            continue
        by_request.add(other.case.person_id)
        existing = TracingMatch.objects.filter(request=other, other_request=request).exists()
        if existing:
            continue  # the pair is already proposed from the other request
        match = _record(request, scored, other_request=other)
        if match is not None:
            created.append(match)
            _supersede(other, request.case.person_id, match)
    eligible = eligible_people(request, day)
    year = request.sought_year(day.year)
    seen: set[object] = set()
    for name in request.sought_names():
        for hit in search_people(eligible, name, birth_year=year, limit=CANDIDATES_PER_NAME):
            person = hit.person
            if person.pk in seen or person.pk in by_request:
                continue
            seen.add(person.pk)
            if _linked_by_request(request, person.pk):
                continue
            scored = score_person(request, person, day)
            if scored is not None:
                match = _record(request, scored, person=person)
                if match is not None:
                    created.append(match)
    return created


def match_person(person: Person, today: dt.date | None = None) -> list[TracingMatch]:
    """A person just consented to tracing: the open requests that may be looking for them, and
    their own open requests (which may now meet requests looking for them)."""
    day = today or timezone.localdate()
    created: list[TracingMatch] = []
    if person.is_erased:
        return created
    for request in _open_requests().exclude(case__person=person):
        if not eligible_people(request, day).filter(pk=person.pk).exists():
            continue
        if _linked_by_request(request, person.pk):
            continue
        scored = score_person(request, person, day)
        if scored is not None:
            match = _record(request, scored, person=person)
            if match is not None:
                created.append(match)
    for request in _open_requests().filter(case__person=person):
        created += match_request(request, day)
    return created


def on_consent_recorded(event: events.Event) -> None:
    if event.name != "consent.recorded" or event.data.get("purpose") != ConsentPurpose.TRACING:
        return
    with transaction.atomic():
        person = (
            Person.objects.select_related("data_key")
            .filter(pk=str(event.data.get("person_id") or ""))
            .first()
        )
        if person is not None:
            match_person(person)


def forget_tracing_of(person: Person) -> None:
    """Erasure: the person's own requests (what they said of a relative, under their key) and
    every match proposed with them go with them."""
    TracingMatch.objects.filter(person=person).delete()
    TracingRequest.objects.filter(case__person=person).delete()


ACTION_LABELS = {
    "tracing.request_create": _("Tracing request opened"),
    "tracing.request_update": _("Tracing request changed"),
    "tracing.request_close": _("Tracing request closed"),
    "tracing.match_proposed": _("Tracing match proposed"),
    "tracing.match_superseded": _("Tracing match replaced by a match of two requests"),
    "tracing.match_confirm": _("Tracing match confirmed"),
    "tracing.match_reject": _("Tracing match rejected"),
    "tracing.reunification_step": _("Reunification step recorded"),
}


def register_subscribers() -> None:
    from salama.cases import queries as case_queries
    from salama.core import auditwords
    from salama.people.services import on_erasure
    from salama.tracing.choices import CloseReason, ReunificationStep

    auditwords.ACTION_WORDS.update(ACTION_LABELS)
    case_queries.ACTION_LABELS.update(ACTION_LABELS)
    auditwords.register_values("step", ReunificationStep.choices)
    auditwords.register_values("relationship", Relationship.choices)
    auditwords.register_values("reason", CloseReason.choices)
    on_erasure(forget_tracing_of)
    events.subscribe("tracing.match_on_consent", on_consent_recorded)
    events.declare("consent.recorded", "A person gave consent (purpose, person id).")
    events.declare("tracing.request_opened", "A tracing request was opened on a case.")
    events.declare("tracing.match_confirmed", "Both sides confirmed a tracing match.")
