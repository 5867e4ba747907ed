"""Demo cases for the demo persons, spread over the stages (demo mode only; idempotent)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import User
from salama.cases import rules, services
from salama.cases.choices import CaseType
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people.models import CONSENT_CHECKLIST, Person
from salama.people.services import record_consent

SEED = 2026
CASES_PER_ORG = 60
# Paths through the stage table; a demo case walks a prefix of one of them. Identification
# decisions move trafficking cases further (salama.screening.demo).
_PATHS = {
    CaseType.TRAFFICKING: ["screened", "referred_for_identification"],
    CaseType.VULNERABLE_MIGRANT: ["assistance_plan", "local_inclusion", "follow_up"],
    CaseType.STRANDED_MIGRANT: ["assistance_plan", "return_reintegration", "follow_up"],
}
_TASKS = ("Call back about shelter place", "Accompany to clinic", "Request birth certificate")


def _actor(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.first() if user else None
    return (
        Principal(user=user, membership=membership, verified=True) if user and membership else None
    )


def load_demo_cases() -> list[str]:
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    made = 0
    table = rules.load_stage_table()
    for spec in DEMO_ORGS:
        actor = _actor(demo_email(spec, Role.CASEWORKER))
        if actor is None or Case.objects.filter(organisation=actor.organisation).exists():
            continue
        people = Person.objects.filter(registered_by=actor.organisation, erased_at__isnull=True)
        with transaction.atomic():
            for person in people.order_by("created_at")[:CASES_PER_ORG]:
                case_type = rng.choice(list(_PATHS))
                record_consent(
                    actor=actor,
                    person=person,
                    purpose="assistance",
                    method="child_assent" if person.is_minor else "written",
                    guardian_name="Guardian on file" if person.is_minor else "",
                    given_on=timezone.localdate() - dt.timedelta(days=rng.randrange(1, 90)),
                    checklist={key: True for key, _label in CONSENT_CHECKLIST},
                )
                case = services.open_case(actor=actor, person=person, case_type=case_type)
                for target in _PATHS[case_type][: rng.randrange(0, len(_PATHS[case_type]) + 1)]:
                    if target in rules.allowed_targets(table, case.stage, case.case_type):
                        services.move_case(
                            actor=actor, case=case, target=target, expected_version=case.version
                        )
                if rng.random() < 0.5:
                    services.add_task(
                        actor=actor,
                        case=case,
                        title=rng.choice(_TASKS),
                        due_on=timezone.localdate() + dt.timedelta(days=rng.randrange(-10, 20)),
                    )
                made += 1
    return [f"Loaded {made} demo cases."] if made else ["Demo cases already loaded."]
