"""Give every existing referral its readable reference (<prefix>-REF-<year>-<number>), numbered
per sending organisation and year in the order they were sent, and start the counters after them."""

from __future__ import annotations

from typing import Any

from django.db import migrations


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


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_referral_collaboration")]

    operations = [migrations.RunPython(number_referrals, migrations.RunPython.noop)]
