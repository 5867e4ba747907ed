from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core import crypto, keys, keystore
from salama.core.audit import record


class Command(BaseCommand):
    help = "Manage encryption keys: generate, status, rotate, backup, prune, restore."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "generate",
            help="Print a new random 256-bit key (for SALAMA_KEK, SALAMA_INDEX_KEY or "
            "SALAMA_AUDIT_KEY).",
        )
        sub.add_parser("status", help="Count data keys per key-encryption key.")
        rotate = sub.add_parser(
            "rotate", help="Re-wrap all data keys under the current SALAMA_KEK."
        )
        rotate.add_argument("--batch-size", type=int, default=500)
        backup = sub.add_parser(
            "backup",
            help="Write an encrypted snapshot of the key store to SALAMA_KEYSTORE_BACKUP_DIR, "
            "then delete the snapshots older than SALAMA_KEYSTORE_BACKUP_DAYS.",
        )
        backup.add_argument("--dir", type=Path, default=None, help="another directory")
        prune = sub.add_parser(
            "prune", help="Delete the snapshots older than SALAMA_KEYSTORE_BACKUP_DAYS."
        )
        prune.add_argument("--dir", type=Path, default=None, help="another directory")
        restore = sub.add_parser(
            "restore",
            help="Replace the key store's content by a snapshot's (keys shredded since are "
            "destroyed again).",
        )
        restore.add_argument("snapshot", type=Path)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.stdout.write(crypto.generate_key_text())
            return
        if action in ("backup", "prune", "restore"):
            self._snapshots(action, options)
            return
        ring = crypto.keyring()
        if action == "status":
            status = keys.key_status()
            self.stdout.write(f"current key-encryption key: {ring.current_id}")
            for kek_id, count in sorted(status.items()):
                held = (
                    "current"
                    if kek_id == ring.current_id
                    else ("retired, held" if kek_id in ring.keys else "NOT HELD")
                )
                self.stdout.write(f"  {kek_id}: {count} data keys ({held})")
            return
        unheld = [k for k in keys.key_status() if k not in ring.keys]
        if unheld:
            raise CommandError(
                "Some data keys are wrapped by keys this server does not hold: "
                + ", ".join(unheld)
                + ". Add the old key to SALAMA_KEK_RETIRED and run again."
            )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"re-wrapped {done}/{total}")

        count = keys.rotate(batch_size=options["batch_size"], progress=progress)
        record(
            "keys.rotate",
            object_type="core.datakey",
            changes={"rewrapped": (0, count), "kek": (None, ring.current_id)},
        )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {count} data keys now under {ring.current_id}.")
        )
        if count or len(ring.keys) > 1:
            self.stdout.write("You can now remove the retired keys from SALAMA_KEK_RETIRED.")

    def _snapshots(self, action: str, options: dict[str, Any]) -> None:
        days = keystore.backup_days()
        if action == "restore":
            try:
                restored, destroyed = keystore.restore_snapshot(options["snapshot"])
            except (OSError, keystore.SnapshotError) as error:
                raise CommandError(f"Nothing was restored: {error}") from None
            record(
                "keys.restore",
                object_type="core.datakey",
                changes={"restored": (0, restored), "destroyed_again": (0, destroyed)},
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {restored} data keys from {options['snapshot']}; destroyed again "
                    f"{destroyed} keys of subjects erased since the snapshot."
                )
            )
            return
        directory = options["dir"] or keystore.backup_dir()
        if action == "backup":
            path = keystore.write_snapshot(directory)
            self.stdout.write(f"wrote {path}")
        for pruned in keystore.prune(directory, days=days):
            self.stdout.write(f"deleted {pruned} (older than {days} days)")
        if action == "backup":
            record("keys.backup", object_type="core.datakey")
