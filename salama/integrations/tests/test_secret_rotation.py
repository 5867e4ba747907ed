"""`salama keys rotate` re-wraps webhook signing secrets too, so a retired KEK can go."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from salama.core import crypto
from salama.integrations import delivery, signing
from salama.integrations.models import Integration
from salama.integrations.tests.test_webhooks import _integration

pytestmark = pytest.mark.django_db


def test_rotation_rewraps_webhook_secrets_so_the_old_kek_can_be_removed(
    settings: Any, org_admin_a: Any
) -> None:
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = True
    integration, secret = _integration(org_admin_a, "https://hooks.example.org/in", scopes=[])
    old_wrapped = bytes(Integration.objects.get(pk=integration.pk).secret_wrapped)
    old, new = settings.SALAMA_KEK, crypto.generate_key_text()
    settings.SALAMA_KEK, settings.SALAMA_KEK_RETIRED = new, [old]

    call_command("keys", "rotate", stdout=StringIO())

    settings.SALAMA_KEK_RETIRED = []  # the old KEK is gone
    stored = Integration.objects.get(pk=integration.pk)
    assert stored.secret_kek_id == crypto.keyring().current_id
    assert bytes(stored.secret_wrapped) != old_wrapped
    assert delivery.secret_key(stored) == signing.key_of(secret)


def test_a_secret_already_under_the_current_kek_is_left_alone(org_admin_a: Any) -> None:
    integration, _secret = _integration(org_admin_a, "https://hooks.example.org/in", scopes=[])
    before = bytes(Integration.objects.get(pk=integration.pk).secret_wrapped)
    assert delivery.rewrap_secrets(crypto.keyring()) == 0
    assert bytes(Integration.objects.get(pk=integration.pk).secret_wrapped) == before
