"""Demo identification on the demo trafficking cases (demo mode only; idempotent).

Per demo organisation, a handful of adult trafficking cases walk the national referral
mechanism as practice does, each showing one thing: a screening that meets the profile and a
referral; a positive reasonable-grounds decision waiting for conclusive grounds; a late
reasonable-grounds decision; a referral still waiting past its deadline (overdue); an
identified victim; a negative decision with a reconsideration pending; a negative decision
overturned on reconsideration. Caseworkers screen and refer; supervisors record decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import User
from salama.cases import services as case_services
from salama.cases.choices import CaseType
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.screening import rules, services
from salama.screening.models import IdentificationReferral

# Positive D1, D4 and D5 on the adult labour list: the adult rule is met.
MEETS_PROFILE = (
    "d1_deceived_nature_of_job",
    "d1_deceived_conditions_of_work",
    "d4_excessive_working_days_or_hours",
    "d4_bad_living_conditions",
    "d5_confiscation_of_documents",
    "d5_debt_bondage",
)
AUTHORITIES = {
    "JO": ("Police", "Anti-Human Trafficking Unit"),
    "KE": ("Police", "Anti-Human Trafficking and Child Protection Unit"),
}


def _actor(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.first() if user else None
    return (
        Principal(user=user, membership=membership, verified=True) if user and membership else None
    )


class _Walk:
    """One organisation's demo: a caseworker who screens and refers, a supervisor who records."""

    def __init__(self, caseworker: Principal, supervisor: Principal) -> None:
        self.cw, self.sup = caseworker, supervisor
        self.today = timezone.localdate()

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def authority(self, case: Case) -> tuple[str, str]:
        return AUTHORITIES.get(
            case.jurisdiction, ("NonPoliceGovernmentalOrganization", "Competent authority")
        )

    def working_days(self, case: Case, start: dt.date, count: int) -> dt.date:
        calendar = services.deadline_table().for_jurisdiction(case.jurisdiction).calendar
        return rules.add_working_days(start, count, calendar)

    def screen(self, case: Case) -> None:
        screening = services.start_screening(actor=self.cw, case=case, exploitation="labour")
        for code in MEETS_PROFILE:
            services.answer_indicator(
                actor=self.cw, screening=screening, indicator=code, value="present"
            )
        services.finalise_screening(actor=self.cw, screening=screening)

    def refer(self, case: Case, on: dt.date) -> IdentificationReferral:
        kind, name = self.authority(case)
        return services.refer_for_identification(
            actor=self.cw, case=case, referred_on=on, authority_type=kind, authority_name=name
        )

    def decide(self, case: Case, step: str, outcome: str, on: dt.date, basis: str = "") -> object:
        kind, name = self.authority(case)
        return services.record_identification_decision(
            actor=self.sup,
            case=case,
            step=step,
            decided_by_org_type=kind,
            authority_name=name,
            decided_on=on,
            outcome=outcome,
            legal_basis=basis,
        )

    def move(self, case: Case, target: str) -> None:
        case.refresh_from_db()
        case_services.move_case(
            actor=self.cw, case=case, target=target, expected_version=case.version
        )

    # The scenarios -------------------------------------------------------------------------

    def waiting_for_conclusive_grounds(self, case: Case) -> None:
        self.screen(case)
        referral = self.refer(case, self.ago(16))
        on = self.working_days(case, referral.referred_on, 3)
        self.decide(
            case,
            "reasonable_grounds",
            "positive",
            on,
            "Reasonable grounds to believe the person is a victim of trafficking.",
        )
        self.move(case, "reflection_recovery")

    def late_reasonable_grounds(self, case: Case) -> None:
        referral = self.refer(case, self.ago(45))
        assert referral.due_on is not None
        on = self.working_days(case, referral.due_on, 4)
        self.decide(case, "reasonable_grounds", "positive", on)

    def overdue_referral(self, case: Case) -> None:
        self.refer(case, self.ago(12))

    def identified(self, case: Case) -> None:
        referral = self.refer(case, self.ago(110))
        rg = self.working_days(case, referral.referred_on, 4)
        self.decide(case, "reasonable_grounds", "positive", rg)
        self.decide(
            case,
            "conclusive_grounds",
            "positive",
            rg + dt.timedelta(days=41),
            "Identified as a victim of trafficking under the national anti-trafficking law.",
        )

    def reconsideration_pending(self, case: Case) -> None:
        referral = self.refer(case, self.ago(20))
        on = self.working_days(case, referral.referred_on, 5)
        decision = self.decide(case, "reasonable_grounds", "negative", on)
        services.request_reconsideration(
            actor=self.sup,
            decision=decision,
            kind="reconsideration",
            requested_on=on + dt.timedelta(days=3),
            requested_by="legal_representative",
            grounds="Medical report and a statement from the labour inspectorate.",
        )

    def overturned(self, case: Case) -> None:
        referral = self.refer(case, self.ago(70))
        on = self.working_days(case, referral.referred_on, 2)
        decision = self.decide(case, "reasonable_grounds", "negative", on)
        request = services.request_reconsideration(
            actor=self.sup,
            decision=decision,
            kind="reconsideration",
            requested_on=on + dt.timedelta(days=6),
            requested_by="first_responder",
        )
        services.decide_reconsideration(
            actor=self.sup,
            reconsideration=request,
            outcome="overturned",
            decided_on=on + dt.timedelta(days=20),
            legal_basis="New evidence on reconsideration",
        )


SCENARIOS: tuple[Callable[[_Walk, Case], None], ...] = (
    _Walk.waiting_for_conclusive_grounds,
    _Walk.late_reasonable_grounds,
    _Walk.overdue_referral,
    _Walk.identified,
    _Walk.reconsideration_pending,
    _Walk.overturned,
)


def load_demo_identification() -> list[str]:
    made = 0
    for spec in DEMO_ORGS:
        cw = _actor(demo_email(spec, Role.CASEWORKER))
        sup = _actor(demo_email(spec, Role.SUPERVISOR))
        if cw is None or sup is None:
            continue
        org_cases = Case.objects.filter(organisation=cw.organisation)
        if IdentificationReferral.objects.filter(case__in=org_cases).exists():
            continue
        candidates = [
            case
            for case in org_cases.filter(
                case_type=CaseType.TRAFFICKING,
                stage__in=("registered", "screened", "referred_for_identification"),
                assigned_to=cw.user,
            )
            .select_related("person")
            .order_by("reference")
            if not services.person_is_child(case)
        ]
        walk = _Walk(cw, sup)
        with transaction.atomic():
            for scenario, case in zip(SCENARIOS, candidates, strict=False):
                scenario(walk, case)
                made += 1
    if not made:
        return ["Demo identification already loaded."]
    return [f"Loaded demo identification on {made} cases."]
