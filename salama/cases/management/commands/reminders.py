"""`manage.py reminders [--now ISO] [--every SECONDS]`: email overdue tasks and risk reviews.

Each overdue item is announced once (salama.cases.reminders), so the command may run as often
as you like. In production run it from cron or a systemd timer; `--every` keeps it running and
repeats it (what `make run` does in development).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from salama.cases.reminders import send_reminders


class Command(BaseCommand):
    help = "Email each person how many of their tasks and risk reviews are overdue (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", type=dt.datetime.fromisoformat, help="Evaluate as of this moment (ISO 8601)."
        )
        parser.add_argument("--base-url", default="", help="Address of Salama for email links.")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, once every this many seconds (0: run once and stop).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            sent = send_reminders(options["now"], base_url=options["base_url"])
            self.stdout.write(f"{sent} reminder email(s) sent.")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
