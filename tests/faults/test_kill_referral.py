"""A referral send killed after its row was written leaves no referral, and sending again works."""

from __future__ import annotations

from typing import Any

import pytest

from salama.core.models import AuditEntry
from salama.referrals import services
from salama.referrals.models import Notification, Referral
from salama.referrals.tests.helpers import consent_to, make_case, make_service, principal
from tests.faults import drill

pytestmark = pytest.mark.django_db(transaction=True)

SEND = """
from salama.accounts.models import User
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.referrals import services
from salama.referrals.models import Service
user = User.objects.get(email="caseworker@a.example")
actor = Principal(user=user, membership=user.memberships.first(), verified=True)
services.send_referral(
    actor=actor, case=Case.objects.get(pk="{case}"), service=Service.objects.get(pk={service}),
    packet_fields=["name", "needs_note"], purpose_note="Please take her in tonight.",
    needs_note="Needs a women-only room.",
)
print("sent")
"""


def test_a_referral_send_killed_after_its_row_leaves_nothing_and_can_be_sent_again_whole(
    caseworker_a: Any, ngo_b: Any, receiver_b: Any
) -> None:
    case = make_case(caseworker_a)
    shelter = make_service(ngo_b)
    consent_to(caseworker_a, case.person, ngo_b)
    audited = AuditEntry.objects.count()

    result = drill.run(SEND.format(case=case.pk, service=shelter.pk), fault_at="referral.send")

    assert drill.killed(result), result.stderr
    assert "sent" not in result.stdout
    assert not Referral.objects.exists()  # the row written before the kill was rolled back
    assert not Notification.objects.exists()
    assert AuditEntry.objects.count() == audited
    assert not AuditEntry.objects.filter(action__startswith="referral.").exists()
    assert drill.chain_problems() == []

    # Sending again (the caseworker saw no confirmation) gives one whole referral.
    referral = services.send_referral(
        actor=principal(caseworker_a),
        case=case,
        service=shelter,
        packet_fields=["name", "needs_note"],
        purpose_note="Please take her in tonight.",
        needs_note="Needs a women-only room.",
    )
    stored = Referral.objects.get()
    assert stored.pk == referral.pk and stored.packet  # the packet travels with the row
    actions = set(
        AuditEntry.objects.filter(object_id=str(referral.pk)).values_list("action", flat=True)
    )
    assert {"referral.send", "referral.receive"} <= actions
    assert Notification.objects.filter(referral=referral).exists()
    assert drill.chain_problems() == []


def test_without_the_fault_variables_the_child_sends_the_referral(
    caseworker_a: Any, ngo_b: Any, receiver_b: Any
) -> None:
    case = make_case(caseworker_a)
    shelter = make_service(ngo_b)
    consent_to(caseworker_a, case.person, ngo_b)

    result = drill.run(SEND.format(case=case.pk, service=shelter.pk), fault_at=None)

    assert result.returncode == 0, result.stderr
    assert "sent" in result.stdout
    assert Referral.objects.count() == 1
    assert drill.chain_problems() == []
