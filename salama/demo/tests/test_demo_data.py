"""`manage.py demo_data`: accounts first, then every domain app's demo loader, once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from salama.accounts.models import Invitation, Organisation
from salama.assistance.models import AssistanceItem, Fund
from salama.assistance.queries import low_funds
from salama.cases.household_demo import DEMO_FAMILY
from salama.cases.models import ApprovalRequest, Case, ReassignmentRequest
from salama.core.policy import Principal
from salama.demo.people import DEMO_PEOPLE
from salama.evidence.demo import EXTRA_CASES as EVIDENCE_CASES
from salama.evidence.models import CaseCount, ExportJob, PopulationFigure
from salama.matching.demo import DUPLICATES as DEMO_DUPLICATE_REGISTRATIONS
from salama.matching.review_demo import DEMO_REVIEW_PERSONS
from salama.people.demo import DEMO_NAMES
from salama.people.models import Person
from salama.referrals.models import Referral, ReferralMessage, Service, ServiceDeliveryRecord
from salama.returns.demo import DEMO_RETURNEES
from salama.returns.monitoring_demo import DEMO_RECEPTION_REFERRALS
from salama.returns.monitoring_demo import DEMO_RETURNEES as DEMO_MONITORED_RETURNEES
from salama.tracing.demo import DEMO_TRACING_PEOPLE

pytestmark = pytest.mark.django_db

# Persons the demo import of a Kobo-style spreadsheet registers (salama/integrations/demo.py).
DEMO_IMPORTED = 3


def _admin(org: Organisation) -> Principal:
    membership = org.memberships.get(role="org_admin")
    return Principal(user=membership.user, membership=membership, verified=True)


def _demo_data() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def test_demo_data_loads_accounts_persons_cases_services_and_funds_once(settings: Any) -> None:
    settings.SALAMA_DEMO = True

    first = _demo_data()
    counts = (Organisation.objects.count(), Person.objects.count(), Case.objects.count())
    second = _demo_data()

    assert f"Loaded {DEMO_PEOPLE} demo persons." in first
    assert counts[1] == (
        DEMO_PEOPLE
        + len(DEMO_FAMILY)  # the household
        + len(DEMO_NAMES)  # names in more scripts
        + DEMO_RETURNEES  # returns
        + DEMO_IMPORTED  # the demo spreadsheet import
        + EVIDENCE_CASES  # the evidence dashboards' synthetic caseload
        + DEMO_MONITORED_RETURNEES  # reintegration monitoring
        + DEMO_REVIEW_PERSONS  # possible duplicates waiting for review
        + DEMO_TRACING_PEOPLE  # family tracing
        + len(DEMO_DUPLICATE_REGISTRATIONS)  # matching: persons registered twice
    )
    assert counts[2] > 0  # the persons were there before the cases about them
    assert Service.objects.count() == 6 + 1  # and Amani's reception for returns
    assert Fund.objects.count() == 6  # two per organisation, and one running low in each
    # The work the home pages report: referrals (one overdue), a reassignment and assistance
    # waiting for approval, a fund running low and an invitation in each organisation.
    # Six to the organisations' own services, and five from Nour to Amani (one per urgency and
    # a completed one with Amani's delivery record); the emergency one has a three-message thread.
    # and the receptions of returns: the journey's and the monitoring demo's
    assert Referral.objects.count() == 11 + 1 + DEMO_RECEPTION_REFERRALS
    assert set(Referral.objects.values_list("urgency", flat=True)) == {
        "emergency",
        "high",
        "normal",
        "low",
    }
    assert ReferralMessage.objects.count() == 3
    assert ServiceDeliveryRecord.objects.filter(outcome="completed").count() == 1
    assert Referral.objects.filter(due_at__lt=timezone.now()).count() == 2
    assert ReassignmentRequest.objects.filter(status="pending").count() == 1
    # Supervision approvals: per case-working organisation a closure and a plan waiting, an
    # approved assessment and a plan returned for changes; the closing cases stay open.
    waiting = ApprovalRequest.objects.filter(status="pending")
    assert sorted(set(waiting.values_list("kind", flat=True))) == ["case_plan", "closure"]
    assert not Case.objects.filter(approvals__kind="closure", closed_at__isnull=False).exists()
    assert ApprovalRequest.objects.filter(kind="assessment", status="approved").exists()
    assert ApprovalRequest.objects.filter(kind="case_plan", status="rejected").exists()
    assert "Demo approvals already loaded." in second
    # The evidence pages: a population table, the counts and one finished export.
    assert "Demo evidence already loaded." in second
    assert ExportJob.objects.filter(status="done").count() == 1
    assert CaseCount.objects.exists() and PopulationFigure.objects.exists()
    assert AssistanceItem.objects.filter(status="requested").count() == 2
    assert Invitation.objects.filter(status="pending").count() == 2
    assert all(low_funds(_admin(org)) for org in Organisation.objects.all())
    assert "Demo work for the home pages already loaded." in second
    assert "Demo persons already loaded." in second
    assert "Demo return journeys already loaded." in second
    assert "Demo funds already loaded." in second
    assert (Organisation.objects.count(), Person.objects.count(), Case.objects.count()) == counts
    assert "Demo logins (password for all:" in second


def test_demo_cases_carry_varied_exploitation_records_for_the_evidence_pages(
    settings: Any,
) -> None:
    from salama.cases.models import ExploitationRecord, Perpetrator, TraffickingEvent

    settings.SALAMA_DEMO = True
    _demo_data()
    records = list(ExploitationRecord.objects.select_related("case__organisation"))
    assert len(records) >= 20
    assert {r.case.organisation.country for r in records} == {"JO", "KE"}
    types = {t for r in records for t in r.types_of_exploitation}
    assert {"ForcedLabour", "SexualExploitation", "Servitude", "ForcedBegging"} <= types
    exploited_in = set(
        TraffickingEvent.objects.filter(event_type="Exploitation").values_list("country", flat=True)
    )
    assert len(exploited_in) >= 4
    assert TraffickingEvent.objects.filter(event_type="Transit").exists()
    assert Perpetrator.objects.exists()
    assert "Demo exploitation records already loaded." in _demo_data()


def test_demo_plan_items_are_delivered_by_a_referral_and_assistance(settings: Any) -> None:
    from salama.cases.safety import review_days

    settings.SALAMA_DEMO = True
    _demo_data()
    linked = Referral.objects.filter(plan_item__isnull=False).select_related("plan_item")
    assert linked.count() == Organisation.objects.count()
    for referral in linked:
        assert referral.plan_item is not None
        assert referral.plan_item.case_id == referral.case_id
        assert AssistanceItem.objects.filter(plan_item=referral.plan_item).exists()
    assert sorted(review_days(org, "medium") for org in Organisation.objects.all()) == [21, 30]
