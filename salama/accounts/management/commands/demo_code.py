from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.accounts.demo import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        try:
            self.stdout.write(current_code(email.strip().lower()))
        except LookupError as exc:
            raise CommandError(str(exc)) from None
