"""The demo integration: loaded once, with a delivery log to look at."""

from __future__ import annotations

from typing import Any

import pytest

from salama.integrations.demo import load_demo_integrations
from salama.integrations.models import Delivery, Integration

pytestmark = pytest.mark.django_db


def test_the_demo_integration_is_loaded_once_with_its_log(settings: Any) -> None:
    from salama.accounts.demo import load_demo_accounts

    settings.SALAMA_DEMO = True
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = True  # as under DEBUG, where the demo runs
    load_demo_accounts()
    assert "4 deliveries" in load_demo_integrations()[0]
    integration = Integration.objects.get()
    assert integration.organisation.name == "Nour Migrant Aid"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded", "failed"}
    assert load_demo_integrations() == [
        "Demo integration already loaded.",
        "Demo import already loaded.",
    ]
    assert Integration.objects.count() == 1
    from salama.integrations.import_models import ImportJob

    [job] = ImportJob.objects.all()
    assert (job.status, job.imported) == ("done", 3)
