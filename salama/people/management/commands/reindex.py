from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from salama.people.models import Person
from salama.people.search import index_person


class Command(BaseCommand):
    help = "Rebuild the name-search index (after changing SALAMA_INDEX_KEY or the normalisation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        done = 0
        last = None
        while True:
            qs = (
                Person.objects.filter(erased_at__isnull=True)
                .select_related("data_key")
                .order_by("id")
            )
            if last is not None:
                qs = qs.filter(id__gt=last)
            batch = list(qs[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for person in batch:
                    index_person(person)
            done += len(batch)
            last = batch[-1].id
            self.stdout.write(f"re-indexed {done}")
        self.stdout.write(self.style.SUCCESS(f"Done: {done} persons re-indexed."))
