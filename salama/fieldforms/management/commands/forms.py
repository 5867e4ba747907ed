"""`salama forms add FILE --as EMAIL`: upload an XLSForm from the command line.

Exit 0 printing the form's id and version; otherwise exit 1 with one line per problem, naming
the sheet, row and column and saying what to fix. The upload is made as the given user (a
supervisor or organisation administrator of the organisation the form belongs to) and audited
like one from the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.accounts.models import User
from salama.core.policy import Principal
from salama.fieldforms.services import upload_form
from salama.fieldforms.xlsform import XLSFormError


class Command(BaseCommand):
    help = (
        "Manage field forms: `forms add FILE --as EMAIL [--org NAME] [--encrypt] [--media F ...]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="upload an XLSForm (.xlsx or .xls) as a form or a new version"
        )
        add.add_argument("file")
        add.add_argument("--as", dest="email", required=True, help="the uploading user's email")
        add.add_argument("--org", default="", help="the organisation, when the user has several")
        add.add_argument("--encrypt", action="store_true", help="devices encrypt submissions")
        add.add_argument("--media", nargs="*", default=[], help="media files the form uses")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        memberships = user.memberships.filter(is_active=True) if user else None
        if memberships is not None and options["org"]:
            memberships = memberships.filter(organisation__name=options["org"])
        membership = memberships.first() if memberships is not None else None
        if user is None or membership is None:
            raise CommandError(
                f"No active user with a membership has the email {options['email']}."
            )
        actor = Principal(user=user, membership=membership, verified=True)
        media = [(Path(m).name, Path(m).read_bytes()) for m in options["media"]]
        try:
            version = upload_form(
                actor=actor,
                content=path.read_bytes(),
                filename=path.name,
                encrypt=options["encrypt"],
                media=media,
            )
        except XLSFormError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{path.name} was not uploaded ({len(exc.problems)} problem(s))."
            ) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except PermissionDenied:
            raise CommandError(
                f"{user.email} may not manage forms (a supervisor or organisation administrator may)."
            ) from None
        self.stdout.write(f"{version.form.form_id} {version.version}")
