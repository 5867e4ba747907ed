from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_referral_references")]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="reference",
            field=models.CharField(max_length=40, unique=True, verbose_name="reference"),
        ),
    ]
