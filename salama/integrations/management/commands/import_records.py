"""`salama import-records FILE --user EMAIL`: the bulk import from the command line.

The same services and rules as the pages and the API, acting as the named user (who must be
allowed to register persons and open cases): all rows or none, with the report printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.accounts.models import User
from salama.core.policy import Principal
from salama.integrations import import_services as imports
from salama.integrations.import_models import ImportJob


class Command(BaseCommand):
    help = "Import persons and cases from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="email of the importing user")
        parser.add_argument("--mapping", help='JSON {"column": "field"}; default: guessed')
        parser.add_argument("--case-type", default="", help="case type when the file has none")
        parser.add_argument("--check", action="store_true", help="check only, write nothing")
        parser.add_argument("--block-duplicates", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["user"].strip().lower(), is_active=True).first()
        membership = user.memberships.filter(is_active=True).first() if user else None
        if user is None or membership is None:
            raise CommandError(f"No active user with a membership has the email {options['user']}.")
        actor = Principal(user=user, membership=membership, verified=True)
        path: Path = options["file"]
        try:
            job = imports.create_import(actor=actor, file_name=path.name, content=path.read_bytes())
            mapping = json.loads(options["mapping"]) if options["mapping"] else job.mapping
            imports.set_import_mapping(
                actor=actor,
                job=job,
                mapping=mapping,
                default_case_type=options["case_type"] or job.default_case_type,
                block_duplicates=options["block_duplicates"],
            )
            imports.start_import(
                actor=actor, job=job, commit=not options["check"], background=False
            )
        except (ValidationError, PermissionDenied, OSError, json.JSONDecodeError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc) or "permission denied"]
            raise CommandError(" ".join(messages)) from None
        status = imports.run_import(str(job.pk))
        job = ImportJob.objects.get(pk=job.pk)
        for row, column, message in (job.report or {}).get("errors", []):
            self.stdout.write(f"row {row} {column or '-'}: {message}")
        self.stdout.write(
            f"status={status} rows={job.row_count} imported={job.imported} "
            f"error_rows={job.error_rows} duplicate_rows={job.duplicate_rows} seconds={job.seconds}"
        )
        if status not in ("done", "checked"):
            raise CommandError("Nothing was imported.")
