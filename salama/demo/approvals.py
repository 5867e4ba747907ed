"""Demo supervision approvals (demo mode only; once per demo organisation).

In each organisation that works cases: a caseworker's closure waiting for the supervisor (the
case stays open), a case plan waiting for approval, a vulnerability assessment the supervisor
approved, and a case plan returned to the caseworker with a comment.
"""

from __future__ import annotations

from django.db import transaction

from salama.accounts.demo import DEMO_ORGS, DemoOrg, demo_email
from salama.accounts.models import Organisation, User
from salama.cases import approvals
from salama.cases import services as cases
from salama.cases.choices import ApprovalKind, ApprovalStatus
from salama.cases.models import ApprovalRequest, Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.screening import services as screening

RETURNED_COMMENT = "Give each action a date and say who accompanies her to the clinic."


def _actor(organisation: Organisation, spec: DemoOrg, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()
    membership = user.memberships.filter(organisation=organisation).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def _plan(worker: Principal, case: Case, *actions: str) -> None:
    for action in actions:
        cases.add_plan_item(actor=worker, case=case, goal="Safety and health", action=action)


def _approved_assessment(worker: Principal, supervisor: Principal, case: Case) -> None:
    assessment = screening.start_assessment(actor=worker, case=case)
    screening.answer_factor(
        actor=worker,
        assessment=assessment,
        factor="ind_legal_status",
        present="yes",
        harms=["exploitation", "rights_violations"],
        evidence="No valid residence permit",
    )
    screening.finalise_assessment(actor=worker, assessment=assessment)
    waiting = ApprovalRequest.objects.get(
        case=case, kind=ApprovalKind.ASSESSMENT, status=ApprovalStatus.PENDING
    )
    approvals.decide(actor=supervisor, approval=waiting, approve=True)


def _load(org: Organisation, worker: Principal, supervisor: Principal) -> list[str]:
    open_cases = list(
        Case.objects.filter(
            organisation=org,
            assigned_to=worker.user,
            closed_at__isnull=True,
            is_child_case=False,
        ).order_by("opened_at")[:4]
    )
    if len(open_cases) < 4:
        return []
    closing, planned, assessed, returned = open_cases
    cases.close_case(
        actor=worker,
        case=closing,
        reason="objectives_met",
        note="She has work and a flat; the follow-up calls found her settled.",
        expected_version=None,
    )
    _plan(worker, planned, "Accompany her to the clinic", "Find a place in a shelter")
    approvals.submit_plan(actor=worker, case=planned)
    _approved_assessment(worker, supervisor, assessed)
    _plan(worker, returned, "Accompany her to the clinic")
    back = approvals.submit_plan(actor=worker, case=returned)
    approvals.decide(actor=supervisor, approval=back, approve=False, comment=RETURNED_COMMENT)
    return [
        f"{org.name}: a closure and a case plan wait for approval; an assessment was approved "
        "and a plan returned for changes."
    ]


def load_demo_approvals() -> list[str]:
    lines: list[str] = []
    for spec in DEMO_ORGS:
        org = Organisation.objects.filter(name=spec.name).first()
        if org is None or ApprovalRequest.objects.filter(case__organisation=org).exists():
            continue
        worker = _actor(org, spec, Role.CASEWORKER)
        supervisor = _actor(org, spec, Role.SUPERVISOR)
        if worker is None or supervisor is None:
            continue
        with transaction.atomic():
            lines += _load(org, worker, supervisor)
    return lines or ["Demo approvals already loaded."]
