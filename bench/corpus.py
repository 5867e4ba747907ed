"""Name-pair corpora and miss queries for bench/search.py (``--names-corpus FILE``).

A corpus is a UTF-8 TSV with the header ``group<TAB>name_a<TAB>name_b<TAB>source``: each row
two spellings of one person's name, in any scripts. ``name_a`` is registered among the
synthetic population (first word as the given name, the rest as the family name, a birth year
drawn from a fixed seed) and ``name_b`` is searched, by name alone and with the birth year.
The same ``name_b`` queries are also run *before* ``name_a`` is registered: the person is not on
file, which is the search that should come back empty or with namesakes only, never with a
stranger. Registered persons are removed again at the end, so a seeded database can be measured
again. Noise queries (random consonant strings, "zzqx", "qqqq wwww") should find nobody.

A first result is **unrelated** when it is not the person searched for and its name is not a
namesake of theirs: the consonant skeletons of its words (as the name index reads them) differ
from those of the name searched for, in any order and also when run together. Mohammed Hassan, Muhammad Hasan and محمد حسن are namesakes;
Wafaa Al-Hussein and Weber Hesse are not.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice, permutations
from pathlib import Path
from typing import Any

HEADER = ["group", "name_a", "name_b", "source"]
FIXED_NOISE = ["zzqx", "qqqq wwww", "xkcd", "bbbb", "zzz qqq", "pfft grr", "qwrt", "kkkk"]
_CONSONANTS = "bcdfghjklmnpqrstvwxz"
BIRTH_YEARS = (1950, 2008)


@dataclass(frozen=True)
class Pair:
    group: str
    name_a: str
    name_b: str
    source: str


def read_pairs(path: Path) -> list[Pair]:
    """The pairs of a corpus file; a wrong header or a short row stops with the line to fix."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise SystemExit(f"{path}: the first line must be the header {'<TAB>'.join(HEADER)}")
    pairs: list[Pair] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 3 or not row[1].strip() or not row[2].strip():
            raise SystemExit(f"{path}, line {number}: needs a group, name_a and name_b")
        source = row[3].strip() if len(row) > 3 else ""
        pairs.append(Pair(row[0].strip() or "-", row[1].strip(), row[2].strip(), source))
    if not pairs:
        raise SystemExit(f"{path}: no pairs")
    return pairs


def noise_queries(count: int, rng: random.Random) -> list[str]:
    """The fixed noise queries, then random consonant strings of one or two words."""
    queries = list(FIXED_NOISE[:count])
    while len(queries) < count:
        words = [
            "".join(rng.choice(_CONSONANTS) for _ in range(rng.randint(4, 7)))
            for _ in range(rng.randint(1, 2))
        ]
        queries.append(" ".join(words))
    return queries


def _skeletons(name: str) -> list[str]:
    """The fine consonant skeletons of a name's words, bound words merged (Abd al-Rahman)."""
    from salama.people.names import _merge_bound_words, _words

    return [w.fine for w in _merge_bound_words(_words(name)) if w.fine]


def namesakes(a: str, b: str) -> bool:
    """Whether two names have the same consonants word for word, in any order, or run together
    (Gebre Medhin Yohannes, ዮሃንስ ገብረመድህን)."""
    from salama.people.names import _collapse

    left, right = _skeletons(a), _skeletons(b)
    if sorted(left) == sorted(right):
        return True
    joined = {_collapse("".join(p)) for p in islice(permutations(left), 24)}
    return any(_collapse("".join(p)) in joined for p in islice(permutations(right), 24))


def unrelated(first: Any, target: Any, target_name: str) -> bool:
    """Whether a first hit (a Person) is neither the target nor a namesake of ``target_name``."""
    if first is None or first.pk == target:
        return False
    return not namesakes(first.full_name, target_name)


Search = Callable[[str, int | None], list[Any]]  # (query, birth year) -> SearchHits


def _split(name: str) -> tuple[str, str]:
    words = name.split()
    return words[0], " ".join(words[1:])


def _register(pairs: Sequence[Pair], years: Sequence[int]) -> list[Any]:
    import datetime as dt

    from django.db import transaction

    from bench import common
    from salama.core.models import DataKey
    from salama.people.models import Person
    from salama.people.name_index import index_person

    principal = common.bench_principal()
    people = []
    with transaction.atomic():
        for pair, year in zip(pairs, years, strict=True):
            given, family = _split(pair.name_a)
            key = DataKey.new()
            key.save()
            person = Person.objects.create(
                data_key=key,
                registered_by=principal.organisation,
                created_by=principal.user,
                given_name=given,
                family_name=family,
                date_of_birth=dt.date(year, 7, 1),
            )
            index_person(person)
            people.append(person)
    return people


def _remove(people: Sequence[Any]) -> None:
    from django.db import transaction

    from salama.people.name_index import unindex_person

    with transaction.atomic():
        for person in people:
            unindex_person(person)
            key = person.data_key
            person.delete()
            key.delete()


def run(pairs: Sequence[Pair], search: Search, noise: Sequence[str], seed: int) -> dict[str, Any]:
    """Measure the corpus (misses, then hits) and the noise queries; figures by group."""
    rng = random.Random(seed)
    years = [rng.randint(*BIRTH_YEARS) for _ in pairs]
    tallies: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))

    def tally(group: str, key: str, value: bool) -> None:
        tallies[group][key].append(value)
        tallies["all"][key].append(value)

    for pair, year in zip(pairs, years, strict=True):
        for label, birth_year in (("name", None), ("year", year)):
            hits = search(pair.name_b, birth_year)
            first = hits[0].person if hits else None
            tally(pair.group, f"miss_unrel_{label}", unrelated(first, None, pair.name_a))
    people = _register(pairs, years)
    try:
        for pair, year, person in zip(pairs, years, people, strict=True):
            for label, birth_year in (("name", None), ("year", year)):
                hits = search(pair.name_b, birth_year)
                ids = [hit.person.pk for hit in hits]
                first = hits[0].person if hits else None
                tally(pair.group, f"r1_{label}", ids[:1] == [person.pk])
                tally(pair.group, f"r10_{label}", person.pk in ids[:10])
                tally(pair.group, f"unrel_{label}", unrelated(first, person.pk, pair.name_a))
    finally:
        _remove(people)
    results: dict[str, Any] = {}
    for group, figures in sorted(tallies.items(), key=lambda g: (g[0] != "all", g[0])):
        results[f"corpus_{group}_n"] = len(figures["r1_name"])
        for key, values in figures.items():
            results[f"corpus_{group}_{key}"] = sum(values) / len(values)
    any_hit = {"name": [], "year": []}  # type: dict[str, list[bool]]
    for text in noise:
        for label, birth_year in (("name", None), ("year", rng.randint(*BIRTH_YEARS))):
            any_hit[label].append(bool(search(text, birth_year)))
    results["noise_n"] = len(noise)
    results["noise_found_name"] = sum(any_hit["name"]) / max(len(noise), 1)
    results["noise_found_year"] = sum(any_hit["year"]) / max(len(noise), 1)
    return results


def print_table(results: dict[str, Any]) -> None:
    def pct(key: str) -> str:
        value = results.get(key)
        return "-" if value is None else f"{100 * value:.0f}%"

    groups = sorted(
        {
            k[len("corpus_") : -len("_n")]
            for k in results
            if k.startswith("corpus_") and k.endswith("_n")
        },
        key=lambda g: (g != "all", g),
    )
    head = ("group", "n", "r@1", "r@10", "r@1+y", "r@10+y", "unrel", "unrel+y", "miss", "miss+y")
    print("\nName-pair corpus (r@k: recall; +y: with the birth year; unrel: first result an")
    print("unrelated person; miss: the same queries before name_a was registered)")
    print(f"{head[0]:16}" + "".join(f"{h:>8}" for h in head[1:]))
    for g in groups:
        keys = ["r1_name", "r10_name", "r1_year", "r10_year", "unrel_name", "unrel_year"]
        keys += ["miss_unrel_name", "miss_unrel_year"]
        cells = [str(results[f"corpus_{g}_n"])] + [pct(f"corpus_{g}_{k}") for k in keys]
        print(f"{g:16}" + "".join(f"{c:>8}" for c in cells))
    print(
        f"noise queries: {results['noise_n']}, any result by name {pct('noise_found_name')}, "
        f"with a year {pct('noise_found_year')}"
    )
