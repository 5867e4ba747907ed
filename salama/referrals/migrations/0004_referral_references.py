"""Give every existing referral its readable reference (<prefix>-REF-<year>-<number>), numbered
per sending organisation and year in the order they were sent, and start the counters after them;
and give the receiving organisation its delivery record of every referral already closed."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils.crypto import salted_hmac

CLOSED = ("declined", "completed", "withdrawn")


def number_referrals(apps: Any, schema_editor: Any) -> None:
    Referral = apps.get_model("referrals", "Referral")
    ReferralCounter = apps.get_model("referrals", "ReferralCounter")
    last: dict[tuple[int, int], int] = {}
    rows = Referral.objects.filter(reference__isnull=True).select_related("from_organisation")
    for referral in rows.order_by("sent_at", "id"):
        org = referral.from_organisation
        key = (org.pk, referral.sent_at.year)
        if key not in last:
            counter = ReferralCounter.objects.filter(organisation_id=org.pk, year=key[1]).first()
            last[key] = counter.last if counter else 0
        last[key] += 1
        reference = f"{org.reference_prefix}-REF-{key[1]}-{last[key]:05d}"
        Referral.objects.filter(pk=referral.pk).update(reference=reference)
    for (org_id, year), n in last.items():
        ReferralCounter.objects.update_or_create(
            organisation_id=org_id, year=year, defaults={"last": n}
        )


def keep_delivery_records(apps: Any, schema_editor: Any) -> None:
    """As salama.referrals.collab.keep_delivery_record, for referrals closed before it existed."""
    Referral = apps.get_model("referrals", "Referral")
    ServiceDeliveryRecord = apps.get_model("referrals", "ServiceDeliveryRecord")
    closed = Referral.objects.filter(status__in=CLOSED).select_related("from_organisation")
    for referral in closed.exclude(pk__in=ServiceDeliveryRecord.objects.values("referral_id")):
        digest = salted_hmac(
            "salama.referrals.client_label",
            f"{referral.person_id}:{referral.to_organisation_id}",
        ).hexdigest()
        ServiceDeliveryRecord.objects.create(
            referral=referral,
            organisation_id=referral.to_organisation_id,
            reference=referral.reference,
            client_label=f"C-{digest[:8].upper()}",
            service_id=referral.service_id,
            service_type=referral.service_type,
            from_organisation_name=referral.from_organisation.name,
            urgency=referral.urgency,
            outcome=referral.status,
            received_at=referral.sent_at,
            accepted_at=referral.accepted_at,
            delivered_at=referral.delivered_at,
            closed_at=referral.completed_at
            or referral.declined_at
            or referral.withdrawn_at
            or referral.updated_at,
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_referral_collaboration")]

    operations = [
        migrations.RunPython(number_referrals, migrations.RunPython.noop),
        migrations.RunPython(keep_delivery_records, migrations.RunPython.noop),
    ]
