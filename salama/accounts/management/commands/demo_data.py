from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from salama.accounts.demo import DEMO_PASSWORD, load_demo_accounts


class Command(BaseCommand):
    help = (
        "Load demo organisations, logins and (when installed) demo persons and cases. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = load_demo_accounts()
        from salama.core.demo_hooks import run_demo_hooks

        for line in run_demo_hooks():
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
