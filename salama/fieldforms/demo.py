"""Demo field forms (SALAMA_DEMO only): the first-contact interview of the first demo organisation,
an enrolled phone, two submissions waiting for review and one accepted."""

from __future__ import annotations

import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from django.db import transaction

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.cases.access import visible_cases
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.fieldforms import services
from salama.fieldforms.models import FieldForm

DEMO_FORM = Path(__file__).resolve().parent / "data" / "first_contact.xlsx"
DEMO_MAPPING = {
    "given_name": "given_name",
    "family_name": "family_name",
    "sex": "sex",
    "estimated_age": "age",
    "nationality": "nationality",
    "languages": "languages",
    "phone": "phone",
    "first_contact_on": "met_on",
    "first_contact_place": "met_at",
    "case_type": "needs",
    "consent_assistance": "consent",
}
# (given, family, sex, age, nationality, languages, place, concern, notes)
DEMO_SUBMISSIONS = (
    (
        "Selam",
        "Tesfay",
        "female",
        "24",
        "ER",
        "ti ar",
        "Aqaba port",
        "trafficking",
        "Passport kept by the recruiter; owes a debt for the journey.",
    ),
    (
        "Omar",
        "Nouri",
        "male",
        "16",
        "SD",
        "ar",
        "Ramtha bus station",
        "unaccompanied_child",
        "Travelling alone; an uncle in Amman is not answering.",
    ),
    (
        "Farida",
        "Karimi",
        "female",
        "31",
        "AF",
        "fr en",
        "Amman shelter",
        "stranded_migrant",
        "Lost her documents; wants to go home.",
    ),
)


def _actor(organisation: Organisation, role: str, email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.filter(organisation=organisation).first() if user else None
    return Principal(user=user, membership=membership, verified=True) if membership else None


def _xml(version: str, row: tuple[str, ...]) -> bytes:
    given, family, sex, age, nationality, languages, place, concern, notes = (
        escape(value) for value in row
    )
    return (
        f'<data id="first_contact" version="{version}"><given_name>{given}</given_name>'
        f"<family_name>{family}</family_name><sex>{sex}</sex><age>{age}</age>"
        f"<nationality>{nationality}</nationality><languages>{languages}</languages>"
        f"<phone/><met_on>2026-11-28</met_on><met_at>{place}</met_at><needs>{concern}</needs>"
        f"<consent>yes</consent><photo/><notes>{notes}</notes>"
        f"<meta><instanceID>uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'salama-demo-' + given + family)}</instanceID></meta></data>"
    ).encode()


def load_demo_fieldforms() -> list[str]:
    """Upload the demo form, enrol a phone, receive three interviews and accept the last."""
    demo = DEMO_ORGS[0]
    org = Organisation.objects.filter(name=demo.name).first()
    supervisor = _actor(org, Role.SUPERVISOR, demo_email(demo, Role.SUPERVISOR)) if org else None
    caseworker = _actor(org, Role.CASEWORKER, demo_email(demo, Role.CASEWORKER)) if org else None
    if org is None or supervisor is None or caseworker is None:
        return [f"{demo.name}: no demo supervisor and caseworker; load accounts first."]
    if FieldForm.objects.filter(organisation=org, form_id="first_contact").exists():
        return ["Demo field forms already loaded."]
    with transaction.atomic():
        version = services.upload_form(
            actor=supervisor, content=DEMO_FORM.read_bytes(), filename=DEMO_FORM.name
        )
        services.set_mapping(actor=supervisor, version=version, mapping=DEMO_MAPPING)
        app_user, _token = services.create_app_user(
            actor=supervisor, name="Outreach phone 1", forms=[version.form]
        )
        rows = list(DEMO_SUBMISSIONS[:2])
        # The accepted one is a second interview of someone already registered, accepted into
        # their open case (as a reviewer does after the duplicate warning).
        case = (
            visible_cases(caseworker)
            .filter(closed_at__isnull=True, person__erased_at__isnull=True)
            .order_by("opened_at")
            .select_related("person")
            .first()
        )
        if case is not None:
            known = case.person
            rows.append(
                (
                    known.given_name,
                    known.family_name or "",
                    known.sex,
                    "30",
                    "",
                    "ar",
                    "Amman office",
                    "",
                    "Came back to ask about the shelter.",
                )
            )
        received = [
            services.receive_submission(
                app_user=app_user, xml=_xml(version.version, row), files={}
            ).submission
            for row in rows
        ]
        if case is not None:
            services.accept_submission(
                actor=caseworker, submission=received[-1], person=case.person, case=case
            )
    return [
        f"{org.name}: field form “{version.form.title}” with a phone enrolled, "
        "two submissions to review and one accepted into an existing case."
    ]
