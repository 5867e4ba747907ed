"""Rebuild the dashboards' pre-aggregated counts: ``manage.py evidence_refresh [--all] [--every N]``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Rebuild the evidence dashboards' counts of the organisations changed since their last "
        "count (or of all with --all); with --every N, again every N seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Count every organisation.")
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        from salama.accounts.models import Organisation
        from salama.evidence import counts

        while True:
            started = time.monotonic()
            if options["all"]:
                ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
            else:
                ids = counts.stale_organisations()
            cells = sum(counts.refresh(org_id) for org_id in ids)
            self.stdout.write(
                f"counted {len(ids)} organisation(s): {cells} cells "
                f"in {time.monotonic() - started:.1f} s"
            )
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
