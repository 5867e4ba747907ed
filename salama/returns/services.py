"""Writes of the return journey: open it, take its declared steps, hand the person to the
receiving organisation through a referral, record reception there, and plan reintegration.

Rules (docs/domain.md#the-return-journey): the transitions are the table in salama.returns.rules;
no informed decision to return and no departure without the person's return consent in force;
departure also needs fitness to travel (not "not fit"), travel documents issued and an itinerary;
a child's return needs a best-interests determination for return before the risk assessment;
a withdrawn return consent cancels a journey that has not left (salama.returns.consent).

Each write runs in one transaction, checks the actor against the journey's case first
(salama.returns.access), writes a step (what, when, who, recorded when) and an audit entry, and
announces the steps others react to (`return.departed`, `return.arrived`, `return.received`...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.assistance.models import Fund
from salama.assistance.services import request_assistance
from salama.cases.access import ensure_case
from salama.cases.best_interests_models import BestInterestsDetermination, Solution
from salama.cases.models import Case
from salama.core import audit, events
from salama.core.countries import COUNTRIES
from salama.core.policy import Principal
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.core.versioning import bump_version
from salama.people.choices import ConsentPurpose
from salama.people.services import active_consent
from salama.referrals.access import ensure_received
from salama.referrals.models import OPEN_STATUSES, Referral, Service
from salama.referrals.services import send_referral
from salama.returns import rules
from salama.returns.access import ensure_journey
from salama.returns.choices import JourneyStatus, Step
from salama.returns.models import ItineraryLeg, JourneyStep, ReintegrationAction, ReturnJourney
from salama.returns.packet import refresh_packet

SHORT_TEXT = 200
CONFLICT = gettext_lazy("Someone else changed this return journey. Reload the page and try again.")
# Reception may be handed over from the decision on, and at the latest at arrival.
HANDOVER_FROM = frozenset(rules.OPEN) - {rules.COUNSELLING}
RECEPTION_SERVICE_TYPES = frozenset({ServiceType.REINTEGRATION, ServiceType.RETURN})


@dataclass
class StepInput:
    """What a step carries; each step reads the fields the rules table names for it."""

    on: dt.date | None = None
    notes: str = ""
    risk_level: str = ""
    reasons: str = ""
    fitness: str = ""
    document_type: str = ""
    consulate: str = ""
    document_number: str = ""
    from_place: str = ""
    to_place: str = ""
    carrier: str = ""
    escort: bool = False
    transit_assistance: bool = False
    medical_needs: str = ""
    reason: str = ""


def _refusal(code: str, **params: Any) -> ValidationError:
    messages = {
        "no_return_consent": _(
            "The person has no return consent in force. Record their informed consent to return "
            "(purpose “Return”) first; withdrawn or expired consent does not count."
        ),
        "no_best_interests_determination": _(
            "This is a child's case: a best-interests determination that found return in the "
            "child's best interests must be recorded before the return risk assessment."
        ),
        "no_decision": _("The person has not taken an informed decision to return."),
        "not_fit": _("The person is not fit to travel. Record a new health assessment first."),
        "no_documents": _("The travel documents have not been issued yet."),
        "no_itinerary": _("Add at least one leg to the itinerary first."),
        "no_escort": _(
            "The person is fit to travel only with an escort: every leg needs an escort."
        ),
    }
    return ValidationError(messages.get(code, code), code=code)


def _step_message(exc: rules.StepRefused) -> str:
    labels = dict(JourneyStatus.choices)
    steps = dict(Step.choices)
    if exc.code == "final":
        return _("This journey has ended (%(status)s); open a new one if needed.") % {
            "status": str(labels.get(exc.params["status"], exc.params["status"])).lower()
        }
    if exc.code == "not_allowed":
        allowed = "; ".join(str(steps[s]) for s in exc.params["allowed"]) or _("none")
        return _(
            "The journey is at “%(status)s”: this step cannot be taken now. Possible now: %(allowed)s."
        ) % {
            "status": labels.get(exc.params["status"], exc.params["status"]),
            "allowed": allowed,
        }
    return _("That step is not known.")


def _required(value: str, field: str, message: str, limit: int = SHORT_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it under %(n)s characters.") % {"n": limit}})
    return value


def _code(value: str, allowed: tuple[str, ...], field: str, message: str) -> str:
    if value not in allowed:
        raise ValidationError({field: message})
    return value


def _date(on: dt.date | None, *, future_ok: bool = False) -> dt.date:
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    if not future_ok and on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    return on


def _is_child(case: Case) -> bool:
    if case.is_child_case:
        return True
    age = case.person.age_on(timezone.localdate())
    return age is not None and age < 18


def _has_return_consent(journey: ReturnJourney) -> bool:
    return active_consent(journey.case.person, ConsentPurpose.RETURN) is not None


def _write_step(
    journey: ReturnJourney,
    step: str,
    *,
    old: str,
    on: dt.date,
    actor: Principal | None,
    details: dict[str, Any] | None = None,
    notes: str = "",
) -> JourneyStep:
    return JourneyStep.objects.create(
        journey=journey,
        step=step,
        from_status=old,
        to_status=journey.status,
        happened_on=on,
        details=details or {},
        notes=notes,
        actor=actor.user if actor is not None else None,
        organisation=actor.organisation if actor is not None else journey.organisation,
    )


@transaction.atomic
def open_journey(
    *,
    actor: Principal,
    case: Case,
    country: str,
    opened_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ReturnJourney:
    """Open a return journey on the case, in counselling (case.change; one open at a time);
    `opened_on` dates its first step (today when not given)."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it first."))
    if case.person.is_erased:
        raise ValidationError(_("This person was erased."))
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise ValidationError({"country": _("Choose the country of return from the list.")})
    if ReturnJourney.objects.filter(case=case, status__in=sorted(rules.OPEN)).exists():
        raise ValidationError(
            _("This case already has an open return journey. Finish or cancel it first.")
        )
    assert actor.organisation is not None
    journey = ReturnJourney.objects.create(
        case=case, organisation=actor.organisation, country=country, opened_by=actor.user
    )
    on = _date(opened_on or timezone.localdate())
    _write_step(journey, "open", old="", on=on, actor=actor)
    audit.record(
        "return.open",
        actor=actor.user,
        obj=journey,
        organisation=actor.organisation,
        changes={"status": (None, journey.status), "country": (None, country)},
        request=request,
        scope=case,
    )
    events.emit(
        "return.opened",
        organisation_id=actor.organisation.pk,
        record_id=str(case.pk),
        data={"journey_id": str(journey.pk), "country": country},
    )
    return journey


def _apply(
    journey: ReturnJourney, step: str, data: StepInput
) -> tuple[dict[str, Any], list[str], str]:
    """Check what `step` carries and write it on the journey; returns (codes for the step and
    the audit, identifying field names, notes for the step)."""
    on = data.on
    assert on is not None
    details: dict[str, Any] = {}
    identifying: list[str] = []
    notes = ""
    if step == rules.COUNSEL:
        notes = _required(data.notes, "notes", _("Write what was discussed."), 4000)
        identifying.append("notes")
    elif step == rules.DECIDE_RETURN:
        consent = active_consent(journey.case.person, ConsentPurpose.RETURN)
        refusal = rules.decision_refusal(has_return_consent=consent is not None)
        if refusal:
            raise _refusal(refusal)
        journey.decision, journey.decided_on, journey.consent = "return", on, consent
        details["consent"] = str(consent.pk) if consent else None
    elif step == rules.DECIDE_STAY:
        journey.decision, journey.decided_on, journey.ended_on = "stay", on, on
    elif step == rules.ASSESS_RISK:
        level = _code(
            data.risk_level, rules.RISK_LEVELS, "risk_level", _("Choose low, medium or high.")
        )
        reasons = _required(data.reasons, "reasons", _("Give the reasons for this level."), 4000)
        has_bid = BestInterestsDetermination.objects.filter(
            case=journey.case, decision=Solution.RETURN
        ).exists()
        refusal = rules.risk_refusal(
            is_child=_is_child(journey.case), has_return_determination=has_bid
        )
        if refusal:
            raise _refusal(refusal)
        journey.risk_level, journey.risk_reasons, journey.risk_assessed_on = level, reasons, on
        details["risk_level"] = level
        identifying.append("risk_reasons")
    elif step == rules.ASSESS_HEALTH:
        fitness = _code(
            data.fitness, rules.FITNESS, "fitness", _("Choose fit, fit with an escort or not fit.")
        )
        journey.fitness, journey.health_assessed_on = fitness, on
        journey.health_notes = (data.notes or "").strip()[:4000]
        details["fitness"] = fitness
        if journey.health_notes:
            identifying.append("health_notes")
    elif step == rules.REQUEST_DOCUMENTS:
        journey.document_type = _code(
            data.document_type,
            rules.DOCUMENT_TYPES,
            "document_type",
            _("Choose the document type."),
        )
        journey.consulate = _required(
            data.consulate, "consulate", _("Name the consulate or embassy.")
        )
        journey.documents_requested_on = on
        details["document_type"] = journey.document_type
    elif step == rules.ISSUE_DOCUMENTS:
        if on < (journey.documents_requested_on or on):
            raise ValidationError(
                {"on": _("The document cannot be issued before it was requested.")}
            )
        journey.document_number = _required(
            data.document_number, "document_number", _("Give the document's number."), 64
        )
        journey.documents_issued_on = on
        identifying.append("document_number")
    elif step == rules.ADD_LEG:
        ItineraryLeg.objects.create(
            journey=journey,
            position=journey.legs.count() + 1,
            from_place=_required(data.from_place, "from_place", _("Say where the leg starts.")),
            to_place=_required(data.to_place, "to_place", _("Say where the leg ends.")),
            travel_on=on,
            carrier=(data.carrier or "").strip()[:SHORT_TEXT],
            escort=bool(data.escort),
            transit_assistance=bool(data.transit_assistance),
            medical_needs=(data.medical_needs or "").strip()[:4000],
        )
        details.update({"escort": bool(data.escort), "transit": bool(data.transit_assistance)})
        identifying.append("medical_needs")
    elif step == rules.DEPART:
        legs = list(journey.legs.all())
        refusals = rules.departure_refusals(
            decision=journey.decision,
            has_return_consent=_has_return_consent(journey),
            fitness=journey.fitness,
            documents_issued=journey.documents_issued_on is not None,
            legs=len(legs),
            legs_without_escort=sum(1 for leg in legs if not leg.escort),
        )
        if refusals:
            raise ValidationError([_refusal(code) for code in refusals])
        journey.departed_on = on
    elif step == rules.ARRIVE:
        if journey.departed_on and on < journey.departed_on:
            raise ValidationError({"on": _("The arrival cannot be before the departure.")})
        journey.arrived_on = on
    elif step in (rules.NO_SHOW_STEP, rules.CANCEL):
        allowed = rules.NO_SHOW_REASONS if step == rules.NO_SHOW_STEP else rules.CANCEL_REASONS
        journey.end_reason = _code(data.reason, allowed, "reason", _("Choose the reason."))
        journey.ended_on = on
        details["reason"] = journey.end_reason
        notes = (data.notes or "").strip()[:4000]
    return details, identifying, notes


@transaction.atomic
def take_step(
    *,
    actor: Principal,
    journey: ReturnJourney,
    step: str,
    data: StepInput,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> ReturnJourney:
    """Take one declared step of the journey (case.change on its case); see the module's rules.

    Reception is recorded by the receiving organisation (record_reception), not here.
    """
    ensure_journey(actor, journey)
    if step == rules.RECEIVE:
        raise ValidationError(
            _("Reception is recorded by the receiving organisation on its referral.")
        )
    try:
        target = rules.check_step(journey.status, step)
    except rules.StepRefused as exc:
        raise ValidationError(_step_message(exc), code=exc.code) from None
    on = _date(data.on, future_ok=step == rules.ADD_LEG)
    data.on = on
    old = journey.status
    details, identifying, notes = _apply(journey, step, data)
    bump_version(journey, expected_version, CONFLICT)
    journey.status = target
    journey.save()
    _write_step(journey, step, old=old, on=on, actor=actor, details=details, notes=notes)
    audit.record(
        f"return.{step}",
        actor=actor.user,
        obj=journey,
        organisation=actor.organisation,
        fields=identifying,
        changes={"status": (old, target), **{k: (None, v) for k, v in details.items()}},
        request=request,
        scope=journey.case,
    )
    refresh_packet(journey)
    _announce(journey, step, on)
    return journey


def _announce(journey: ReturnJourney, step: str, on: dt.date) -> None:
    names = {
        rules.DECIDE_RETURN: "return.decided",
        rules.DEPART: "return.departed",
        rules.ARRIVE: "return.arrived",
        rules.NO_SHOW_STEP: "return.no_show",
        rules.CANCEL: "return.cancelled",
        rules.RECEIVE: "return.received",
    }
    if step not in names:
        return
    data: dict[str, Any] = {"journey_id": str(journey.pk), "country": journey.country}
    if step == rules.ARRIVE:
        referral = journey.reception_referral_id
        data = {
            "arrived_on": on.isoformat(),
            "country": journey.country,
            "reception_referral_id": str(referral) if referral is not None else None,
            "journey_id": str(journey.pk),
        }
    else:
        data["on"] = on.isoformat()
        if journey.end_reason:
            data["reason"] = journey.end_reason
    events.emit(
        names[step],
        organisation_id=journey.organisation_id,
        record_id=str(journey.case_id),
        data=data,
    )


@transaction.atomic
def send_reception_referral(
    *,
    actor: Principal,
    journey: ReturnJourney,
    service: Service,
    purpose_note: str,
    packet_fields: list[str],
    needs_note: str = "",
    base_url: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Hand the person to an organisation in the country of return, at the latest on arrival:
    a referral to its reintegration (or return) service whose packet carries the journey's
    summary. Needs a referral consent naming that organisation or service, like any referral."""
    ensure_journey(actor, journey)
    if journey.status not in HANDOVER_FROM:
        raise ValidationError(
            _("Hand the person over once they decided to return, and at the latest on arrival.")
        )
    if service.service_type not in RECEPTION_SERVICE_TYPES:
        raise ValidationError({"service": _("Choose a reintegration or return service.")})
    if service.provider.organisation.country != journey.country:
        raise ValidationError(
            {"service": _("Choose a service of an organisation in the country of return.")}
        )
    current = journey.reception_referral
    if current is not None and current.status in OPEN_STATUSES:
        raise ValidationError(
            _("The person is already handed to %(org)s; withdraw that referral first.")
            % {"org": current.to_organisation.name}
        )
    referral = send_referral(
        actor=actor,
        case=journey.case,
        service=service,
        packet_fields=packet_fields,
        purpose_note=purpose_note,
        needs_note=needs_note,
        base_url=base_url,
        request=request,
    )
    bump_version(journey, None, CONFLICT)
    journey.reception_referral = referral
    journey.save(update_fields=["reception_referral"])
    _write_step(
        journey,
        "reception_referral",
        old=journey.status,
        on=timezone.localdate(),
        actor=actor,
        details={"referral": str(referral.pk)},
    )
    audit.record(
        "return.handover",
        actor=actor.user,
        obj=journey,
        organisation=actor.organisation,
        changes={"reception_referral": (None, str(referral.pk))},
        request=request,
        scope=journey.case,
    )
    refresh_packet(journey)
    return referral


def journey_of(referral: Referral) -> ReturnJourney | None:
    return (
        ReturnJourney.objects.select_related("case__person__data_key")
        .filter(reception_referral=referral)
        .first()
    )


@transaction.atomic
def record_reception(
    *,
    actor: Principal,
    referral: Referral,
    received_on: dt.date | None,
    place: str,
    request: HttpRequest | None = None,
) -> ReturnJourney:
    """The receiving organisation records that it received the person (on, by whom, where),
    on its open reception referral; it never sees the journey or the case itself."""
    ensure_received(actor, referral)
    journey = journey_of(referral)
    if journey is None:
        raise ValidationError(_("This referral is not the reception of a return."))
    if journey.status == rules.RECEIVED:
        raise ValidationError(_("The reception is already recorded."))
    if journey.status != rules.ARRIVED:
        # The receiver learns no more of the journey than its packet says.
        raise ValidationError(
            _(
                "The person's arrival is not recorded yet; the sending organisation records it first."
            )
        )
    target = rules.check_step(journey.status, rules.RECEIVE)
    on = _date(received_on)
    if journey.arrived_on and on < journey.arrived_on:
        raise ValidationError({"on": _("The reception cannot be before the arrival.")})
    place = _required(place, "place", _("Say where the person was received."))
    old = journey.status
    bump_version(journey, None, CONFLICT)
    journey.status = target
    journey.received_on, journey.reception_place = on, place
    journey.received_by = actor.user
    journey.received_by_organisation = actor.organisation
    journey.ended_on = on
    journey.save()
    _write_step(journey, rules.RECEIVE, old=old, on=on, actor=actor)
    changes = {"status": (old, target), "referral": (None, str(referral.pk))}
    for org, scope in ((actor.organisation, None), (journey.organisation, journey.case)):
        audit.record(
            "return.receive",
            actor=actor.user,
            obj=journey,
            organisation=org,
            fields=["reception_place"],
            changes=changes,
            request=request,
            scope=scope,
        )
    refresh_packet(journey)
    _announce(journey, rules.RECEIVE, on)
    return journey


@transaction.atomic
def add_reintegration_action(
    *,
    actor: Principal,
    journey: ReturnJourney,
    dimension: str,
    level: str,
    kind: str,
    description: str,
    unit_cost: Any,
    currency: str = "",
    quantity: Any = Decimal(1),
    service_date: dt.date | None = None,
    fund: Fund | None = None,
    alternatives_checked: bool | None = None,
    alternatives_note: str = "",
    request: HttpRequest | None = None,
) -> ReintegrationAction:
    """Add an action to the reintegration plan, funded by an assistance item on the case that
    goes through the usual approval and ledger (salama.assistance)."""
    ensure_journey(actor, journey)
    if journey.status in (rules.STAYING, rules.NO_SHOW, rules.CANCELLED):
        raise ValidationError(_("This journey ended without a return; there is nothing to plan."))
    dimension = _code(
        dimension, rules.DIMENSIONS, "dimension", _("Choose economic, social or psychosocial.")
    )
    level = _code(level, rules.LEVELS, "level", _("Choose individual, community or structural."))
    kind = _code(kind, rules.ACTION_KINDS, "kind", _("Choose the kind of support."))
    description = _required(description, "description", _("Describe the action."), 4000)
    referral = journey.reception_referral
    item = request_assistance(
        actor=actor,
        case=journey.case,
        service_type=rules.ACTION_SERVICE_TYPE[kind],
        description=description,
        quantity=quantity,
        unit_cost=unit_cost,
        service_date=service_date or timezone.localdate(),
        currency=currency,
        fund=fund,
        provider_organisation=referral.to_organisation if referral is not None else None,
        alternatives_checked=alternatives_checked,
        alternatives_note=alternatives_note,
        request=request,
    )
    action = ReintegrationAction.objects.create(
        journey=journey,
        dimension=dimension,
        level=level,
        kind=kind,
        description=description,
        assistance_item=item,
        created_by=actor.user,
    )
    _write_step(
        journey,
        "reintegration_action",
        old=journey.status,
        on=timezone.localdate(),
        actor=actor,
        details={"dimension": dimension, "level": level, "kind": kind},
    )
    audit.record(
        "return.reintegration_action",
        actor=actor.user,
        obj=action,
        organisation=actor.organisation,
        fields=["description"],
        changes={
            "dimension": (None, dimension),
            "level": (None, level),
            "kind": (None, kind),
            "assistance_item": (None, str(item.pk)),
        },
        request=request,
        scope=journey.case,
    )
    refresh_packet(journey)
    return action
