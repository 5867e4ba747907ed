from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.backup.archive import ArchiveError
from salama.core.backup.databases import BackupError
from salama.core.backup.operations import Check, Outcome, drill, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `salama backup`, after checking it completely on a "
        "scratch copy; with --drill, only check it (nothing live is touched)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive to restore.")
        parser.add_argument(
            "--drill",
            action="store_true",
            help="Restore into a scratch database, compare rows per table and the audit head "
            "with the manifest, print the comparison and drop the scratch database.",
        )
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the live data."
        )
        parser.add_argument(
            "--work-dir",
            type=Path,
            default=None,
            help="Where the archive is unpacked while it is checked (default: SALAMA_VAR_DIR); "
            "it needs room for the whole archive.",
        )

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        if options["drill"]:
            outcome = self._run(drill, archive, options["work_dir"])
            print_check(self, outcome.check)
            if not outcome.check.ok:
                raise CommandError(
                    f"Drill failed: {len(outcome.check.problems)} differences; first: "
                    f"{outcome.check.problems[0]}."
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Drill passed: the archive of {outcome.manifest['created_at']} restores "
                    "completely and its audit chain verifies."
                )
            )
            return
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("Restore replaces the live data: pass --yes to confirm.")
            answer = input(
                "This replaces the database, the attachments and the audit anchor file with "
                f"the contents of {archive}. Stop Salama's web and task processes first. "
                "Type 'restore' to go on: "
            )
            if answer.strip() != "restore":
                raise CommandError("Nothing restored.")
        outcome = self._run(restore, archive, options["work_dir"])
        if not outcome.check.ok:
            print_check(self, outcome.check)
            raise CommandError(
                "Refused: the archive's database does not match its manifest or its audit chain "
                f"does not verify ({outcome.check.problems[0]}). Nothing was replaced."
            )
        head = outcome.manifest["databases"]["default"]["audit_head"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the archive of {outcome.manifest['created_at']} (audit head "
                f"{head['id']}). The attachments and anchor file it replaced are kept beside "
                "the new ones with the suffix .before-restore-<time>; remove them once you "
                "have checked the restore. Run `salama audit verify` now."
            )
        )

    def _run(self, action: Any, archive: Path, work_dir: Path | None) -> Outcome:
        try:
            outcome: Outcome = action(archive, work_dir=work_dir)
        except ArchiveError as exc:
            raise CommandError(f"Refused: {exc}") from None
        except (BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Cannot restore: {exc}. Nothing was replaced.") from None
        return outcome


def print_check(command: BaseCommand, check: Check) -> None:
    width = max([len(row[0]) for row in check.rows] + [5])
    command.stdout.write(f"{'what':<{width}}  {'archive':>18}  {'restored':>18}  agrees")
    for what, expected, found, agree in check.rows:
        mark = "yes" if agree else "NO"
        line = f"{what:<{width}}  {expected:>18}  {found:>18}  {mark}"
        command.stdout.write(line if agree else command.style.ERROR(line))
