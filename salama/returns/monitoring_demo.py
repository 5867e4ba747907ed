"""Demo reintegration monitoring (idempotent), through the services.

- At Amani Protection Centre (Kenya), a returnee case for a woman returned from Jordan, with no
  reception referral, so Amani records the visits itself: the 3-month visit scored low (a
  follow-up task), the 6-month visit better (the trend), the 12-month visit due.
- At Amani, a second returnee case whose 3-month visit is recorded as lost contact after two
  attempts.
- From Nour Migrant Aid (Jordan), a returnee case handed to Amani through a reception referral
  to its safe house (reception at arrival); the arrival is announced as the return journey announces it, and
  Amani's service provider recorded the 3-month visit (seen by Nour read-only on the case page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.cases import services as cases
from salama.core import events
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people import services as people
from salama.people.models import CONSENT_CHECKLIST
from salama.referrals import services as referrals
from salama.referrals.models import Service
from salama.returns import monitoring, scoring
from salama.returns.monitoring_models import MonitoringSchedule

SUMMARY = "Assisted return from Jordan; reintegration monitoring."
# The persons and the referral this loader adds (the demo data test counts them).
DEMO_RETURNEES = 3
DEMO_RECEPTION_REFERRALS = 1


def _actor(org: Organisation, spec: Any, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()
    membership = user.memberships.filter(organisation=org).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def _answers(level: float) -> dict[str, str]:
    """Each question answered with the answer whose score is closest to `level`."""
    table = scoring.load_table()
    return {
        q.code: min(
            (a for a, s in q.answers.items() if s is not None),
            key=lambda a, q=q: (abs((q.answers[a] or 0) - level), a),
        )
        for q in table.questions
    }


def _returnee(actor: Principal, given: str, family: str, born: dt.date) -> Any:
    person = people.register_person(
        actor=actor,
        given_name=given,
        family_name=family,
        sex="female",
        date_of_birth=born,
        nationalities=["KE"],
        languages=["sw", "en"],
    )
    return cases.open_case(actor=actor, person=person, case_type="returnee", summary=SUMMARY)


def load_demo_monitoring() -> list[str]:
    nour_spec, amani_spec = DEMO_ORGS[0], DEMO_ORGS[1]
    nour = Organisation.objects.filter(name=nour_spec.name).first()
    amani = Organisation.objects.filter(name=amani_spec.name).first()
    if nour is None or amani is None:
        return ["No demo organisations: load the demo accounts first."]
    if MonitoringSchedule.objects.filter(host_organisation=amani).exists():
        return ["Demo reintegration monitoring already loaded."]
    amani_cw = _actor(amani, amani_spec, Role.CASEWORKER)
    amani_prov = _actor(amani, amani_spec, Role.SERVICE_PROVIDER)
    nour_cw = _actor(nour, nour_spec, Role.CASEWORKER)
    if amani_cw is None or amani_prov is None or nour_cw is None:
        return []
    today = timezone.localdate()
    lines: list[str] = []
    with transaction.atomic():
        # 1. Amani's own returnee: two visits showing a trend, the third due.
        case = _returnee(amani_cw, "Grace", "Wambui", dt.date(1993, 4, 12))
        arrived = today - dt.timedelta(days=200)
        schedule = monitoring.schedule_monitoring(
            case, arrived_on=arrived, country="KE", actor=amani_cw
        )
        for month, level, place in ((3, 0.35, "home"), (6, 0.85, "community")):
            visit = schedule.visits.get(month=month)
            monitoring.record_monitoring_visit(
                visit,
                actor=amani_cw,
                answers=_answers(level),
                visited_on=min(visit.due_on, today),
                place=place,
            )
        lines.append(f"monitoring: case {case.reference}, visits at 3 and 6 months, 12 due")

        # 2. Amani's returnee who could not be reached at 3 months.
        lost = _returnee(amani_cw, "Mercy", "Achieng", dt.date(1998, 9, 3))
        lost_schedule = monitoring.schedule_monitoring(
            lost, arrived_on=today - dt.timedelta(days=120), country="KE", actor=amani_cw
        )
        monitoring.record_lost_contact(
            lost_schedule.visits.get(month=3),
            actor=amani_cw,
            attempts=[
                {"on": today - dt.timedelta(days=25), "channel": "phone"},
                {"on": today - dt.timedelta(days=18), "channel": "home_visit"},
            ],
        )
        lines.append(f"monitoring: case {lost.reference}, lost contact at 3 months")

        # 3. Nour's returnee received by Amani through a reception referral.
        # Reception at arrival: a safe bed at Amani's safe house, then reintegration support.
        service = Service.objects.filter(
            provider__organisation=amani, service_type="accommodation"
        ).first()
        if service is None:
            return lines
        handed = _returnee(nour_cw, "Faith", "Njoroge", dt.date(1990, 1, 22))
        people.record_consent(
            actor=nour_cw,
            person=handed.person,
            purpose="referral",
            method="written",
            given_on=today - dt.timedelta(days=130),
            checklist={key: True for key, _label in CONSENT_CHECKLIST},
            recipient=amani,
            service_type=service.service_type,
        )
        referral = referrals.send_referral(
            actor=nour_cw,
            case=handed,
            service=service,
            packet_fields=["name", "age_band", "sex", "languages"],
            purpose_note="Reception at arrival in Nairobi and reintegration support.",
        )
        referrals.acknowledge_referral(actor=amani_prov, referral=referral, expected_version=None)
        referral.refresh_from_db()
        referrals.accept_referral(actor=amani_prov, referral=referral, expected_version=None)
        # As the return journey announces an arrival (its event subscriber schedules the visits).
        monitoring.schedule_from_event(
            events.Event(
                name=monitoring.ARRIVED_EVENT,
                organisation_id=amani.pk,
                record_id=str(handed.pk),
                data={
                    "arrived_on": (today - dt.timedelta(days=100)).isoformat(),
                    "country": "KE",
                    "reception_referral_id": str(referral.pk),
                },
            )
        )
        received = MonitoringSchedule.objects.get(case=handed)
        visit = received.visits.get(month=3)
        monitoring.record_monitoring_visit(
            visit, actor=amani_prov, answers=_answers(0.55), visited_on=visit.due_on, place="office"
        )
        lines.append(
            f"monitoring: referral {referral.reference} from Nour, received and monitored by Amani"
        )
    return lines
