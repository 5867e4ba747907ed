from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salama.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from salama.demo.loaders import load_domain_demo_data


class Command(BaseCommand):
    help = (
        "Load demo organisations and logins, then demo persons, cases, services and funds. "
        "Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = load_demo_accounts()
        for line in load_domain_demo_data():
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(r[0]) for r in rows)
        for email, org, role in rows:
            self.stdout.write(f"  {email.ljust(width)}  {role} — {org}")
        self.stdout.write("")
        self.stdout.write(
            "Two-factor code for a demo login: .venv/bin/salama demo-code EMAIL "
            "(or make demo-code EMAIL=...)"
        )
