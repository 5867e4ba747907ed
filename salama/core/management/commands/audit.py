from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core import audit
from salama.core.models import AuditHead


class Command(BaseCommand):
    help = "Check the audit chain (verify) or print its head for safekeeping elsewhere (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Walk the chain; fail naming the first broken entry."
        )
        verify.add_argument(
            "--all", action="store_true", help="List every break, not only the first."
        )
        sub.add_parser("head", help="Print the id and hash of the newest entry.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
        if action == "head":
            self.stdout.write(f"{head.last_id} {head.last_hash}")
            return
        problems = (
            list(audit.iter_problems()) if options["all"] else [p for p in [audit.verify()] if p]
        )
        if problems:
            for problem in problems:
                self.stderr.write(f"audit entry {problem.entry_id}: {problem.reason}")
            raise CommandError(
                f"Audit chain is broken; first broken entry is {problems[0].entry_id}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {head.last_id} entries, head {head.last_hash}."
            )
        )
