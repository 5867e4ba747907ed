"""Demo data for the evidence pages (demo mode only; idempotent).

The first demo organisation gets a caseload large enough for its data officer's dashboard to
show real charts under k = 11: synthetic persons (``salama.demo.synthetic``) with cases opened
over the last eighteen months through the services, trafficking cases with the forms of
exploitation recorded, a population table for the demo countries, the counts of every
organisation, and one finished export of the data officer.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import User
from salama.cases import rules
from salama.cases import services as cases
from salama.cases.choices import CaseType
from salama.cases.exploitation import ExploitationInput, record_exploitation
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.demo.synthetic import generate_people
from salama.evidence import counts, exports, figures, indicators
from salama.evidence.dashboard_models import ExportJob
from salama.people.services import register_person

SEED = 16
EXTRA_CASES = 240
MONTHS = 18
_TYPES = (
    (CaseType.TRAFFICKING, 0.45),
    (CaseType.VULNERABLE_MIGRANT, 0.3),
    (CaseType.STRANDED_MIGRANT, 0.2),
    (CaseType.UNACCOMPANIED_CHILD, 0.05),
)
_PATHS = {
    CaseType.TRAFFICKING: ["screened", "referred_for_identification"],
    CaseType.VULNERABLE_MIGRANT: ["assistance_plan", "local_inclusion", "follow_up"],
    CaseType.STRANDED_MIGRANT: ["assistance_plan", "return_reintegration", "follow_up"],
    CaseType.UNACCOMPANIED_CHILD: ["assistance_plan"],
}
_FORMS = (
    (["ForcedLabour"], 0.4),
    (["SexualExploitation"], 0.3),
    (["Servitude", "ForcedLabour"], 0.2),
    (["ForcedMarriage"], 0.1),
)
# Illustrative populations (rounded, of the order of the UN World Population Prospects).
_POPULATION = {"JO": (5_600_000, 5_700_000), "KE": (27_900_000, 28_300_000)}


def _actor(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.select_related("organisation").first() if user else None
    return (
        Principal(user=user, membership=membership, verified=True) if user and membership else None
    )


def _weighted(rng: random.Random, options: tuple) -> object:
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]


def _caseload(worker: Principal) -> int:
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    table = rules.load_stage_table()
    now = timezone.now()
    made = 0
    for synthetic in generate_people(EXTRA_CASES, seed=SEED):
        with transaction.atomic():
            person = register_person(
                actor=worker,
                given_name=synthetic.given_name,
                family_name=synthetic.family_name,
                sex=synthetic.sex,
                date_of_birth=synthetic.date_of_birth,
                nationalities=[synthetic.nationality],
            )
            case_type = _weighted(rng, _TYPES)
            case = cases.open_case(actor=worker, person=person, case_type=case_type)
            for target in _PATHS[case_type][: rng.randrange(0, len(_PATHS[case_type]) + 1)]:
                if target in rules.allowed_targets(table, case.stage, case.case_type):
                    cases.move_case(
                        actor=worker, case=case, target=target, expected_version=case.version
                    )
            if case_type == CaseType.TRAFFICKING:
                record_exploitation(
                    actor=worker,
                    case=case,
                    data=ExploitationInput(types_of_exploitation=_weighted(rng, _FORMS)),
                    expected_version=None,
                )
            # Demo only: spread the openings over the last months, so the charts have a history.
            opened = now - dt.timedelta(days=rng.randrange(0, MONTHS * 30))
            Case.objects.filter(pk=case.pk).update(opened_at=opened)
            made += 1
    return made


def _population(officer: Principal) -> int:
    year = timezone.localdate().year
    lines = ["country,year,sex,age_band,population,source"]
    for country, (men, women) in _POPULATION.items():
        for y in (year - 1, year):
            lines.append(f"{country},{y},,,{men + women},Illustrative demo figure")
            lines.append(f"{country},{y},male,,{men},Illustrative demo figure")
            lines.append(f"{country},{y},female,,{women},Illustrative demo figure")
    return indicators.upload_population(actor=officer, data="\n".join(lines).encode())


def load_demo_evidence() -> list[str]:
    spec = DEMO_ORGS[0]
    worker = _actor(demo_email(spec, Role.CASEWORKER))
    officer = _actor(demo_email(spec, Role.DATA_OFFICER))
    if worker is None or officer is None:
        return []
    if ExportJob.objects.filter(requested_by=officer.user).exists():
        return ["Demo evidence already loaded."]
    made = _caseload(worker)
    stored = _population(officer)
    from salama.accounts.models import Organisation

    for org_id in Organisation.objects.values_list("pk", flat=True):
        counts.refresh(org_id)
    job = exports.request_export(
        actor=officer, dataset="cases", fmt="xlsx", filters=figures.Filters()
    )
    exports.build_export(str(job.pk))
    return [
        f"Loaded {made} more demo cases for the dashboards, {stored} population figures "
        "and one finished export."
    ]
