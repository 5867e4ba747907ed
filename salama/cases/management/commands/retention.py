"""`salama retention [--apply]`: list persons due for erasure, or erase them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.accounts.models import Organisation
from salama.cases.retention import apply_retention, retention_report, run_sweeps


class Command(BaseCommand):
    help = (
        "Persons whose cases were all closed longer ago than the organisation's retention period. "
        "Prints the report (dry run) unless --apply is given, which crypto-shreds them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Erase the persons listed.")
        parser.add_argument(
            "--organisation",
            help="Only persons with a case of this organisation (reference prefix).",
        )
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Evaluate as of this date.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(
                reference_prefix__iexact=options["organisation"]
            ).first()
            if organisation is None:
                raise CommandError(f"No organisation with the prefix {options['organisation']!r}.")
        today = options["today"]
        items = retention_report(today, organisation=organisation)
        for item in items:
            self.stdout.write(
                f"{item.person_id}  due since {item.due_since.isoformat()}  "
                f"closed {item.closed_at.date().isoformat()}  {item.organisation}  "
                f"{', '.join(item.references)}"
            )
        if not options["apply"]:
            self.stdout.write(
                f"{len(items)} person(s) due for erasure (dry run; --apply to erase)."
            )
            for label, count in run_sweeps(apply=False).items():
                self.stdout.write(f"{count} {label} due for deletion (dry run).")
            return
        for label, count in run_sweeps(apply=True).items():
            self.stdout.write(f"{count} {label} deleted.")
        erased = apply_retention(today, organisation=organisation)
        self.stdout.write(self.style.SUCCESS(f"{len(erased)} person(s) erased."))
        if len(erased) < len(items):
            raise CommandError(f"{len(items) - len(erased)} erasure(s) failed; see the log.")
