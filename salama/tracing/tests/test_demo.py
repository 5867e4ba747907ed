"""The tracing demo shows a proposed cross-script match and a reunification in progress."""

from __future__ import annotations

import pytest

from salama.accounts.demo import load_demo_accounts
from salama.people.models import Person
from salama.tracing.demo import load_demo_tracing
from salama.tracing.models import TracingMatch

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_proposed_match_across_scripts_and_a_reunification(settings):
    settings.SALAMA_DEMO = True
    load_demo_accounts()
    load_demo_tracing()
    proposed = TracingMatch.objects.get(status="proposed")
    assert proposed.person.given_name == "عبدي"
    assert proposed.request.sought_given_name == "Abdi"
    [namesake] = [
        p for p in Person.objects.exclude(pk=proposed.person_id) if p.given_name == "عبدي"
    ]
    assert not TracingMatch.objects.filter(person=namesake).exists()
    confirmed = TracingMatch.objects.get(status="confirmed")
    assert confirmed.other_request is not None
    assert [s.step for s in confirmed.steps.all()] == [
        "verification",
        "contact",
        "both_agree",
        "best_interests",
    ]
    assert load_demo_tracing()[0] == "Demo tracing already loaded."
