"""Demo cases for the demo persons, spread over the stages (demo mode only; idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

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


# The exploitation record ---------------------------------------------------------------------

# Typical situations for the demo's two settings (a Jordanian and a Kenyan organisation): what
# happened, through which countries, by what means; each demo trafficking case takes one. The
# people named are fictional.
_SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "JO": [
        {
            "origins": ["ET", "ER", "SD", "PH", "LK"],
            "transit": ["SD", "EG"],
            "exploited_in": ["JO"],
            "types": ["Servitude", "ForcedLabour"],
            "industries": ["T_ActivitiesOfHouseholdsAsEmployers"],
            "control": ["WithholdsDocuments", "TakesEarnings", "ExcessiveWorkingHours"],
            "more_control": ["PsychologicalAbuse", "WithholdsNecessities", "PhysicalAbuse"],
            "recruitment": ["ThroughAnOnlineAdvertisement", "ThroughFamilyOrFamilyEvents"],
            "apps": ["Facebook", "WhatsApp"],
            "relationship": ["Other", "Family"],
            "roles": [["RecruiterOrIntermediary", "BrokerTravelAgent"], ["Exploiter"]],
        },
        {
            "origins": ["SY", "IQ", "UA", "NG"],
            "transit": ["LB", "TR"],
            "exploited_in": ["JO", "LB"],
            "types": ["SexualExploitation"],
            "sex": ["Prostitution", "RemoteInteractiveServices"],
            "control": ["DebtBondage", "PhysicalThreats", "SexualAbuse"],
            "more_control": ["PsychoactiveSubstance", "ThreatsLawEnforcement", "FalsePromises"],
            "recruitment": ["ThroughOnlineSocialNetworks", "ThroughFriendsOrSocialEvents"],
            "apps": ["Instagram", "TikTok", "Telegram"],
            "exploitation_apps": ["Telegram", "WhatsApp"],
            "relationship": ["IntimatePartner", "Friend"],
            "roles": [["RecruiterOrIntermediary"], ["Exploiter", "ControlledIndividual"]],
        },
        {
            "origins": ["EG", "SY", "BD"],
            "transit": [],
            "exploited_in": ["JO"],
            "types": ["ForcedLabour"],
            "industries": ["A_AgricultureForestryAndFishing", "F_Construction", "C_Manufacturing"],
            "control": ["DebtBondage", "WithholdsDocuments", "ThreatsLawEnforcement"],
            "more_control": ["ExcessiveWorkingHours", "RestrictsMedicalCare", "FalsePromises"],
            "recruitment": ["AtWork", "ThroughFriendsOrSocialEvents", "AtAPlaceOfBusiness"],
            "apps": [],
            "relationship": ["Friend", "Other"],
            "roles": [["BrokerTravelAgent"], ["Exploiter"], ["Transporter"]],
        },
        {
            "origins": ["SY", "IQ"],
            "transit": [],
            "exploited_in": ["JO"],
            "types": ["ForcedBegging", "ChildLabour"],
            "control": ["ThreatensChildrenFamily", "PhysicalAbuse", "TakesEarnings"],
            "more_control": ["WithholdsNecessities"],
            "recruitment": ["ThroughFamilyOrFamilyEvents"],
            "apps": [],
            "relationship": ["Family"],
            "roles": [["ControlledIndividual", "Exploiter"]],
        },
        {
            "origins": ["SY", "IQ", "YE"],
            "transit": [],
            "exploited_in": ["JO"],
            "types": ["ForcedMarriage", "Servitude"],
            "control": [
                "PsychologicalAbuse",
                "ThreatensChildrenFamily",
                "RestrictsFinancialAccess",
            ],
            "more_control": ["PhysicalAbuse", "SexualAbuse"],
            "recruitment": ["ThroughFamilyOrFamilyEvents"],
            "apps": [],
            "relationship": ["Family", "IntimatePartner"],
            "roles": [["SoldIndividual"], ["BoughtIndividual", "Abuser"]],
        },
    ],
    "KE": [
        {
            "origins": ["KE", "UG", "ET"],
            "transit": ["ET", "AE"],
            "exploited_in": ["SA", "AE", "QA", "LB"],
            "types": ["Servitude", "ForcedLabour"],
            "industries": ["T_ActivitiesOfHouseholdsAsEmployers"],
            "control": ["WithholdsDocuments", "ExcessiveWorkingHours", "TakesEarnings"],
            "more_control": ["PhysicalAbuse", "SexualAbuse", "WithholdsNecessities"],
            "recruitment": ["AtAPlaceOfBusiness", "ThroughAnOnlineAdvertisement"],
            "apps": ["Facebook", "WhatsApp"],
            "relationship": ["Other"],
            "roles": [["BrokerTravelAgent", "RecruiterOrIntermediary"], ["Exploiter"]],
        },
        {
            "origins": ["KE", "TZ", "UG", "SO"],
            "transit": ["TZ"],
            "exploited_in": ["KE"],
            "types": ["SexualExploitation"],
            "sex": ["Prostitution", "PrivateSexualServices", "Pornography"],
            "control": ["DebtBondage", "PsychoactiveSubstance", "PhysicalThreats"],
            "more_control": ["FalsePromises", "SexualAbuse"],
            "recruitment": ["ThroughFriendsOrSocialEvents", "ThroughOnlineSocialNetworks"],
            "apps": ["Facebook", "Instagram", "TikTok"],
            "exploitation_apps": ["WhatsApp"],
            "relationship": ["Friend", "IntimatePartner"],
            "roles": [["RecruiterOrIntermediary", "HarbouredIndividual"], ["Exploiter"]],
        },
        {
            "origins": ["KE", "TZ", "ET"],
            "transit": [],
            "exploited_in": ["KE", "TZ"],
            "types": ["ForcedLabour"],
            "industries": ["A_AgricultureForestryAndFishing", "B_MiningAndQuarrying"],
            "control": ["DebtBondage", "TakesEarnings", "ExcessiveWorkingHours"],
            "more_control": ["PhysicalThreats", "WithholdsNecessities"],
            "recruitment": ["AtWork", "ThroughFriendsOrSocialEvents"],
            "apps": [],
            "relationship": ["Friend", "Other"],
            "roles": [["RecruiterOrIntermediary"], ["Exploiter", "Transporter"]],
        },
        {
            "origins": ["SS", "SO", "ET"],
            "transit": ["UG"],
            "exploited_in": ["KE"],
            "types": ["ForcedBegging", "ChildLabour"],
            "control": ["TakesEarnings", "PhysicalAbuse", "WithholdsNecessities"],
            "more_control": ["ThreatensChildrenFamily"],
            "recruitment": ["ThroughFamilyOrFamilyEvents"],
            "apps": [],
            "relationship": ["Family", "Other"],
            "roles": [["Transporter"], ["ControlledIndividual"]],
        },
    ],
}
_GIVEN = ("Hassan", "Mona", "Yusuf", "Grace", "Peter", "Samir", "Halima", "Daniel", "Rasha")
_FAMILY = ("Khoury", "Otieno", "Mansour", "Kamau", "Haddad", "Wanjiru", "Saleh")
_ALIASES = ("the agent", "Abu Fadi", "Madam K", "the driver", "Uncle Joe", "Boss Sam")
_DETAILS = (
    "Office above a phone shop near the bus station",
    "Drives a white minibus; two phone numbers",
    "Tall, about 45, gold ring, speaks three languages",
    "Runs a recruitment agency with a Facebook page",
)


def _pick(rng: random.Random, values: list[str], low: int = 1) -> list[str]:
    if not values:
        return []
    return rng.sample(values, rng.randint(min(low, len(values)), len(values)))


def _month_back(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(low, high))


def _demo_record(rng: random.Random, case: Case, scenario: dict[str, Any]) -> Any:
    from salama.cases.exploitation import EventInput, ExploitationInput

    today = timezone.localdate()
    own = (case.person.nationalities or [""])[0]
    origin = own if own in scenario["origins"] else rng.choice(scenario["origins"])
    exploited_in = rng.choice(scenario["exploited_in"])
    recruited = _month_back(rng, today, 120, 1600)
    exploited = min(today, recruited + dt.timedelta(days=rng.randrange(20, 90)))
    events = [EventInput("Recruitment", origin, recruited.year, recruited.month)]
    transit = [c for c in scenario["transit"] if c not in (origin, exploited_in)]
    for country in rng.sample(transit, rng.randint(0, len(transit))) if transit else []:
        when = recruited + dt.timedelta(days=rng.randrange(5, 20))
        events.append(EventInput("Transit", country, when.year, when.month))
    events.append(
        EventInput("Exploitation", exploited_in, exploited.year, exploited.month, exploited.day)
    )
    if origin == exploited_in:  # exploited at home: recruitment and exploitation, no transit
        events = [e for e in events if e.event_type != "Transit"]
    months = max(0, (today - exploited).days // 30)
    return ExploitationInput(
        types_of_exploitation=scenario["types"],
        types_of_sex_exploitation=_pick(rng, scenario.get("sex", [])),
        forced_labour_industries=_pick(rng, scenario.get("industries", [])),
        methods_of_control=scenario["control"] + _pick(rng, scenario["more_control"], 0),
        methods_of_recruitment=[rng.choice(scenario["recruitment"])],
        recruitment_websites=_pick(rng, scenario["apps"], 0),
        exploitation_websites=_pick(rng, scenario.get("exploitation_apps", []), 0),
        relationship_to_trafficker=[rng.choice(scenario["relationship"])],
        duration_months=rng.randint(1, max(1, months)) if rng.random() < 0.8 else None,
        events=events,
    )


def _demo_perpetrator(
    rng: random.Random, roles: list[str], origin: str, country: str, names: tuple[str, ...]
) -> Any:
    from salama.cases.exploitation import PerpetratorInput

    given, family, alias = names
    named = rng.random() < 0.6
    return PerpetratorInput(
        first_name=given if named else "",
        second_name=family if named and rng.random() < 0.5 else "",
        alias=alias if not named or rng.random() < 0.3 else "",
        identifying_details=rng.choice(_DETAILS) if rng.random() < 0.5 else "",
        roles=roles,
        citizenship=rng.choice([origin, country, ""]),
        sex=rng.choice(["male", "male", "female", "unknown"]),
        age_band=rng.choice(["24-26", "30-38", "39-47", "48+", ""]),
    )


def load_demo_exploitation() -> list[str]:
    """Exploitation records (and perpetrators) on the demo trafficking cases, through the
    services, for the evidence pages to count (idempotent)."""
    from salama.cases import exploitation
    from salama.cases.models import ExploitationRecord

    rng = random.Random(SEED + 15)  # noqa: S311  (reproducible demo data, not secrets)
    made = 0
    for spec in DEMO_ORGS:
        actor = _actor(demo_email(spec, Role.CASEWORKER))
        if actor is None or actor.organisation is None:
            continue
        org = actor.organisation
        if ExploitationRecord.objects.filter(case__organisation=org).exists():
            continue
        scenarios = _SCENARIOS.get(org.country, _SCENARIOS["JO"])
        cases = Case.objects.filter(
            organisation=org, assigned_to=actor.user, closed_at__isnull=True
        ).select_related("person__data_key")
        with transaction.atomic():
            for case in cases.order_by("opened_at", "id"):
                if case.person.is_erased:
                    continue
                wanted = case.case_type == CaseType.TRAFFICKING or rng.random() < 0.15
                if not wanted:
                    continue
                scenario = rng.choice(scenarios)
                data = _demo_record(rng, case, scenario)
                exploitation.record_exploitation(
                    actor=actor, case=case, data=data, expected_version=0
                )
                origin = data.events[0].country
                chosen = scenario["roles"][: rng.randint(0, len(scenario["roles"]))]
                # No two perpetrators of a case alike: each takes its own names.
                names = zip(
                    rng.sample(_GIVEN, 3),
                    rng.sample(_FAMILY, 3),
                    rng.sample(_ALIASES, 3),
                    strict=True,
                )
                for roles, named in zip(chosen, names, strict=False):
                    exploitation.add_perpetrator(
                        actor=actor,
                        case=case,
                        data=_demo_perpetrator(rng, roles, origin, org.country, named),
                    )
                made += 1
    if made:
        return [f"Loaded {made} demo exploitation records."]
    return ["Demo exploitation records already loaded."]
