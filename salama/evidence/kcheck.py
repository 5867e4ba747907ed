"""Check k-anonymity from a released CSV file alone (standard library only).

Deliberately independent of salama.evidence.release: it reads the file, counts each combination
of values over every column (``-99`` is a value like any other) and reports the combinations
that occur fewer than k times. ``salama evidence check-k FILE --k 11`` runs it.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KCheck:
    k: int
    rows: int
    columns: tuple[str, ...]
    smallest: int
    offending: tuple[tuple[tuple[str, ...], int], ...]

    @property
    def holds(self) -> bool:
        return not self.offending


def check_file(path: Path | str, k: int) -> KCheck:
    """Count the equivalence classes of the CSV at ``path`` and list those smaller than ``k``."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return KCheck(k, 0, (), 0, ())
        counts = Counter(tuple(row) for row in reader)
    offending = tuple(sorted(((c, n) for c, n in counts.items() if n < k), key=lambda i: i[1]))
    return KCheck(
        k=k,
        rows=sum(counts.values()),
        columns=tuple(header),
        smallest=min(counts.values(), default=0),
        offending=offending,
    )
