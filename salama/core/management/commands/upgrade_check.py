from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.backup.archive import ArchiveError
from salama.core.backup.databases import BackupError
from salama.core.backup.operations import drill
from salama.core.management.commands.restore import print_check


class Command(BaseCommand):
    help = (
        "Try an upgrade on a copy: restore an archive into a scratch database, run this "
        "version's migrations there, check the audit chain, report the time, drop the copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="A recent archive of production.")
        parser.add_argument("--work-dir", type=Path, default=None)

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        try:
            outcome = drill(archive, work_dir=options["work_dir"], upgrade=True)
        except ArchiveError as exc:
            raise CommandError(f"Refused: {exc}") from None
        except (BackupError, ImproperlyConfigured, OSError) as exc:
            raise CommandError(str(exc)) from None
        print_check(self, outcome.check)
        if not outcome.check.ok:
            raise CommandError(f"Upgrade check failed: {outcome.check.problems[0]}.")
        migrated = ", ".join(outcome.migrated) or "none (already up to date)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Upgrade check passed: migrations applied on the copy: {migrated}; migrate took "
                f"{outcome.migrate_seconds:.1f} s. Production will need about as long."
            )
        )
