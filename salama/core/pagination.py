"""Pagination without COUNT(*): a page knows only whether a next page exists.

Counting a million-row table on every page view is the slowest part of a list page, and a
caseworker needs "next", not "page 1 of 20,412".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")


class LightPage(Generic[T]):
    def __init__(self, queryset: QuerySet[Any], number: Any, per_page: int = 50) -> None:
        try:
            self.number = max(1, min(int(number or 1), 10_000))
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.object_list: list[T] = rows[:per_page]
        self._has_next = len(rows) > per_page

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
