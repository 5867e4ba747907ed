"""Demo return journeys at Nour Migrant Aid (Jordan): a Kenyan domestic worker taken from
counselling to arrival and handed to Amani Protection Centre (Kenya), which recorded her
reception; a journey still in counselling; and a cancelled one (idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.assistance.models import Fund
from salama.assistance.services import approve_item
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent, register_person
from salama.referrals.models import Service
from salama.referrals.services import accept_referral, acknowledge_referral, ensure_provider
from salama.returns import services
from salama.returns.models import ReturnJourney

CHECKLIST = {key: True for key, _label in CONSENT_CHECKLIST}
RECEPTION_SERVICE = "Amani Protection Centre reception and reintegration"
# The persons the loader registers (one case and one journey each), and what it adds to the
# organisations' services and referrals: Amani's reception service and the reception referral.
DEMO_RETURNEES = 3


def _actor(org: Organisation, spec: object, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()  # type: ignore[arg-type]
    membership = user.memberships.filter(organisation=org).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def _returnee(actor: Principal, given: str, family: str, born: dt.date, summary: str) -> Case:
    person = register_person(
        actor=actor,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex="female",
        nationalities=["KE"],
        languages=["sw", "en"],
    )
    return open_case(actor=actor, person=person, case_type="returnee", summary=summary)


def _consent(actor: Principal, case: Case, purpose: str, on: dt.date, **kw: object) -> None:
    record_consent(
        actor=actor,
        person=case.person,
        purpose=purpose,
        method="written",
        given_on=on,
        checklist=CHECKLIST,
        **kw,  # type: ignore[arg-type]
    )


def _step(actor: Principal, journey: ReturnJourney, step: str, on: dt.date, **data: object) -> None:
    journey.refresh_from_db()
    services.take_step(
        actor=actor,
        journey=journey,
        step=step,
        data=services.StepInput(on=on, **data),  # type: ignore[arg-type]
    )


def load_demo_returns() -> list[str]:
    host_spec, origin_spec = DEMO_ORGS[0], DEMO_ORGS[1]
    host = Organisation.objects.filter(name=host_spec.name).first()
    origin = Organisation.objects.filter(name=origin_spec.name).first()
    if host is None or origin is None:
        return ["No demo organisations: load the demo accounts first."]
    if ReturnJourney.objects.filter(organisation=host).exists():
        return ["Demo return journeys already loaded."]
    worker = _actor(host, host_spec, Role.CASEWORKER)
    receiver = _actor(origin, origin_spec, Role.SERVICE_PROVIDER)
    if worker is None or receiver is None:
        return []
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    lines: list[str] = []
    with transaction.atomic():
        service, _created = Service.objects.get_or_create(
            provider=ensure_provider(origin),
            name=RECEPTION_SERVICE,
            defaults={
                "service_type": "reintegration",
                "description": "Airport reception, family reunion and reintegration support.",
                "country": origin.country,
                "area": "Nairobi",
                "languages": ["sw", "en"],
                "opening_hours": "Every day, on arrival",
            },
        )
        # 1. From counselling to reception in Kenya.
        case = _returnee(
            worker,
            "Grace",
            "Wanjiku",
            dt.date(1991, 6, 14),
            "Domestic worker; left the employer's house after months of unpaid wages.",
        )
        _consent(worker, case, "return", ago(45))
        _consent(worker, case, "referral", ago(45), recipient=origin, service_type="reintegration")
        journey = services.open_journey(actor=worker, case=case, country="KE", opened_on=ago(46))
        _step(
            worker,
            journey,
            "counsel",
            ago(45),
            notes="Explained voluntary return, what it "
            "involves and the reintegration support; she asked for time to call her mother.",
        )
        _step(worker, journey, "counsel", ago(40), notes="She wants to go home to Nakuru.")
        _step(worker, journey, "decide_return", ago(40))
        _step(
            worker,
            journey,
            "assess_risk",
            ago(35),
            risk_level="low",
            reasons="The recruiter is in Amman; her family in Nakuru is safe and expects her.",
        )
        _step(
            worker,
            journey,
            "assess_health",
            ago(30),
            fitness="fit_with_escort",
            notes="Type 1 diabetes, controlled; needs an escort and insulin in the cabin.",
        )
        _step(
            worker,
            journey,
            "request_documents",
            ago(30),
            document_type="emergency_travel_document",
            consulate="Embassy of Kenya, Amman",
        )
        _step(worker, journey, "issue_documents", ago(14), document_number="ETD-KE-2026-55120")
        _step(
            worker,
            journey,
            "add_leg",
            ago(6),
            from_place="Amman (AMM)",
            to_place="Doha (DOH)",
            carrier="Qatar Airways",
            escort=True,
            transit_assistance=True,
            medical_needs="Insulin in the cabin; meals at fixed times.",
        )
        _step(
            worker,
            journey,
            "add_leg",
            ago(6),
            from_place="Doha (DOH)",
            to_place="Nairobi (NBO)",
            carrier="Qatar Airways",
            escort=True,
            medical_needs="Insulin in the cabin.",
        )
        journey.refresh_from_db()
        referral = services.send_reception_referral(
            actor=worker,
            journey=journey,
            service=service,
            purpose_note="Meet her at Jomo Kenyatta airport and plan her reintegration in Nakuru.",
            packet_fields=["name", "sex", "languages"],
        )
        acknowledge_referral(actor=receiver, referral=referral, expected_version=None)
        referral.refresh_from_db()
        accept_referral(actor=receiver, referral=referral, expected_version=None)
        _step(worker, journey, "depart", ago(6))
        _step(worker, journey, "arrive", ago(5))
        fund = Fund.objects.filter(organisation=host, kind="stranded_migrants").first()
        journey.refresh_from_db()
        for dimension, level, kind, description, amount in (
            (
                "economic",
                "individual",
                "business_grant",
                "Start-up grant for a tailoring stall in Nakuru market",
                "800",
            ),
            (
                "psychosocial",
                "individual",
                "psychosocial_support",
                "Six counselling sessions with Amani's psychologist",
                "240",
            ),
            (
                "social",
                "community",
                "other",
                "A family mediation meeting with her mother and sisters",
                "60",
            ),
        ):
            services.add_reintegration_action(
                actor=worker,
                journey=journey,
                dimension=dimension,
                level=level,
                kind=kind,
                description=description,
                unit_cost=Decimal(amount),
                currency="" if fund else "USD",
                fund=fund,
            )
        approver = _actor(host, host_spec, Role.SUPERVISOR)
        if approver is not None and fund is not None:
            for action in journey.reintegration_actions.select_related("assistance_item"):
                approve_item(actor=approver, item=action.assistance_item)
        referral.refresh_from_db()
        services.record_reception(
            actor=receiver, referral=referral, received_on=ago(5), place="JKIA arrivals hall"
        )
        lines.append(f"return journey {case.reference}: counselling to reception by {origin.name}")
        # 2. Still in counselling.
        case = _returnee(
            worker,
            "Faith",
            "Achieng",
            dt.date(1996, 2, 2),
            "Stranded after her contract ended; asking about going home.",
        )
        journey = services.open_journey(actor=worker, case=case, country="KE", opened_on=ago(4))
        _step(
            worker,
            journey,
            "counsel",
            ago(3),
            notes="First session: options explained, "
            "including staying and regularising; she will decide after speaking to her family.",
        )
        lines.append(f"return journey {case.reference}: in counselling")
        # 3. Cancelled: she found new work and was regularised.
        case = _returnee(
            worker,
            "Mercy",
            "Njeri",
            dt.date(1988, 11, 30),
            "Lost her residence permit when her employer cancelled it.",
        )
        _consent(worker, case, "return", ago(60))
        journey = services.open_journey(actor=worker, case=case, country="KE", opened_on=ago(61))
        _step(worker, journey, "counsel", ago(60), notes="Wants to return if her permit is lost.")
        _step(worker, journey, "decide_return", ago(55))
        _step(
            worker,
            journey,
            "cancel",
            ago(20),
            reason="regularised_in_host_country",
            notes="A new employer sponsored her permit.",
        )
        lines.append(f"return journey {case.reference}: cancelled")
    return lines
