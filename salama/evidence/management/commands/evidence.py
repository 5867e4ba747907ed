"""`salama evidence release|check-k`: anonymised releases from the command line.

``release`` writes a k-anonymous CTDC/HTCDS dataset of the cases (of one organisation, or of all)
into a folder with its report and codebook, audited as the operator. ``check-k`` recomputes the
guarantee from a released CSV alone and exits 0 when it holds, 1 naming the offending
combinations otherwise.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from salama.core import audit
from salama.evidence import kcheck
from salama.evidence import release as anon
from salama.evidence.release_data import raw_case_rows

SHOWN = 20


class Command(BaseCommand):
    help = "Make an anonymised (k-anonymous) case dataset, or check one from its file alone."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        make = sub.add_parser("release", help="Write cases.csv, report.json/.md, codebook.json.")
        make.add_argument("--k", type=int, default=anon.DEFAULT_K, help="k (default 11)")
        make.add_argument("--output", type=Path, required=True, help="the folder to write")
        make.add_argument(
            "--organisation",
            default="",
            help="only this organisation's cases (its reference prefix, name or id); "
            "default: every organisation",
        )
        check = sub.add_parser("check-k", help="Check a released CSV is k-anonymous.")
        check.add_argument("file", type=Path)
        check.add_argument("--k", type=int, default=anon.DEFAULT_K)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "check-k":
            self._check(options["file"], options["k"])
        else:
            self._release(options["k"], options["output"], options["organisation"])

    def _check(self, path: Path, k: int) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = kcheck.check_file(path, k)
        if result.holds:
            self.stdout.write(
                f"k-anonymity holds: {result.rows} rows, every combination of the "
                f"{len(result.columns)} columns occurs at least {k} times "
                f"(smallest class {result.smallest})."
            )
            return
        for values, count in result.offending[:SHOWN]:
            pairs = ", ".join(f"{c}={v}" for c, v in zip(result.columns, values, strict=False))
            self.stderr.write(f"{count} row(s): {pairs}")
        more = len(result.offending) - SHOWN
        if more > 0:
            self.stderr.write(f"... and {more} more combinations")
        raise CommandError(
            f"k-anonymity does not hold for k = {k}: {len(result.offending)} combination(s) "
            f"occur fewer than {k} times (listed above).",
            returncode=1,
        )

    def _release(self, k: int, output: Path, organisation: str) -> None:
        from salama.accounts.models import Organisation

        org = None
        if organisation:
            lookup = Q(reference_prefix__iexact=organisation) | Q(name__iexact=organisation)
            if organisation.isdigit():
                lookup |= Q(pk=int(organisation))
            org = Organisation.objects.filter(lookup).first()
            if org is None:
                raise CommandError(f"No organisation {organisation!r} (prefix, name or id).")
        try:
            result = anon.release(raw_case_rows(org.pk if org else None), k)
        except anon.ReleaseRefused as exc:
            raise CommandError(str(exc)) from None
        operator = f"operator:{getpass.getuser()}"
        result.report.update(
            created_at=timezone.now().isoformat(timespec="seconds"),
            requested_by=operator,
            approved_by=operator,
            organisation=org.name if org else "all organisations",
        )
        with transaction.atomic():
            audit.record(
                "evidence.release_written",
                actor_label=operator,
                organisation=org,
                object_type="evidence.release",
                object_id=output.name[:64],
                changes={
                    "folder": (None, str(output)),
                    "k": (None, k),
                    "rows_out": (None, result.report["rows_out"]),
                    "rows_removed": (None, result.report["rows_removed"]),
                },
            )
            anon.write_folder(result, output)
        self.stdout.write(
            f"Wrote {output}/cases.csv: {result.report['rows_out']} rows at k = {k} "
            f"({result.report['rows_removed']} removed, "
            f"{result.report['cells_kept_share']:.1%} of cells kept), report and codebook."
        )
