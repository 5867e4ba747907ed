"""`manage.py referrals_overdue [--now ISO]`: alert supervisors of overdue referral stages once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from salama.referrals.services import notify_overdue_referrals


class Command(BaseCommand):
    help = "Notify both sides' supervisors of referrals past their SLA (once per stage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", type=dt.datetime.fromisoformat, help="Evaluate as of this moment (ISO 8601)."
        )
        parser.add_argument("--base-url", default="", help="Address of Salama for email links.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = notify_overdue_referrals(options["now"], base_url=options["base_url"])
        self.stdout.write(f"{count} overdue referral stage(s) alerted.")
