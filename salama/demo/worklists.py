"""Demo work waiting on the home pages (demo mode only; once per demo organisation).

The other loaders make persons, cases, services and funds; this one makes what each role's home
page reports, through the services: referrals to the organisation's own services (one new with a
needs note, one past its deadline, one acknowledged), consents about to run out, reflection
periods ending, a reassignment and an assistance request waiting for approval (Nour Migrant Aid
asks for approval of reassignments), a fund running low, and a pending invitation.

Time cannot pass in a demo, so a few dates are moved back after the services wrote them, with
a plain update, as if the work had been done earlier: a referral sent six days ago, reflection
periods that started weeks ago.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, DemoOrg, demo_email
from salama.accounts.models import Invitation, Organisation, User
from salama.accounts.services import invite_member
from salama.assistance import services as assistance
from salama.assistance.choices import FundKind
from salama.assistance.models import Fund
from salama.cases import services as cases
from salama.cases.choices import Stage
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent
from salama.referrals.models import Referral, Service
from salama.referrals.services import acknowledge_referral, send_referral

# The organisation whose reassignments need a supervisor's approval in the demo.
APPROVING_ORG = "ngo_a"
LOW_FUND = "Winter clothing fund"
NEEDS_NOTE = "Needs a quiet room; arrives with a child of four. Speaks Tigrinya and some Arabic."


def _actor(organisation: Organisation, spec: DemoOrg, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()
    membership = user.memberships.filter(organisation=organisation).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def _consent(actor: Principal, case: Case, service: Service, expires_on: dt.date) -> None:
    record_consent(
        actor=actor,
        person=case.person,
        purpose="referral",
        method="child_assent" if case.person.is_minor else "verbal",
        guardian_name="Guardian on file" if case.person.is_minor else "",
        given_on=timezone.localdate() - dt.timedelta(days=20),
        expires_on=expires_on,
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=service.provider.organisation,
        service_type=service.service_type,
    )


def _referrals(org: Organisation, worker: Principal, provider: Principal | None) -> int:
    services = {s.service_type: s for s in Service.objects.filter(provider__organisation=org)}
    open_cases = (
        Case.objects.filter(organisation=org, assigned_to=worker.user, closed_at__isnull=True)
        .exclude(stage=Stage.CLOSED)
        .select_related("person__data_key", "organisation")
        .order_by("opened_at")
    )
    wanted = [
        ("accommodation", 9, "A safe place to stay tonight and for the coming weeks.", True),
        ("medical", 40, "A general health check and follow-up of a hand injury.", False),
        ("legal", 24, "Advice on residence status and unpaid wages.", False),
    ]
    today = timezone.localdate()
    made = 0
    for case, (service_type, days, purpose, with_note) in zip(open_cases, wanted, strict=False):
        service = services.get(service_type)
        if service is None:
            continue
        _consent(worker, case, service, today + dt.timedelta(days=days))
        fields = ["age_band", "sex", "languages", "needs_note"] if with_note else ["age_band"]
        referral = send_referral(
            actor=worker,
            case=case,
            service=service,
            packet_fields=fields,
            purpose_note=purpose,
            needs_note=NEEDS_NOTE if with_note else "",
        )
        if service_type == "medical":
            # Sent six days ago and never acknowledged: past its deadline.
            back = dt.timedelta(days=6)
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=referral.sent_at - back, due_at=referral.due_at - back
            )
        elif service_type == "legal" and provider is not None:
            acknowledge_referral(actor=provider, referral=referral, expected_version=1)
        made += 1
    return made


def _reflection_ending(org: Organisation) -> int:
    """Move the first two reflection periods back so that they end within two weeks."""
    cases = Case.objects.filter(
        organisation=org, closed_at__isnull=True, reflection_ends__isnull=False
    ).order_by("opened_at")[:2]
    today = timezone.localdate()
    moved = 0
    for case, days_left in zip(cases, (4, 11), strict=False):
        assert case.reflection_starts is not None and case.reflection_ends is not None
        shift = case.reflection_ends - (today + dt.timedelta(days=days_left))
        Case.objects.filter(pk=case.pk).update(
            reflection_starts=case.reflection_starts - shift,
            reflection_ends=case.reflection_ends - shift,
        )
        moved += 1
    return moved


def _approvals(
    org: Organisation, spec: DemoOrg, worker: Principal, supervisor: Principal | None
) -> list[str]:
    lines = []
    case = (
        Case.objects.filter(organisation=org, assigned_to=worker.user, closed_at__isnull=True)
        .select_related("person__data_key", "organisation")
        .order_by("-opened_at")
        .first()
    )
    if case is None:
        return lines
    fund = Fund.objects.filter(organisation=org, kind=FundKind.STRANDED_MIGRANTS).first()
    if fund is not None:
        assistance.request_assistance(
            actor=worker,
            case=case,
            service_type="basic_needs",
            description="Bus tickets to the shelter and back for two appointments.",
            quantity=Decimal("4"),
            unit_cost=Decimal("12.50"),
            service_date=timezone.localdate() + dt.timedelta(days=3),
            fund=fund,
            justification="No other transport; the person cannot pay.",
        )
        lines.append(f"{org.name}: an assistance request waits for approval.")
    if spec.slug == APPROVING_ORG and supervisor is not None:
        Organisation.objects.filter(pk=org.pk).update(reassignment_needs_approval=True)
        case.organisation.reassignment_needs_approval = True
        cases.assign_case(actor=worker, case=case, to_user=supervisor.user)
        lines.append(f"{org.name}: a reassignment waits for approval.")
    return lines


def _low_fund(org: Organisation, admin: Principal, worker: Principal, approver: Principal) -> bool:
    if Fund.objects.filter(organisation=org, name=LOW_FUND).exists():
        return False
    case = (
        Case.objects.filter(organisation=org, assigned_to=worker.user, closed_at__isnull=True)
        .select_related("person__data_key", "organisation")
        .order_by("opened_at")
        .first()
    )
    if case is None:
        return False
    fund = assistance.create_fund(
        actor=admin,
        name=LOW_FUND,
        kind=FundKind.PROJECT_BUDGET,
        currency="USD",
        approval_threshold=Decimal("1000.00"),
    )
    assistance.deposit(actor=admin, fund=fund, amount=Decimal("1000.00"), note="Winter appeal")
    item = assistance.request_assistance(
        actor=worker,
        case=case,
        service_type="basic_needs",
        description="Winter coats, boots and blankets for a family of five.",
        quantity=Decimal("1"),
        unit_cost=Decimal("940.00"),
        service_date=timezone.localdate(),
        fund=fund,
        justification="The family sleeps in an unheated room.",
    )
    assistance.approve_item(actor=approver, item=item)
    return True


def load_demo_worklists() -> list[str]:
    lines: list[str] = []
    for spec in DEMO_ORGS:
        org = Organisation.objects.filter(name=spec.name).first()
        if org is None:
            continue
        worker = _actor(org, spec, Role.CASEWORKER)
        supervisor = _actor(org, spec, Role.SUPERVISOR)
        provider = _actor(org, spec, Role.SERVICE_PROVIDER)
        admin = _actor(org, spec, Role.ORG_ADMIN)
        if worker is None or supervisor is None or admin is None:
            continue
        if Referral.objects.filter(from_organisation=org).exists():
            continue  # loaded before
        with transaction.atomic():
            made = _referrals(org, worker, provider)
            lines.append(f"{org.name}: {made} referrals to its own services.")
            moved = _reflection_ending(org)
            lines.append(f"{org.name}: {moved} reflection periods ending soon.")
            lines += _approvals(org, spec, worker, supervisor)
            if _low_fund(org, admin, worker, supervisor):
                lines.append(f"{org.name}: {LOW_FUND} running low.")
            if not Invitation.objects.filter(organisation=org).exists():
                invite_member(
                    actor=admin,
                    organisation=org,
                    email=f"new-caseworker@{spec.domain}",
                    role=Role.CASEWORKER,
                )
                lines.append(f"{org.name}: an invitation waits for its answer.")
    return lines or ["Demo work for the home pages already loaded."]
