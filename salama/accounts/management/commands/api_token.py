"""Print a fresh API token for a demo login (demo mode only): what the API fuzzing in CI uses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.accounts.models import User
from salama.accounts.services import create_api_token
from salama.core.policy import Principal


class Command(BaseCommand):
    help = (
        "Create an API token for a demo login and print its secret (demo mode only). "
        "Without --scopes the token gets every permission of the login's role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--scopes", nargs="*", default=None, help="e.g. person.view case.view")
        parser.add_argument("--days", type=int, default=1, help="lifetime in days (1-365)")

    def handle(
        self, *args: Any, email: str, scopes: list[str] | None, days: int, **options: Any
    ) -> None:
        if not settings.SALAMA_DEMO or settings.PRODUCTION:
            raise CommandError("api_token works only in demo mode (SALAMA_DEMO=1, not production).")
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        membership = user.memberships.filter(is_active=True).first() if user else None
        if user is None or membership is None:
            raise CommandError(f"No active demo login with a membership has the email {email}.")
        actor = Principal(user=user, membership=membership, verified=True)
        try:
            _token, secret = create_api_token(
                actor=actor,
                name="api_token command",
                scopes=sorted(actor.permissions) if scopes is None else scopes,
                days=days,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(secret)
