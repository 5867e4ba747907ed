"""Demo data for the duplicate review: pairs waiting at Nour (one woman registered in Arabic and
in Latin script, a group of three, namesakes), a merge that can be undone, and a possible match
with a person registered by Amani that neither side has agreed to disclose yet.

The pairs are written as the matching engine writes them (a finished run, pairs with reasons as
codes), so the queue shows something without running the engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.matching.models import CandidatePair, MatchRun
from salama.matching.review_services import merge_pair
from salama.people import services as people
from salama.people.choices import Sex

MARKER = "demo_review"
# How many persons the loader registers (the demo data's test counts them).
DEMO_REVIEW_PERSONS = 11

NAME = {"field": "name", "level": "cross_script", "weight": 6.4}
SAME_NAME = {"field": "name", "level": "exact", "weight": 5.1}
SIMILAR_NAME = {"field": "name", "level": "similar", "weight": 3.2}
BIRTH = {"field": "birth_date", "level": "exact", "weight": 4.3}
BIRTH_FAR = {"field": "birth_date", "level": "different", "weight": -3.8}
SEX = {"field": "sex", "level": "exact", "weight": 0.4}
NATIONALITY = {"field": "nationality", "level": "exact", "weight": 0.9}
DOCUMENT = {"field": "document", "level": "missing", "weight": 0.0}


def _principal(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    membership = user.memberships.select_related("organisation").first()
    return Principal(user=user, membership=membership, verified=True)


def _person(actor: Principal, given: str, family: str, born: dt.date, sex: str, nat: str) -> Any:
    return people.register_person(
        actor=actor,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        nationalities=[nat],
    )


def _pair(run: MatchRun, first: Any, second: Any, p: float, reasons: list[Any], **kw: Any) -> Any:
    a, b = sorted([first, second], key=lambda x: str(x.pk))
    return CandidatePair.objects.create(
        run=run,
        person_a=a,
        person_b=b,
        probability=p,
        match_weight=sum(r["weight"] for r in reasons),
        reasons=reasons,
        cluster_key=kw.get("cluster", str(a.pk)),
        cross_organisation=a.registered_by_id != b.registered_by_id,
    )


def load_demo_review() -> list[str]:
    """Write the demo review queue (idempotent) and say where to look."""
    nour = Organisation.objects.filter(name=DEMO_ORGS[0].name).first()
    cw = _principal(demo_email(DEMO_ORGS[0], Role.CASEWORKER))
    sup = _principal(demo_email(DEMO_ORGS[0], Role.SUPERVISOR))
    cw_amani = _principal(demo_email(DEMO_ORGS[1], Role.CASEWORKER))
    if nour is None or cw is None or sup is None or cw_amani is None:
        return ["No demo caseworkers and supervisors: load the demo accounts first."]
    lines = [
        "Possible duplicates: log in as the Nour supervisor, open “Possible duplicates”: "
        "Khadija Omar / خديجة عمر, a group of three, namesakes, and a match with Amani.",
    ]
    if MatchRun.objects.filter(organisation=nour, step=MARKER).exists():
        return ["Demo review queue already loaded.", *lines]
    with transaction.atomic():
        run = MatchRun.objects.create(
            organisation=nour,
            requested_by=sup.user,
            status=MatchRun.Status.FINISHED,
            step=MARKER,
            progress=100,
            persons=9,
            pairs=6,
            clusters=4,
        )
        born = dt.date(1993, 8, 2)
        latin = _person(cw, "Khadija", "Omar", born, Sex.FEMALE, "SD")
        arabic = _person(cw, "خديجة", "عمر", born, Sex.FEMALE, "SD")
        _pair(run, latin, arabic, 0.995, [NAME, BIRTH, SEX, NATIONALITY, DOCUMENT])

        yonas = [
            _person(cw, "Yonas", "Haile", dt.date(1998, 1, 15), Sex.MALE, "ER"),
            _person(cw, "Yonas", "Hailé", dt.date(1998, 1, 15), Sex.MALE, "ER"),
            _person(cw, "Yonas", "Hayle", dt.date(1998, 1, 15), Sex.MALE, "ER"),
        ]
        key = str(min(yonas, key=lambda x: str(x.pk)).pk)
        _pair(run, yonas[0], yonas[1], 0.97, [SIMILAR_NAME, BIRTH, SEX, NATIONALITY], cluster=key)
        _pair(run, yonas[0], yonas[2], 0.93, [SIMILAR_NAME, BIRTH, SEX, NATIONALITY], cluster=key)
        _pair(run, yonas[1], yonas[2], 0.92, [SIMILAR_NAME, BIRTH, SEX, NATIONALITY], cluster=key)

        older = _person(cw, "Mohamed", "Ali", dt.date(1975, 3, 3), Sex.MALE, "SD")
        younger = _person(cw, "Mohamed", "Ali", dt.date(1996, 11, 20), Sex.MALE, "SD")
        _pair(run, older, younger, 0.9, [SAME_NAME, BIRTH_FAR, SEX, NATIONALITY])

        samir = _person(cw, "Samir", "Haddad", dt.date(1987, 6, 9), Sex.MALE, "SY")
        samir_ar = people.register_person(
            actor=cw,
            given_name="سمير",
            family_name="حداد",
            date_of_birth=dt.date(1987, 6, 9),
            sex=Sex.MALE,
            nationalities=["SY"],
            documents=[people.DocumentInput(doc_type="passport", number="N0098123")],
        )
        merged = _pair(run, samir, samir_ar, 0.99, [NAME, BIRTH, SEX, NATIONALITY])
        merge_pair(
            actor=sup,
            pair=merged,
            keep=samir,
            reason_code="same_document",
            note="Same passport seen at both registrations",
        )

        fatuma = _person(cw, "Fatuma", "Abdi", dt.date(2001, 4, 12), Sex.FEMALE, "SO")
        fatuma_amani = _person(cw_amani, "Fatuma", "Abdi", dt.date(2001, 4, 12), Sex.FEMALE, "SO")
        _pair(run, fatuma, fatuma_amani, 0.96, [SAME_NAME, BIRTH, SEX, NATIONALITY])
    return lines
