"""A returnee's case at organisation A (Jordan) received by organisation B (Kenya) through a
reception referral, built with the existing services; shared by the monitoring tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from conftest import principal
from salama.accounts.models import Organisation, User
from salama.returns import scoring


@dataclass
class Returnee:
    case: Any
    referral: Any


def open_returnee_case(caseworker: User, receiver_org: Organisation, receiver: User) -> Returnee:
    from salama.cases import services as cases
    from salama.people import services as people
    from salama.people.models import CONSENT_CHECKLIST
    from salama.referrals import services as referrals
    from salama.referrals.models import Service

    cw = principal(caseworker)
    person = people.register_person(actor=cw, given_name="Wanjiru", family_name="Otieno")
    case = cases.open_case(actor=cw, person=person, case_type="returnee")
    people.record_consent(
        actor=cw,
        person=person,
        purpose="referral",
        method="written",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=receiver_org,
    )
    service = Service.objects.create(
        provider=referrals.ensure_provider(receiver_org),
        name="Reception and reintegration",
        service_type="reintegration",
        country=receiver_org.country,
    )
    referral = referrals.send_referral(
        actor=cw, case=case, service=service, packet_fields=["name"], purpose_note="Reception"
    )
    prov = principal(receiver)
    referrals.acknowledge_referral(actor=prov, referral=referral, expected_version=None)
    referral.refresh_from_db()
    referrals.accept_referral(actor=prov, referral=referral, expected_version=None)
    referral.refresh_from_db()
    case.refresh_from_db()
    return Returnee(case=case, referral=referral)


def answers_at(level: str) -> dict[str, str]:
    """Every question answered at its best ("best") or worst ("worst") answer."""
    table = scoring.load_table()
    pick = max if level == "best" else min
    return {
        q.code: pick(
            (a for a in q.answers if q.answers[a] is not None), key=lambda a, q=q: q.answers[a]
        )
        for q in table.questions
    }


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
