from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from salama.people.models import Person
from salama.people.services import reindex_people


class Command(BaseCommand):
    help = (
        "Rebuild what the index key keys: name tokens and the document and phone/email blind "
        "indexes (after changing SALAMA_INDEX_KEY or the name normalisation). Works in "
        "committed batches: persons not yet re-indexed keep their old tokens meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        done = blind = 0
        last = None
        started = time.monotonic()
        while True:
            with transaction.atomic():
                # Locked while their tokens are rewritten, so a name changed meanwhile is
                # indexed by whichever of the two writes comes last, never from stale names.
                qs = (
                    Person.objects.filter(erased_at__isnull=True)
                    .select_related("data_key")
                    .select_for_update(of=("self",))
                    .order_by("id")
                )
                if last is not None:
                    qs = qs.filter(id__gt=last)
                batch = list(qs[:batch_size])
                if not batch:
                    break
                blind += reindex_people(batch)
            done += len(batch)
            last = batch[-1].id
            rate = done / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"re-indexed {done} ({rate:,.0f} persons/s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {done} persons re-indexed; {blind} document and contact indexes rewritten."
            )
        )
