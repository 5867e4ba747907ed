"""The demo shows what monitoring does: a returnee at Amani with two scored visits (a trend) and
a third due, one with lost contact, and one received from Nour through a reception referral."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from salama.cases.choices import TaskKind
from salama.returns.monitoring_models import MonitoringSchedule, VisitStatus

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_score_trend_a_due_visit_lost_contact_and_a_reception(
    settings: Any,
) -> None:
    settings.SALAMA_DEMO = True
    call_command("demo_data", stdout=StringIO())
    own = MonitoringSchedule.objects.filter(
        host_organisation__name="Amani Protection Centre", reception_referral__isnull=True
    )
    trend = next(s for s in own if s.visits.filter(status=VisitStatus.DONE).count() == 2)
    three, six, twelve = trend.visits.order_by("month")
    assert three.composite < six.composite  # the trend improves
    assert twelve.status == VisitStatus.SCHEDULED
    assert trend.case.case_type == "returnee" and trend.case.person.sex == "female"
    assert trend.case.tasks.filter(kind=TaskKind.REINTEGRATION_FOLLOW_UP).exists()
    assert own.filter(visits__status=VisitStatus.LOST_CONTACT).exists()
    received = MonitoringSchedule.objects.get(reception_referral__isnull=False)
    assert received.host_organisation.name == "Nour Migrant Aid"
    assert received.monitoring_organisation.name == "Amani Protection Centre"
    assert received.visits.filter(status=VisitStatus.DONE).count() == 1
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert "Demo reintegration monitoring already loaded." in out.getvalue()
