"""Demo matching at Nour Migrant Aid: a few persons registered twice (one in Arabic script and
again in Latin script, one with a misspelt name), a finished duplicate check with its trained
model and open candidate pairs for the review queue, and an accepted matching agreement with the
second demo organisation (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.matching import runs
from salama.matching.models import MatchingAgreement, MatchModel
from salama.people.services import register_person

# (given, family, born, sex, nationality): each pair of lines is one person registered twice.
DUPLICATES = [
    ("Mohammed", "Al-Hassan", dt.date(1991, 3, 14), "male", "SD"),
    ("محمد", "الحسن", dt.date(1991, 3, 14), "male", "SD"),
    ("Fatima", "Abdelrahman", dt.date(1988, 11, 2), "female", "ER"),
    ("Fatuma", "Abdulrahman", dt.date(1988, 11, 2), "female", "ER"),
    ("Yonas", "Tesfaye", dt.date(2001, 6, 30), "male", "ET"),
    ("Yohannes", "Tesfaye", dt.date(2001, 6, 30), "male", "ET"),
]


def _actor(org: Organisation, spec: object, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()  # type: ignore[arg-type]
    membership = user.memberships.filter(organisation=org).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def load_demo_matching() -> list[str]:
    spec, partner_spec = DEMO_ORGS[0], DEMO_ORGS[1]
    org = Organisation.objects.filter(name=spec.name).first()
    partner = Organisation.objects.filter(name=partner_spec.name).first()
    if org is None:
        return ["No demo organisations: load the demo accounts first."]
    if MatchModel.objects.filter(organisation=org).exists():
        return ["Demo duplicate check already loaded."]
    caseworker = _actor(org, spec, Role.CASEWORKER)
    supervisor = _actor(org, spec, Role.SUPERVISOR)
    admin = _actor(org, spec, Role.ORG_ADMIN)
    if caseworker is None or supervisor is None:
        return []
    lines = []
    with transaction.atomic():
        for given, family, born, sex, nationality in DUPLICATES:
            register_person(
                actor=caseworker,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                birth_date_accuracy="exact",
                sex=sex,
                nationalities=[nationality],
            )
        if partner is not None and admin is not None:
            partner_admin = _actor(partner, partner_spec, Role.ORG_ADMIN)
            if partner_admin is not None and not MatchingAgreement.objects.exists():
                agreement = runs.propose_agreement(actor=admin, partner=partner)
                runs.accept_agreement(actor=partner_admin, agreement=agreement)
                lines.append(f"Matching agreement: {org.name} and {partner.name}.")
        run = runs.start_run(actor=supervisor)
    # Run now rather than waiting for the task worker (the queued task then finds it done).
    status = runs.execute_run(str(run.pk))
    run.refresh_from_db()
    lines.append(
        f"Duplicate check at {org.name}: {status}, {run.persons} persons, "
        f"{run.pairs} possible duplicates."
    )
    return lines
