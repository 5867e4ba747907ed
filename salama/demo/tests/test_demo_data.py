"""`manage.py demo_data`: accounts first, then every domain app's demo loader, once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from salama.accounts.models import Organisation
from salama.assistance.models import Fund
from salama.cases.models import Case
from salama.demo.people import DEMO_PEOPLE
from salama.people.models import Person
from salama.referrals.models import Service

pytestmark = pytest.mark.django_db


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
    assert counts[1] == DEMO_PEOPLE
    assert counts[2] > 0  # the persons were there before the cases about them
    assert Service.objects.count() == 6
    assert Fund.objects.count() == 6  # two per organisation, and one running low in each
    assert "Demo persons already loaded." in second
    assert "Demo funds already loaded." in second
    assert (Organisation.objects.count(), Person.objects.count(), Case.objects.count()) == counts
    assert "Demo logins (password for all:" in second
