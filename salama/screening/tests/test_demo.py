"""Demo identification: every part of the two-step identification shows in the demo, once."""

from __future__ import annotations

import pytest

from salama.cases.models import Case
from salama.screening.demo import SCENARIOS, load_demo_identification
from salama.screening.models import IdentificationDecision, IdentificationReferral, Reconsideration
from salama.screening.queries import identification

pytestmark = pytest.mark.django_db


def test_demo_identification_shows_each_step_and_flag_once(settings):
    from salama.accounts.demo import DEMO_ORGS, load_demo_accounts
    from salama.cases.demo import load_demo_cases
    from salama.demo.people import load_demo_people

    settings.SALAMA_DEMO = True
    load_demo_accounts()
    load_demo_people()
    load_demo_cases()
    made = len(SCENARIOS) * len(DEMO_ORGS)
    assert load_demo_identification() == [f"Loaded demo identification on {made} cases."]

    cases = Case.objects.filter(identification_referrals__isnull=False).distinct()
    overviews = [identification(case) for case in cases]
    waiting_for_conclusive = [o for o in overviews if o.conclusive_expected is not None]
    overdue = [o for o in overviews if o.waiting_referral and o.waiting_referral.timing.overdue]
    assert waiting_for_conclusive and overdue
    assert IdentificationDecision.objects.filter(step="reasonable_grounds", late=True).exists()
    assert IdentificationDecision.objects.filter(
        step="conclusive_grounds", outcome="positive", case__stage="identified"
    ).exists()
    assert Reconsideration.objects.filter(outcome="pending").exists()
    assert Reconsideration.objects.filter(outcome="overturned", new_decision__isnull=False).exists()
    assert Case.objects.filter(stage="reflection_recovery").exists()

    assert load_demo_identification() == ["Demo identification already loaded."]
    assert IdentificationReferral.objects.count() == made
