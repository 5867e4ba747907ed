from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core import audit
from salama.core.models import AuditHead

MORE_SHOWN = 5


class Command(BaseCommand):
    help = (
        "Check the audit chain against its anchors (verify), anchor its head outside the "
        "database (anchor), or print its head (head)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Walk the chain and compare it with every anchor; fail naming the first break.",
        )
        verify.add_argument(
            "--all", action="store_true", help="List every break, not only the first."
        )
        verify.add_argument(
            "--require-anchors",
            action="store_true",
            help="Fail when the anchor file holds no anchor while the chain has entries (for "
            "scheduled checks once anchoring is set up: a deleted anchor file then shows).",
        )
        anchor = sub.add_parser(
            "anchor",
            help="Append a signed record of the head to the anchor file (and syslog), after "
            "checking the entries written since the last anchor.",
        )
        for command in (verify, anchor):
            command.add_argument(
                "--anchor-file",
                type=Path,
                default=None,
                help="The anchor file (default: SALAMA_AUDIT_ANCHOR).",
            )
        sub.add_parser("head", help="Print the id and hash of the newest entry.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "head":
            head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
            self.stdout.write(f"{head.last_id} {head.last_hash}")
        elif action == "anchor":
            self._anchor(options["anchor_file"])
        else:
            self._verify(
                options["anchor_file"],
                every=options["all"],
                require_anchors=options["require_anchors"],
            )

    def _anchor(self, path: Path | None) -> None:
        where = path or settings.SALAMA_AUDIT_ANCHOR
        try:
            outcome = audit.anchor(path)
        except OSError as exc:
            raise CommandError(f"Cannot append to the anchor file {where}: {exc}") from None
        except audit.AnchorRefused as exc:
            for problem in exc.problems:
                self.stderr.write(_describe(problem))
            raise CommandError(
                "Not anchored: the chain contradicts its last anchor or is broken since. "
                "Run `salama audit verify --all` and investigate before anchoring again."
            ) from None
        except audit.AnchorSyslogError as exc:
            raise CommandError(
                f"Anchored entry {exc.anchor.seq} in the anchor file, but {exc}."
            ) from None
        anchored = outcome.anchor
        assert anchored is not None  # no check limit: always written or unchanged
        if outcome.written:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Anchored entry {anchored.seq} (hash {anchored.hash}) at {anchored.at} "
                    f"in {where}."
                )
            )
        else:
            self.stdout.write(
                f"Head unchanged since the anchor of {anchored.at} (entry {anchored.seq}); "
                "nothing written."
            )

    def _verify(self, path: Path | None, *, every: bool, require_anchors: bool) -> None:
        report = audit.VerifyReport()
        try:
            problems = list(audit.iter_problems(anchor_path=path, report=report))
        except OSError as exc:
            source = path or settings.SALAMA_AUDIT_ANCHOR
            raise CommandError(f"Cannot read the anchor file {source}: {exc}") from None
        for name in audit.missing_guards():
            self.stdout.write(
                self.style.WARNING(
                    f"Warning: the database trigger {name} is missing or disabled, so the "
                    "database no longer refuses changes to audit entries. Someone with database "
                    "rights removed it; run `salama migrate` after investigating "
                    "(docs/operations.md, 'Audit trail')."
                )
            )
        if problems:
            shown = problems if every else problems[:1]
            for problem in shown:
                self.stderr.write(_describe(problem))
            if len(problems) > len(shown):
                rest = problems[len(shown) :]
                where = ", ".join(_where(problem) for problem in rest[:MORE_SHOWN])
                more = ", …" if len(rest) > MORE_SHOWN else ""
                self.stderr.write(f"… and {len(rest)} more ({where}{more}); --all lists every one.")
            first = problems[0]
            if first.anchor_line is not None:
                raise CommandError(
                    f"Audit anchors do not verify; first problem is in anchor file line "
                    f"{first.anchor_line}."
                )
            raise CommandError(f"Audit chain is broken; first broken entry is {first.entry_id}.")
        head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {head.last_id} entries, head {head.last_hash}."
            )
        )
        ring = audit.keyring()
        for run in report.runs:
            if run.chain_version == audit.LEGACY_CHAIN:
                kind = "unkeyed SHA-256 (written before the chain was keyed)"
            else:
                held = "current" if run.key_id == ring.current_id else "retired"
                kind = f"HMAC under audit key {run.key_id} ({held})"
            self.stdout.write(f"Entries {run.first}..{run.last}: {kind}.")
        newest = report.newest_anchor
        if newest is None and require_anchors and head.last_id:
            raise CommandError(
                f"No anchors in {report.anchor_path}, yet the chain has {head.last_id} entries: "
                "the anchor file was deleted, emptied or moved, or SALAMA_AUDIT_ANCHOR points "
                "elsewhere. Find out which before running `salama audit anchor`."
            )
        if newest is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No anchors in {report.anchor_path}: the removal of the newest entries "
                    "cannot be detected. Schedule `salama audit anchor` (docs/operations.md)."
                )
            )
            return
        self.stdout.write(
            f"Anchors: {report.anchors} in {report.anchor_path}, all matching the chain; the "
            f"newest, of {newest.at}, records entry {newest.seq}."
        )
        if head.last_id > newest.seq:
            self.stdout.write(
                f"Entries {newest.seq + 1}..{head.last_id} were written after the newest anchor."
            )


def _where(problem: audit.ChainProblem) -> str:
    if problem.anchor_line is not None:
        return f"anchor file line {problem.anchor_line}"
    return f"entry {problem.entry_id}"


def _describe(problem: audit.ChainProblem) -> str:
    if problem.anchor_line is not None:
        return f"anchor file line {problem.anchor_line}: {problem.reason}"
    return f"audit entry {problem.entry_id}: {problem.reason}"
