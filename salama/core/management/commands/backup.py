from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.backup.archive import ArchiveError
from salama.core.backup.databases import BackupError
from salama.core.backup.operations import create_backup


class Command(BaseCommand):
    help = (
        "Write one encrypted archive of the database, the attachments and the audit anchor "
        "file (never the key store or any secret). Check it with `salama restore --drill FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            required=True,
            help="The archive to write (a new file; its folder must exist).",
        )

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        if not output.resolve().parent.is_dir():
            raise CommandError(f"The folder of {output} does not exist; create it first.")
        try:
            manifest = create_backup(output)
        except (ArchiveError, BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Cannot write the archive: {exc}") from None
        database = manifest["databases"]["default"]
        attachments = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {database['engine']} database of {len(database['tables'])} "
                f"tables and {sum(database['tables'].values())} rows, {attachments} attachments, "
                f"audit head {database['audit_head']['id']}, sealed under backup key "
                f"{manifest['backup_key_id']}."
            )
        )
