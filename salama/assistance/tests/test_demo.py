"""Demo funds: created and topped up once per demo organisation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salama.assistance.demo import load_demo_assistance
from salama.assistance.models import Fund

pytestmark = pytest.mark.django_db


def test_demo_funds_are_loaded_once(settings):
    from salama.accounts.demo import load_demo_accounts

    settings.SALAMA_DEMO = True
    load_demo_accounts()
    lines = load_demo_assistance()
    assert len(lines) == 4
    assert Fund.objects.count() == 4
    assert {f.available for f in Fund.objects.all()} == {Decimal("20000.00"), Decimal("50000.00")}
    assert load_demo_assistance() == ["Demo funds already loaded."]
    assert Fund.objects.count() == 4


def test_demo_funds_need_the_demo_accounts():
    assert "load accounts first" in load_demo_assistance()[0]
