"""Demo data for the factor analysis (demo mode only; idempotent).

The first demo organisation's trafficking cases with the form of exploitation recorded get a
vulnerability assessment (DoMV) with three factors answered through the screening services,
drawn so that they go with the form of exploitation: enough cases for the factor analysis to
show odds ratios with k = 11 (for the organisation's M49 sub-region), and some withheld.
"""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import User
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.screening import vulnerability_services as vulnerability
from salama.screening.models import VulnerabilityAssessment

SEED = 49
# factor → (chance present, added where the case has sexual exploitation, added for forced labour)
FACTORS = {
    "ind_personal_history": (0.3, 0.35, 0.0),
    "ind_legal_status": (0.35, 0.0, 0.3),
    "ind_access_money_support": (0.5, -0.15, -0.1),
}


def _actor(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.select_related("organisation").first() if user else None
    return Principal(user=user, membership=membership, verified=True) if membership else None


def load_demo_factors() -> list[str]:
    demo = DEMO_ORGS[0]
    worker = _actor(demo_email(demo, Role.CASEWORKER))
    if worker is None or worker.organisation is None:
        return [f"{demo.name}: no demo caseworker; load accounts first."]
    cases = Case.objects.filter(organisation=worker.organisation, exploitation__isnull=False)
    if VulnerabilityAssessment.objects.filter(case__in=cases).count() >= 40:
        return ["Demo factor answers already loaded."]
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible
    answered = 0
    for case in cases.select_related("exploitation").order_by("opened_at"):
        types = set(case.exploitation.types_of_exploitation or [])
        if not types or VulnerabilityAssessment.objects.filter(case=case).exists():
            continue
        try:
            assessment = vulnerability.start_assessment(actor=worker, case=case)
            for factor, (base, sexual, forced) in FACTORS.items():
                chance = base
                chance += sexual if "SexualExploitation" in types else 0.0
                chance += forced if "ForcedLabour" in types else 0.0
                present = "yes" if rng.random() < chance else "no"
                vulnerability.answer_factor(
                    actor=worker, assessment=assessment, factor=factor, present=present
                )
        except ValidationError:  # a closed case takes no new assessment
            continue
        answered += 1
    return [f"{demo.name}: {answered} vulnerability assessments for the factor analysis."]
