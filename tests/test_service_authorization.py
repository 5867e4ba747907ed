"""The service matrix: every write service × every role of the owning organisation, of another
organisation, and of a referral's recipient.

Views and the API fetch records through each app's access rules before they call a service, but
imports, field submissions, matching and commands call services directly. So every service checks
the actor against the record itself, and this test proves it: each service that takes an
``actor`` must appear in SERVICES (`test_every_write_service_is_in_the_matrix` fails otherwise),
with the roles that may use it on organisation A's records. Everyone else must be refused with
PermissionDenied or Http404 before anything is written; the allowed roles must get past the check
(they may still meet a rule of the domain, a ValidationError, which is not an access refusal).

The world is built once per module; each call runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

import salama
from conftest import make_user, principal
from salama.accounts.models import Organisation, User
from salama.core.roles import Role

A_ROLES = ("cw", "cw2", "sup", "admin", "data", "prov")
B_ROLES = ("cw_b", "sup_b", "admin_b", "prov_b")
ROLES = A_ROLES + B_ROLES + ("root",)

CASE_TEAM = frozenset({"cw", "sup"})
NOBODY: frozenset[str] = frozenset()
# Everyone with an evidence dashboard (not a service provider), each in their own scope.
EVIDENCE = frozenset({"cw", "cw2", "sup", "admin", "data", "cw_b", "sup_b", "admin_b", "root"})

# Functions with an ``actor`` that are not write services: reads (checked by the pages' tests)
# and the audit writer every service calls.
READS = {"people.find_duplicates", "core.record", "core.append_many"}

_SKIP_MODULES = {"views", "api", "forms", "admin", "urls", "apps", "demo", "access", "tests"}


def write_services() -> dict[str, Callable[..., Any]]:
    """Every public function in salama that takes a keyword-only ``actor``, as ``app.name``."""
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(salama.__path__, "salama."):
        parts = info.name.split(".")
        if len(parts) < 3 or {"migrations", "tests", "management"} & set(parts):
            continue
        if parts[-1] in _SKIP_MODULES:
            continue
        module = importlib.import_module(info.name)
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or func.__module__ != module.__name__:
                continue
            params = inspect.signature(func).parameters
            if "actor" in params and params["actor"].kind is inspect.Parameter.KEYWORD_ONLY:
                found[f"{parts[1]}.{name}"] = func
    return found


@dataclass
class World:
    users: dict[str, User]
    ngo_a: Organisation
    ngo_b: Organisation
    objects: dict[str, Any]

    def actor(self, role: str) -> Any:
        return principal(self.users[role])

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    from salama.assistance import services as assistance
    from salama.cases import services as cases
    from salama.people import services as people
    from salama.people.models import CONSENT_CHECKLIST
    from salama.referrals import services as referrals
    from salama.referrals.models import Service
    from salama.screening import services as screening

    ngo_a = Organisation.objects.create(
        name="Service NGO A",
        org_type="NGO",
        country="JO",
        reference_prefix="SVCA",
        reassignment_needs_approval=True,
    )
    ngo_b = Organisation.objects.create(
        name="Service NGO B", org_type="NGO", country="KE", reference_prefix="SVCB"
    )
    users = {
        "cw": make_user(ngo_a, Role.CASEWORKER, "cw@a.example"),
        "cw2": make_user(ngo_a, Role.CASEWORKER, "cw2@a.example"),
        "sup": make_user(ngo_a, Role.SUPERVISOR, "sup@a.example"),
        "admin": make_user(ngo_a, Role.ORG_ADMIN, "admin@a.example"),
        "data": make_user(ngo_a, Role.DATA_OFFICER, "data@a.example"),
        "prov": make_user(ngo_a, Role.SERVICE_PROVIDER, "prov@a.example"),
        "cw_b": make_user(ngo_b, Role.CASEWORKER, "cw@b.example"),
        "sup_b": make_user(ngo_b, Role.SUPERVISOR, "sup@b.example"),
        "admin_b": make_user(ngo_b, Role.ORG_ADMIN, "admin@b.example"),
        "prov_b": make_user(ngo_b, Role.SERVICE_PROVIDER, "prov@b.example"),
        "root": make_user(None, None, "root@salama.example", is_superuser=True, is_staff=True),
    }
    cw, sup, admin = (principal(users[r]) for r in ("cw", "sup", "admin"))
    prov_b = principal(users["prov_b"])
    today = timezone.localdate()
    checklist = {key: True for key, _label in CONSENT_CHECKLIST}

    person = people.register_person(
        actor=cw,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
        documents=[people.DocumentInput(doc_type="passport", number="P7654321")],
    )
    case = cases.open_case(actor=cw, person=person, case_type="trafficking", supervisor=None)
    consent = people.record_consent(
        actor=cw,
        person=person,
        purpose="referral",
        method="verbal",
        given_on=today,
        checklist=checklist,
        recipient=ngo_b,
    )
    note = cases.add_note(actor=cw, case=case, body="Met at the border post.")
    task = cases.add_task(actor=cw, case=case, title="Call the shelter", due_on=None)
    plan_item = cases.add_plan_item(
        actor=cw, case=case, goal="Safe housing", action="Refer to a shelter"
    )
    reassignment = cases.assign_case(actor=cw, case=case, to_user=users["cw2"])
    from salama.cases import approvals

    plan_approval = approvals.submit_plan(actor=cw, case=case)
    case.refresh_from_db()
    from salama.cases import exploitation

    perpetrator = exploitation.add_perpetrator(
        actor=cw, case=case, data=exploitation.PerpetratorInput(alias="The driver")
    )
    screening_record = screening.start_screening(actor=cw, case=case, exploitation="labour")
    assessment = screening.start_assessment(actor=cw, case=case)
    decision = screening.record_identification_decision(
        actor=sup,
        case=case,
        step="reasonable_grounds",
        decided_by_org_type="Police",
        authority_name="Anti-trafficking unit",
        decided_on=today,
        outcome="negative",
    )
    reconsideration = screening.request_reconsideration(
        actor=sup,
        decision=decision,
        kind="reconsideration",
        requested_on=today,
        requested_by="person",
    )
    case.refresh_from_db()

    fund = assistance.create_fund(
        actor=admin,
        name="Stranded migrants fund",
        kind="stranded_migrants",
        currency="USD",
        approval_threshold=Decimal("1000"),
    )
    assistance.deposit(actor=admin, fund=fund, amount=Decimal("500"), note="Donor tranche")

    def ask(amount: str) -> Any:
        return assistance.request_assistance(
            actor=cw,
            case=case,
            service_type="accommodation",
            description="Three nights in a hostel",
            quantity=Decimal(1),
            unit_cost=Decimal(amount),
            service_date=today,
            currency="USD",
            fund=fund,
        )

    requested = ask("20")
    approved = assistance.approve_item(actor=sup, item=ask("30"))

    service_b = Service.objects.create(
        provider=referrals.ensure_provider(ngo_b),
        name="NGO B shelter",
        service_type="accommodation",
        country="KE",
    )

    def refer() -> Any:
        return referrals.send_referral(
            actor=cw,
            case=case,
            service=service_b,
            packet_fields=["name", "sex"],
            purpose_note="Needs a safe bed tonight",
        )

    referral = refer()
    accepted = refer()
    for step in ("acknowledge_referral", "accept_referral"):
        getattr(referrals, step)(actor=prov_b, referral=accepted, expected_version=None)
        accepted.refresh_from_db()
    delivered = refer()
    referrals.acknowledge_referral(actor=prov_b, referral=delivered, expected_version=None)
    delivered.refresh_from_db()
    referrals.accept_referral(actor=prov_b, referral=delivered, expected_version=None)
    delivered.refresh_from_db()
    referrals.record_delivery(
        actor=prov_b,
        referral=delivered,
        delivery_note="Two nights given",
        delivered_on=today,
        expected_version=None,
    )
    delivered.refresh_from_db()
    transfer = referrals.request_transfer(
        actor=sup,
        case=case,
        to_org=ngo_b,
        packet_fields=["name"],
        reason="She moved to Kenya",
        open_items="keep",
    )
    # A child of the person, with a case: household links, a guardian, best interests.
    from salama.cases import best_interests
    from salama.people import household

    child = people.register_person(
        actor=cw, given_name="Yusuf", family_name="Yusuf", date_of_birth=dt.date(2016, 2, 3)
    )
    child_case = cases.open_case(actor=cw, person=child, case_type="trafficking")
    sibling = people.register_person(actor=cw, given_name="Mariam", estimated_age=8)
    household_link = household.link_household(
        actor=cw, person=person, other=child, relationship="parent"
    )
    guardian = household.set_guardian(actor=cw, child=child, kind="parent", guardian_person=person)
    bia_input = best_interests.AssessmentInput(
        assessed_on=today, child_views_heard=True, views_how="Alone", recommendations="Stay"
    )
    bia_draft = best_interests.record_best_interests_assessment(
        actor=cw, case=child_case, data=bia_input
    )
    bia_done = best_interests.record_best_interests_assessment(
        actor=cw, case=child_case, data=bia_input, complete=True
    )
    # A return journey that arrived, handed to NGO B (Kenya) by a reception referral.
    from salama.returns import services as returns

    returnee = people.register_person(actor=cw, given_name="Wanjiru", family_name="Kamau")
    return_case = cases.open_case(actor=cw, person=returnee, case_type="returnee")
    for purpose, extra in (("return", {}), ("referral", {"recipient": ngo_b})):
        people.record_consent(
            actor=cw,
            person=returnee,
            purpose=purpose,
            method="written",
            given_on=today,
            checklist=checklist,
            **extra,
        )
    journey = returns.open_journey(actor=cw, case=return_case, country="KE")
    for step, data in (
        ("decide_return", {}),
        ("assess_risk", {"risk_level": "low", "reasons": "Family waiting"}),
        ("assess_health", {"fitness": "fit"}),
        ("request_documents", {"document_type": "passport", "consulate": "Kenya, Amman"}),
        ("issue_documents", {"document_number": "AK100"}),
        ("add_leg", {"from_place": "Amman", "to_place": "Nairobi"}),
        ("depart", {}),
    ):
        returns.take_step(
            actor=cw, journey=journey, step=step, data=returns.StepInput(on=today, **data)
        )
    reception_service = Service.objects.create(
        provider=referrals.ensure_provider(ngo_b),
        name="NGO B reintegration desk",
        service_type="reintegration",
        country="KE",
    )
    reception_referral = returns.send_reception_referral(
        actor=cw,
        journey=journey,
        service=reception_service,
        purpose_note="Receive her at the airport",
        packet_fields=["name"],
    )
    journey.refresh_from_db()
    returns.take_step(actor=cw, journey=journey, step="arrive", data=returns.StepInput(on=today))
    journey.refresh_from_db()
    from salama.accounts.models import ApiToken, Membership

    invitation = __import__("salama.accounts.services", fromlist=["invite_member"]).invite_member(
        actor=admin, organisation=ngo_a, email="invitee@a.example", role="caseworker"
    )
    token, _secret = __import__(
        "salama.accounts.services", fromlist=["create_api_token"]
    ).create_api_token(actor=cw, name="phone", scopes=["case.view"])
    field_forms = _field_forms_world(sup)
    return World(
        users=users,
        ngo_a=ngo_a,
        ngo_b=ngo_b,
        objects={
            "person": person,
            "case": case,
            "consent": consent,
            "note": note,
            "task": task,
            "plan_item": plan_item,
            "perpetrator": perpetrator,
            "reassignment": reassignment,
            "plan_approval": plan_approval,
            "screening": screening_record,
            "assessment": assessment,
            "decision": decision,
            "reconsideration": reconsideration,
            "fund": fund,
            "requested": requested,
            "approved": approved,
            "service_b": service_b,
            "provider_a": referrals.ensure_provider(ngo_a),
            "referral": referral,
            "accepted": accepted,
            "delivered": delivered,
            "transfer": transfer,
            "token": ApiToken.objects.get(pk=token.pk),
            "invitation": invitation,
            "membership_cw": Membership.objects.get(user=users["cw"]),
            "child": child,
            "child_case": child_case,
            "sibling": sibling,
            "household_link": household_link,
            "guardian": guardian,
            "bia_input": bia_input,
            "bia_draft": bia_draft,
            "bia_done": bia_done,
            "release": _make_release(users["data"]),
            "journey": journey,
            "reception_service": reception_service,
            "reception_referral": reception_referral,
            "matching_agreement": _matching_agreement(ngo_b, ngo_a, users["admin_b"]),
            **field_forms,
            **_review_world(cw, sup, principal(users["cw_b"])),
            **__import__("salama.tracing.tests.world", fromlist=["w"]).tracing_world(cw),
        },
    )


def _field_forms_world(sup: Any) -> dict[str, Any]:
    """A field form of A with an enrolled device and one submission waiting for review."""
    from salama.fieldforms import services as fieldforms
    from salama.fieldforms.tests.workbooks import simple_form

    version = fieldforms.upload_form(actor=sup, content=simple_form(), filename="intake.xlsx")
    app_user, _token = fieldforms.create_app_user(actor=sup, name="Phone", forms=[version.form])
    xml = (
        b'<data id="intake" version="1"><given_name>Samir</given_name><sex>male</sex>'
        b"<meta><instanceID>uuid:matrix-1</instanceID></meta></data>"
    )
    submission = fieldforms.receive_submission(app_user=app_user, xml=xml, files={}).submission
    return {"form_version": version, "app_user": app_user, "submission": submission}


def _review_world(cw: Any, sup: Any, cw_b: Any) -> dict[str, Any]:
    from salama.matching.tests.review_factories import review_world

    return review_world(cw, sup, cw_b)


def _review() -> Any:
    return importlib.import_module("salama.matching.review_services")


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("letter.txt", b"A plain letter.", content_type="text/plain")


@dataclass(frozen=True)
class Entry:
    allowed: frozenset[str]
    call: Callable[[World, Any], Any]


def _screening(name: str, allowed: frozenset[str] = CASE_TEAM, **kw: Any) -> Entry:
    def call(w: World, actor: Any) -> Any:
        from salama.screening import services

        return getattr(services, name)(actor=actor, **{k: v(w) for k, v in kw.items()})

    return Entry(allowed, call)


# Recording a competent authority's decisions needs identification.record: supervisors only.
IDENTIFICATION_RECORDERS = frozenset({"sup"})


TODAY = dt.date(2026, 1, 5)

SERVICES: dict[str, Entry] = {
    # accounts: administrators act on their own organisation's memberships only
    "accounts.create_organisation": Entry(
        frozenset({"root"}),
        lambda w, a: _svc("accounts").create_organisation(
            actor=a, name="NGO C", org_type="NGO", country="EG", reference_prefix="NGOC"
        ),
    ),
    "accounts.invite_member": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").invite_member(
            actor=a, organisation=w.ngo_a, email="new@a.example", role=Role.CASEWORKER
        ),
    ),
    "accounts.resend_invitation": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").resend_invitation(actor=a, invitation=w.invitation),
    ),
    "accounts.revoke_invitation": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").revoke_invitation(actor=a, invitation=w.invitation),
    ),
    "accounts.change_role": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").change_role(
            actor=a, membership=w.membership_cw, role=Role.SUPERVISOR
        ),
    ),
    "accounts.deactivate_membership": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").deactivate_membership(actor=a, membership=w.membership_cw),
    ),
    "accounts.reset_two_factor": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("accounts").reset_two_factor(actor=a, membership=w.membership_cw),
    ),
    "accounts.create_api_token": Entry(
        frozenset(A_ROLES + B_ROLES),  # one's own token, within one's own permissions
        lambda w, a: _svc("accounts").create_api_token(actor=a, name="t", scopes=[]),
    ),
    "accounts.revoke_api_token": Entry(
        frozenset({"cw", "root"}),
        lambda w, a: _svc("accounts").revoke_api_token(actor=a, token=w.token),
    ),
    # people
    "people.register_person": Entry(
        frozenset({"cw", "cw2", "sup", "cw_b", "sup_b"}),
        lambda w, a: _svc("people").register_person(
            actor=a, given_name="Omar", family_name="Haddad"
        ),
    ),
    "people.update_person": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").update_person(
            actor=a, person=w.person, expected_version=None, changes={"place_of_birth": "Keren"}
        ),
    ),
    "people.add_document": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").add_document(
            actor=a,
            person=w.person,
            document=_svc("people").DocumentInput(doc_type="passport", number="X1234567"),
        ),
    ),
    "people.add_contact": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").add_contact(
            actor=a,
            person=w.person,
            contact=_svc("people").ContactInput(kind="phone", value="+962 79 555 0102"),
        ),
    ),
    "people.set_photo": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").set_photo(actor=a, person=w.person, upload=_pdf()),
    ),
    "people.record_consent": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").record_consent(
            actor=a,
            person=w.person,
            purpose="assistance",
            method="verbal",
            given_on=TODAY,
            checklist={},
        ),
    ),
    "people.withdraw_consent": Entry(
        CASE_TEAM,
        lambda w, a: _svc("people").withdraw_consent(actor=a, consent=w.consent),
    ),
    "people.erase_person": Entry(
        frozenset({"sup"}),
        lambda w, a: _svc("people").erase_person(actor=a, person=w.person, reason="request"),
    ),
    # cases
    "cases.open_case": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").open_case(actor=a, person=w.person, case_type="trafficking"),
    ),
    "cases.move_case": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").move_case(
            actor=a, case=w.case, target="presumed_victim", expected_version=None
        ),
    ),
    "cases.close_case": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").close_case(
            actor=a, case=w.case, reason="no_longer_needed", expected_version=None
        ),
    ),
    "cases.reopen_case": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").reopen_case(actor=a, case=w.case, expected_version=None),
    ),
    "cases.assign_case": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").assign_case(actor=a, case=w.case, to_user=w.users["sup"]),
    ),
    "cases.decide_reassignment": Entry(
        frozenset({"sup"}),
        lambda w, a: _svc("cases").decide_reassignment(
            actor=a, reassignment=w.reassignment, approve=False
        ),
    ),
    # supervision approvals (salama.cases.approvals)
    "cases.submit_plan": Entry(
        CASE_TEAM,
        lambda w, a: _approvals().submit_plan(actor=a, case=w.case),
    ),
    "cases.submit_assessment": Entry(
        CASE_TEAM,
        lambda w, a: _approvals().submit_assessment(
            actor=a, case=w.case, assessment_id=str(w.assessment.id)
        ),
    ),
    "cases.request_approval": Entry(
        CASE_TEAM,
        lambda w, a: _approvals().request_approval(
            actor=a, case=w.case, kind="closure", reason="no_longer_needed"
        ),
    ),
    "cases.decide": Entry(
        frozenset({"sup"}),
        lambda w, a: _approvals().decide(
            actor=a, approval=w.plan_approval, approve=False, comment="Add a date to each action."
        ),
    ),
    "cases.add_note": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").add_note(actor=a, case=w.case, body="Called her sister."),
    ),
    "cases.add_attachment": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").add_attachment(
            actor=a, case=w.case, upload=_pdf(), description="Letter"
        ),
    ),
    "cases.add_task": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").add_task(actor=a, case=w.case, title="Visit", due_on=None),
    ),
    "cases.set_task_status": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").set_task_status(actor=a, task=w.task, status="done"),
    ),
    "cases.add_plan_item": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").add_plan_item(
            actor=a, case=w.case, goal="School", action="Enrol"
        ),
    ),
    "cases.set_plan_item_status": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").set_plan_item_status(
            actor=a, item=w.plan_item, status="in_progress"
        ),
    ),
    "cases.follow_event": Entry(
        IDENTIFICATION_RECORDERS,  # a decision's event; a screening's needs case.change only
        lambda w, a: _svc("cases").follow_event(
            actor=a, case=w.case, event="conclusive_grounds.positive"
        ),
    ),
    "cases.update_summary": Entry(
        CASE_TEAM,
        lambda w, a: _svc("cases").update_summary(
            actor=a, case=w.case, summary="Updated.", expected_version=None
        ),
    ),
    # the exploitation record and perpetrators: whoever may work the case (perpetrators need
    # person.view as well, which both roles of the case team hold)
    "cases.record_exploitation": Entry(
        CASE_TEAM,
        lambda w, a: _exploitation().record_exploitation(
            actor=a,
            case=w.case,
            data=_exploitation().ExploitationInput(types_of_exploitation=["ForcedLabour"]),
            expected_version=None,
        ),
    ),
    "cases.add_perpetrator": Entry(
        CASE_TEAM,
        lambda w, a: _exploitation().add_perpetrator(
            actor=a, case=w.case, data=_exploitation().PerpetratorInput(alias="The broker")
        ),
    ),
    "cases.change_perpetrator": Entry(
        CASE_TEAM,
        lambda w, a: _exploitation().change_perpetrator(
            actor=a,
            perpetrator=w.perpetrator,
            data=_exploitation().PerpetratorInput(alias="The driver's brother"),
            expected_version=None,
        ),
    ),
    "cases.remove_perpetrator": Entry(
        CASE_TEAM,
        lambda w, a: _exploitation().remove_perpetrator(
            actor=a, perpetrator=w.perpetrator, expected_version=None
        ),
    ),
    # risk and safety: whoever may work the case and read the person's data; the review
    # intervals: whoever manages the organisation's settings
    "cases.record_risk_assessment": Entry(
        CASE_TEAM,
        lambda w, a: _safety().record_risk_assessment(
            actor=a, case=w.case, level="high", risks=["traffickers"]
        ),
    ),
    "cases.revise_safety_plan": Entry(
        CASE_TEAM,
        lambda w, a: _safety().revise_safety_plan(
            actor=a,
            case=w.case,
            plan=_safety().SafetyPlanInput(actions="Call the hotline"),
            expected_revision=None,
        ),
    ),
    "cases.log_contact": Entry(
        CASE_TEAM,
        lambda w, a: _safety().log_contact(
            actor=a,
            case=w.case,
            data=_safety().ContactInput(
                occurred_at=timezone.now(), mode="phone", with_whom="person", summary="Checked in"
            ),
        ),
    ),
    "cases.set_review_interval": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _safety().set_review_interval(
            actor=a, organisation=w.ngo_a, level="high", days=5
        ),
    ),
    # screening: whoever may work the case
    "screening.start_screening": _screening(
        "start_screening", case=lambda w: w.case, exploitation=lambda w: "sexual"
    ),
    "screening.set_act_recorded": _screening(
        "set_act_recorded", screening=lambda w: w.screening, act_recorded=lambda w: True
    ),
    "screening.answer_indicator": _screening(
        "answer_indicator",
        screening=lambda w: w.screening,
        indicator=lambda w: "unknown-indicator",
        value=lambda w: "present",
    ),
    "screening.finalise_screening": _screening(
        "finalise_screening", screening=lambda w: w.screening
    ),
    "screening.amend_screening": _screening("amend_screening", screening=lambda w: w.screening),
    "screening.refer_for_identification": _screening(
        "refer_for_identification",
        case=lambda w: w.case,
        referred_on=lambda w: TODAY,
        authority_type=lambda w: "Police",
        authority_name=lambda w: "Anti-trafficking unit",
    ),
    "screening.record_identification_decision": _screening(
        "record_identification_decision",
        IDENTIFICATION_RECORDERS,
        case=lambda w: w.case,
        step=lambda w: "conclusive_grounds",
        decided_by_org_type=lambda w: "Police",
        authority_name=lambda w: "Anti-trafficking unit",
        decided_on=lambda w: TODAY,
        outcome=lambda w: "positive",
    ),
    "screening.request_reconsideration": _screening(
        "request_reconsideration",
        IDENTIFICATION_RECORDERS,
        decision=lambda w: w.decision,
        kind=lambda w: "appeal",
        requested_on=lambda w: TODAY,
        requested_by=lambda w: "person",
    ),
    "screening.decide_reconsideration": _screening(
        "decide_reconsideration",
        IDENTIFICATION_RECORDERS,
        reconsideration=lambda w: w.reconsideration,
        outcome=lambda w: "overturned",
        decided_on=lambda w: TODAY,
    ),
    "screening.start_assessment": _screening("start_assessment", case=lambda w: w.case),
    "screening.answer_factor": _screening(
        "answer_factor",
        assessment=lambda w: w.assessment,
        factor=lambda w: "unknown-factor",
        present=lambda w: "yes",
    ),
    "screening.add_situational_event": _screening(
        "add_situational_event",
        assessment=lambda w: w.assessment,
        factor=lambda w: "unknown-factor",
        description=lambda w: "Lost her job",
        occurred_on=lambda w: TODAY,
    ),
    "screening.finalise_assessment": _screening(
        "finalise_assessment", assessment=lambda w: w.assessment
    ),
    "screening.amend_assessment": _screening("amend_assessment", assessment=lambda w: w.assessment),
    "screening.plan_from_proposals": _screening(
        "plan_from_proposals", assessment=lambda w: w.assessment, response_codes=lambda w: []
    ),
    # the life cycle the screening services share
    "screening.start_record": Entry(
        CASE_TEAM,
        lambda w, a: _lifecycle().start_record(
            _svc("screening").SCREENING,
            actor=a,
            case=w.case,
            table={"table": "ilo-2009-adult-labour", "table_version": "1"},
            fields={"exploitation": "labour"},
            changes={},
            request=None,
        ),
    ),
    "screening.record_draft_change": Entry(
        CASE_TEAM,
        lambda w, a: _lifecycle().record_draft_change(
            _svc("screening").SCREENING,
            w.screening,
            "screening.answer",
            actor=a,
            changes={},
            request=None,
        ),
    ),
    "screening.finalise_record": Entry(
        CASE_TEAM,
        lambda w, a: _lifecycle().finalise_record(
            _svc("screening").SCREENING, w.screening, actor=a, request=None
        ),
    ),
    "screening.amend_record": Entry(
        CASE_TEAM,
        lambda w, a: _lifecycle().amend_record(
            _svc("screening").SCREENING, w.screening, actor=a, request=None
        ),
    ),
    # integrations: an organisation administrator's own (made in the call: rolled back after)
    "integrations.create_integration": Entry(
        frozenset({"admin", "admin_b"}),
        lambda w, a: _svc("integrations").create_integration(
            actor=a,
            name="Hotline",
            target_url="https://hooks.example.org/salama",
            events=["case.opened"],
            scopes=[],
        ),
    ),
    "integrations.update_integration": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("integrations").update_integration(
            actor=a,
            integration=_integration(w)[0],
            name="Hotline",
            target_url="https://hooks.example.org/salama",
            events=["case.opened"],
            scopes=[],
            is_active=False,
        ),
    ),
    "integrations.rotate_integration_secret": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("integrations").rotate_integration_secret(
            actor=a, integration=_integration(w)[0]
        ),
    ),
    "integrations.send_test_event": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("integrations").send_test_event(actor=a, integration=_integration(w)[0]),
    ),
    "integrations.resend_delivery": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("integrations").resend_delivery(actor=a, delivery=_integration(w)[1]),
    ),
    # imports: whoever registers persons and opens cases; an import is its uploader's only
    "integrations.create_import": Entry(
        frozenset({"cw", "cw2", "sup", "cw_b", "sup_b"}),
        lambda w, a: importlib.import_module("salama.integrations.import_services").create_import(
            actor=a, file_name="people.csv", content=b"given_name\nAmina\n"
        ),
    ),
    "integrations.set_import_mapping": Entry(
        frozenset({"cw"}),
        lambda w, a: importlib.import_module(
            "salama.integrations.import_services"
        ).set_import_mapping(
            actor=a,
            job=_import(w),
            mapping={"given_name": "given_name"},
            default_case_type="returnee",
        ),
    ),
    "integrations.start_import": Entry(
        frozenset({"cw"}),
        lambda w, a: importlib.import_module("salama.integrations.import_services").start_import(
            actor=a, job=_import(w), commit=False
        ),
    ),
    # fieldforms: forms and devices by form managers of the organisation, review by its case team
    "fieldforms.upload_form": Entry(
        frozenset({"sup", "admin", "sup_b", "admin_b"}),  # each uploads to their own organisation
        lambda w, a: _svc("fieldforms").upload_form(
            actor=a,
            content=__import__(
                "salama.fieldforms.tests.workbooks", fromlist=["simple_form"]
            ).simple_form("2"),
            filename="intake.xlsx",
        ),
    ),
    "fieldforms.add_media": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("fieldforms").add_media(
            actor=a, version=w.form_version, filename="logo.png", content=b"png"
        ),
    ),
    "fieldforms.set_mapping": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("fieldforms").set_mapping(
            actor=a, version=w.form_version, mapping={"given_name": "given_name"}
        ),
    ),
    "fieldforms.create_app_user": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("fieldforms").create_app_user(
            actor=a, name="Tablet", forms=[w.form_version.form]
        ),
    ),
    "fieldforms.set_app_user_forms": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("fieldforms").set_app_user_forms(
            actor=a, app_user=w.app_user, forms=[w.form_version.form]
        ),
    ),
    "fieldforms.revoke_app_user": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("fieldforms").revoke_app_user(actor=a, app_user=w.app_user),
    ),
    "fieldforms.accept_submission": Entry(
        CASE_TEAM | {"cw2"},  # the queue belongs to the organisation, not to one caseworker
        lambda w, a: _svc("fieldforms").accept_submission(actor=a, submission=w.submission),
    ),
    "fieldforms.reject_submission": Entry(
        CASE_TEAM | {"cw2"},
        lambda w, a: _svc("fieldforms").reject_submission(
            actor=a, submission=w.submission, reason="A test entry"
        ),
    ),
    # assistance: funds act only for their own organisation
    "assistance.create_fund": Entry(
        frozenset({"admin", "admin_b"}),
        lambda w, a: _svc("assistance").create_fund(
            actor=a,
            name="Another fund",
            kind="stranded_migrants",
            currency="USD",
            approval_threshold=Decimal("100"),
        ),
    ),
    "assistance.update_fund": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("assistance").update_fund(
            actor=a, fund=w.fund, approval_threshold=Decimal("900"), is_active=True
        ),
    ),
    "assistance.deposit": Entry(
        frozenset({"admin"}),
        lambda w, a: _svc("assistance").deposit(
            actor=a, fund=w.fund, amount=Decimal("10"), note="Top-up"
        ),
    ),
    "assistance.request_assistance": Entry(
        CASE_TEAM,
        lambda w, a: _svc("assistance").request_assistance(
            actor=a,
            case=w.case,
            service_type="medical",
            description="Clinic visit",
            quantity=Decimal(1),
            unit_cost=Decimal("5"),
            service_date=TODAY,
            currency="USD",
            fund=w.fund,
        ),
    ),
    "assistance.approve_item": Entry(
        frozenset({"sup"}),
        lambda w, a: _svc("assistance").approve_item(actor=a, item=w.requested),
    ),
    "assistance.reject_item": Entry(
        frozenset({"sup"}),
        lambda w, a: _svc("assistance").reject_item(actor=a, item=w.requested, reason="No"),
    ),
    "assistance.disburse_item": Entry(
        frozenset({"sup", "admin"}),
        lambda w, a: _svc("assistance").disburse_item(actor=a, item=w.approved),
    ),
    "assistance.settle_items_for_transfer": Entry(
        NOBODY,  # only inside accept_transfer, once the transfer is accepted
        lambda w, a: _svc("assistance").settle_items_for_transfer(actor=a, transfer=w.transfer),
    ),
    "assistance.cancel_item": Entry(
        frozenset({"cw", "sup", "admin"}),
        lambda w, a: _svc("assistance").cancel_item(actor=a, item=w.requested, reason="Moved"),
    ),
    # referrals: the sender works from the case, the recipient from the open packet
    "referrals.add_external_provider": Entry(
        frozenset({"admin", "admin_b"}),  # added for an organisation, so not by root alone
        lambda w, a: _svc("referrals").add_external_provider(
            actor=a, name="Clinic Outside", country="KE", contact_email="intake@clinic.example"
        ),
    ),
    "referrals.save_service": Entry(
        frozenset({"admin", "root"}),
        lambda w, a: _svc("referrals").save_service(
            actor=a,
            provider=w.provider_a,
            name="A's legal aid",
            service_type="legal",
            country="JO",
        ),
    ),
    "referrals.send_referral": Entry(
        CASE_TEAM,
        lambda w, a: _svc("referrals").send_referral(
            actor=a,
            case=w.case,
            service=w.service_b,
            packet_fields=["sex"],
            purpose_note="Legal advice",
        ),
    ),
    "referrals.move_referral": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("referrals").move_referral(
            actor=a, referral=w.referral, action="acknowledge", expected_version=None
        ),
    ),
    "referrals.acknowledge_referral": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("referrals").acknowledge_referral(
            actor=a, referral=w.referral, expected_version=None
        ),
    ),
    "referrals.accept_referral": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("referrals").accept_referral(
            actor=a, referral=w.referral, expected_version=None
        ),
    ),
    "referrals.decline_referral": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("referrals").decline_referral(
            actor=a, referral=w.referral, reason="Full", expected_version=None
        ),
    ),
    "referrals.record_delivery": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("referrals").record_delivery(
            actor=a,
            referral=w.accepted,
            delivery_note="One more night",
            delivered_on=TODAY,
            expected_version=None,
        ),
    ),
    "referrals.complete_referral": Entry(
        frozenset({"cw", "sup", "prov_b"}),
        lambda w, a: _svc("referrals").complete_referral(
            actor=a, referral=w.delivered, expected_version=None
        ),
    ),
    "referrals.withdraw_referral": Entry(
        CASE_TEAM,
        lambda w, a: _svc("referrals").withdraw_referral(
            actor=a, referral=w.referral, reason="Found a place", expected_version=None
        ),
    ),
    # the thread: either side of the open referral; never a third organisation
    "referrals.post_referral_message": Entry(
        frozenset({"cw", "sup", "prov_b"}),
        lambda w, a: _svc("referrals").post_referral_message(
            actor=a, referral=w.referral, body="She arrives at six."
        ),
    ),
    "referrals.request_transfer": Entry(
        frozenset({"sup"}),
        lambda w, a: _svc("referrals").request_transfer(
            actor=a,
            case=w.case,
            to_org=w.ngo_b,
            packet_fields=["name"],
            reason="Moved",
            open_items="keep",
        ),
    ),
    "referrals.accept_transfer": Entry(
        frozenset({"sup_b"}),
        lambda w, a: _svc("referrals").accept_transfer(
            actor=a, transfer=w.transfer, assign_to=w.users["cw_b"]
        ),
    ),
    "referrals.decline_transfer": Entry(
        frozenset({"sup_b"}),
        lambda w, a: _svc("referrals").decline_transfer(
            actor=a, transfer=w.transfer, reason="No capacity"
        ),
    ),
    # households: whoever may see and change both persons
    "people.link_household": Entry(
        CASE_TEAM,
        lambda w, a: _household().link_household(
            actor=a, person=w.child, other=w.sibling, relationship="sibling"
        ),
    ),
    "people.unlink_household": Entry(
        CASE_TEAM,
        lambda w, a: _household().unlink_household(actor=a, link=w.household_link),
    ),
    "people.set_guardian": Entry(
        CASE_TEAM,
        lambda w, a: _household().set_guardian(
            actor=a, child=w.child, kind="legal_guardian", name="Court-appointed guardian"
        ),
    ),
    "people.remove_guardian": Entry(
        CASE_TEAM,
        lambda w, a: _household().remove_guardian(actor=a, guardian=w.guardian),
    ),
    # duplicate review: supervisors who may see both persons; across organisations each side's
    # supervisor agrees to disclose, and nobody merges before both did
    "matching.merge_pair": Entry(
        frozenset({"sup"}),
        lambda w, a: _review().merge_pair(
            actor=a,
            pair=w.review_pair,
            keep=w.review_pair.person_a,
            reason_code="registered_twice",
        ),
    ),
    "matching.undo_merge": Entry(
        frozenset({"sup"}),
        lambda w, a: _review().undo_merge(actor=a, merge=w.review_merge),
    ),
    "matching.mark_not_duplicate": Entry(
        frozenset({"sup"}),
        lambda w, a: _review().mark_not_duplicate(
            actor=a, pair=w.review_pair, reason_code="namesakes"
        ),
    ),
    "matching.agree_to_disclose": Entry(
        frozenset({"sup", "sup_b"}),
        lambda w, a: _review().agree_to_disclose(actor=a, pair=w.review_cross_pair),
    ),
    # best interests of a child: the case team assesses; only a supervisor records the panel's
    # determination (case.approve)
    "cases.record_best_interests_assessment": Entry(
        CASE_TEAM,
        lambda w, a: _best_interests().record_best_interests_assessment(
            actor=a, case=w.child_case, data=w.bia_input
        ),
    ),
    "cases.change_best_interests_assessment": Entry(
        CASE_TEAM,
        lambda w, a: _best_interests().change_best_interests_assessment(
            actor=a, assessment=w.bia_draft, data=w.bia_input, expected_version=None
        ),
    ),
    "cases.record_best_interests_determination": Entry(
        frozenset({"sup"}),
        lambda w, a: _best_interests().record_best_interests_determination(
            actor=a,
            case=w.child_case,
            assessment=w.bia_done,
            decided_on=_today(),
            panel=["chair", "legal"],
            decision="local_integration",
            reasons="Settled",
        ),
    ),
    # evidence: anonymised releases, requested by a data officer, approved by someone else
    "evidence.request_release": Entry(
        frozenset({"data", "admin", "admin_b"}),  # each for their own organisation's cases
        lambda w, a: _releases().request_release(actor=a, k=11, purpose="CTDC"),
    ),
    "evidence.approve_release": Entry(
        frozenset({"admin"}),
        lambda w, a: _releases().approve_release(actor=a, release=w.release),
    ),
    "evidence.reject_release": Entry(
        frozenset({"admin"}),
        lambda w, a: _releases().reject_release(actor=a, release=w.release),
    ),
    "evidence.publish_dp_table": Entry(
        frozenset({"data", "admin", "admin_b"}),  # each for their own organisation's cases
        lambda w, a: _dp().publish_dp_table(actor=a, dimensions=["gender"], epsilon=0.1),
    ),
    "evidence.download_release": Entry(
        frozenset({"data", "admin"}),
        lambda w, a: _releases().download_release(actor=a, release=w.release),
    ),
    "returns.open_journey": Entry(
        CASE_TEAM,
        lambda w, a: _svc("returns").open_journey(actor=a, case=w.child_case, country="KE"),
    ),
    "returns.take_step": Entry(
        CASE_TEAM,
        lambda w, a: _svc("returns").take_step(
            actor=a,
            journey=w.journey,
            step="counsel",
            data=_svc("returns").StepInput(on=_today(), notes="Talked again"),
        ),
    ),
    "returns.send_reception_referral": Entry(
        CASE_TEAM,
        lambda w, a: _svc("returns").send_reception_referral(
            actor=a,
            journey=w.journey,
            service=w.reception_service,
            purpose_note="Receive her",
            packet_fields=["name"],
        ),
    ),
    "returns.record_reception": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _svc("returns").record_reception(
            actor=a, referral=w.reception_referral, received_on=_today(), place="Airport"
        ),
    ),
    "returns.add_reintegration_action": Entry(
        CASE_TEAM,
        lambda w, a: _svc("returns").add_reintegration_action(
            actor=a,
            journey=w.journey,
            dimension="economic",
            level="individual",
            kind="business_grant",
            description="Tailoring stall",
            unit_cost=Decimal("100"),
            currency="USD",
        ),
    ),
    # evidence: every role with a dashboard (not a service provider), in its own scope
    "evidence.export_table": Entry(
        EVIDENCE,
        lambda w, a: _evidence("exports").export_table(
            actor=a, table="stage", fmt="csv", filters=_evidence("figures").Filters()
        ),
    ),
    "evidence.export_indicator": Entry(
        EVIDENCE,
        lambda w, a: _evidence("indicators").export_indicator(actor=a, fmt="hxl"),
    ),
    "evidence.request_export": Entry(
        EVIDENCE,
        lambda w, a: _evidence("exports").request_export(
            actor=a, dataset="cases", fmt="csv", filters=_evidence("figures").Filters()
        ),
    ),
    # Only the requester (the data officer here) reaches her export.
    "evidence.download_export": Entry(
        frozenset({"data"}),
        lambda w, a: _evidence("exports").download_export(actor=a, job=_evidence_job(w)),
    ),
    # A population table belongs to an organisation: statistics roles with one.
    "evidence.upload_population": Entry(
        frozenset({"sup", "admin", "data", "sup_b", "admin_b"}),
        lambda w, a: _evidence("indicators").upload_population(
            actor=a, data=b"country,year,sex,age_band,population\nJO,2025,,,1000\n"
        ),
    ),
    # returns: monitoring visits are recorded by the reception referral's recipient (B); the
    # case team schedules them; an organisation administrator sets the programme
    "returns.schedule_monitoring": Entry(
        CASE_TEAM,
        lambda w, a: _monitoring().schedule_monitoring(
            w.case, arrived_on=_today() - dt.timedelta(days=30), actor=a
        ),
    ),
    "returns.record_monitoring_visit": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _monitoring().record_monitoring_visit(
            _monitoring_visit(w), actor=a, answers={}, visited_on=_today(), place="home"
        ),
    ),
    "returns.record_lost_contact": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _monitoring().record_lost_contact(
            _monitoring_visit(w), actor=a, attempts=[{"on": _today(), "channel": "phone"}]
        ),
    ),
    "returns.cancel_monitoring_visit": Entry(
        frozenset({"prov_b"}),
        lambda w, a: _monitoring().cancel_monitoring_visit(
            _monitoring_visit(w), actor=a, reason="declined"
        ),
    ),
    "returns.update_monitoring_programme": Entry(
        frozenset({"admin"}),
        lambda w, a: _monitoring().update_monitoring_programme(
            actor=a, organisation=w.ngo_a, visit_months=[3, 6], threshold="0.5"
        ),
    ),
    # tracing: the request's case team, on either side of a match they see
    "tracing.create_request": Entry(
        CASE_TEAM,
        lambda w, a: _svc("tracing").create_request(
            actor=a, case=w.tracing_case, relationship="sibling", sought_given_name="Omid"
        ),
    ),
    "tracing.update_request": Entry(
        CASE_TEAM,
        lambda w, a: _svc("tracing").update_request(
            actor=a,
            tracing_request=w.tracing_request,
            version=w.tracing_request.version,
            relationship="child",
            sought_given_name="Reza",
            sought_family_name="Karimi",
        ),
    ),
    "tracing.close_request": Entry(
        CASE_TEAM,
        lambda w, a: _svc("tracing").close_request(
            actor=a, tracing_request=w.tracing_request, reason="no_trace", version=1
        ),
    ),
    "tracing.confirm_match": Entry(
        CASE_TEAM, lambda w, a: _svc("tracing").confirm_match(actor=a, match=w.tracing_match)
    ),
    "tracing.reject_match": Entry(
        CASE_TEAM, lambda w, a: _svc("tracing").reject_match(actor=a, match=w.tracing_match)
    ),
    "tracing.add_reunification_step": Entry(
        CASE_TEAM,
        lambda w, a: _svc("tracing").add_reunification_step(
            actor=a, match=w.tracing_confirmed_match, step="contact", happened_on=_today()
        ),
    ),
    # matching: supervisors start runs of their own organisation; administrators of either side
    # of an agreement act on it (B proposed to A here; proposing is for one's own organisation).
    "matching.start_run": Entry(
        frozenset({"sup", "sup_b"}), lambda w, a: _matching().start_run(actor=a)
    ),
    "matching.propose_agreement": Entry(
        frozenset({"admin", "admin_b"}),
        lambda w, a: _matching().propose_agreement(actor=a, partner=w.ngo_b),
    ),
    "matching.accept_agreement": Entry(
        frozenset({"admin"}),
        lambda w, a: _matching().accept_agreement(actor=a, agreement=w.matching_agreement),
    ),
    "matching.end_agreement": Entry(
        frozenset({"admin", "admin_b"}),
        lambda w, a: _matching().end_agreement(actor=a, agreement=w.matching_agreement),
    ),
}


def _matching() -> Any:
    return importlib.import_module("salama.matching.runs")


def _matching_agreement(proposer: Any, partner: Any, user: Any) -> Any:
    from salama.matching.models import MatchingAgreement

    return MatchingAgreement.objects.create(proposer=proposer, partner=partner, proposed_by=user)


def _evidence(module: str) -> Any:
    import importlib

    return importlib.import_module(f"salama.evidence.{module}")


def _evidence_job(w: World) -> Any:
    from salama.evidence.dashboard_models import ExportJob

    return ExportJob.objects.create(
        organisation=w.ngo_a, requested_by=w.users["data"], dataset="cases", fmt="csv"
    )


def _monitoring() -> Any:
    return importlib.import_module("salama.returns.monitoring")


def _monitoring_visit(w: World) -> Any:
    """A visit of a monitoring schedule received by B through the accepted referral."""
    schedule = _monitoring()._create_schedule(
        w.case,
        arrived_on=_today() - dt.timedelta(days=120),
        country="KE",
        reception_referral=w.accepted,
        created_by=None,
    )
    return schedule.visits.order_by("month").first()


def _household() -> Any:
    return importlib.import_module("salama.people.household")


def _best_interests() -> Any:
    return importlib.import_module("salama.cases.best_interests")


def _today() -> dt.date:
    return timezone.localdate()


def _exploitation() -> Any:
    return importlib.import_module("salama.cases.exploitation")


def _safety() -> Any:
    return importlib.import_module("salama.cases.safety")


def _lifecycle() -> Any:
    return importlib.import_module("salama.screening.lifecycle")


def _approvals() -> Any:
    return importlib.import_module("salama.cases.approvals")


def _releases() -> Any:
    return importlib.import_module("salama.evidence.release_services")


def _dp() -> Any:
    return importlib.import_module("salama.evidence.privacy_services")


def _make_release(data_officer: User) -> Any:
    return _releases().request_release(actor=principal(data_officer), k=11, purpose="CTDC")


def _svc(app: str) -> Any:
    return importlib.import_module(f"salama.{app}.services")


def _import(w: World) -> Any:
    from salama.integrations.import_services import create_import

    return create_import(
        actor=w.actor("cw"), file_name="people.csv", content=b"given_name\nAmina\n"
    )


def _integration(w: World) -> Any:
    from salama.integrations.tests.factories import make_integration

    return make_integration(w.ngo_a)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    # Both databases roll back: the world's data keys are in the key store, a database apart.
    with django_db_blocker.unblock(), transaction.atomic(), transaction.atomic(using="keys"):
        built = build_world()
        yield built
        transaction.set_rollback(True, using="keys")
        transaction.set_rollback(True)


def test_every_write_service_is_in_the_matrix() -> None:
    missing = sorted(set(write_services()) - set(SERVICES) - READS)
    assert missing == [], f"add these services to SERVICES with who may call them: {missing}"
    stale = sorted(set(SERVICES) - set(write_services()))
    assert stale == [], f"these SERVICES entries name no service any more: {stale}"


def _outcome(entry: Entry, world: World, role: str) -> str:
    actor = world.actor(role)
    # Services change the instances they are given; the rollback restores only the database.
    world = World(world.users, world.ngo_a, world.ngo_b, copy.deepcopy(world.objects))
    try:
        with transaction.atomic():
            try:
                entry.call(world, actor)
            finally:
                transaction.set_rollback(True)
    except (PermissionDenied, Http404):
        return "refused"
    except ValidationError:
        return "through"
    return "through"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_admits_exactly_the_expected_roles(name: str, world: World) -> None:
    entry = SERVICES[name]
    wrong = {
        role: outcome
        for role in ROLES
        if (outcome := _outcome(entry, world, role))
        != ("through" if role in entry.allowed else "refused")
    }
    assert wrong == {}, f"{name}: roles with the wrong outcome: {wrong}"


@pytest.mark.django_db
def test_a_caseworker_of_another_organisation_cannot_add_a_note(world: World) -> None:
    """The finding that started this matrix: it succeeded before services checked the record."""
    from salama.cases.models import CaseNote
    from salama.cases.services import add_note

    before = CaseNote.objects.count()
    with pytest.raises(PermissionDenied):
        add_note(actor=world.actor("cw_b"), case=world.case, body="Planted by B")
    assert CaseNote.objects.count() == before
