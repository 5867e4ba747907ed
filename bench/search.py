"""Benchmark the encrypted name search over a database made by bench/seed.py.

    .venv/bin/python bench/search.py --db sqlite
    .venv/bin/python bench/search.py --db postgres     # also runs the plaintext pg_trgm baseline

Queries are made from known synthetic persons (the seed regenerates them, ids included):
500 *variant* queries (spelling variants, transliteration variants and other-script spellings,
``synthetic.spelling_variant`` / ``other_script_variant``) and up to 400 *cross-script* queries
(an Arabic or Cyrillic query for a Latin-script record, and a Latin query for an Arabic- or
Cyrillic-script record). Measured: p50/p95 latency of ``search_people`` for one client and for
8 concurrent clients (processes, each with its own connection), throughput, recall@10 by name
alone, by name with birth year and across scripts, and the namesake ceiling for name alone
(the mean of min(1, 10 / persons sharing the target's canonical full name): the recall an
oracle ranking by name could reach). On PostgreSQL the same queries also run against a
plaintext baseline: unencrypted full names in a scratch table with a pg_trgm GIN index,
``WHERE full_name % q ORDER BY similarity(full_name, q) DESC LIMIT 10``. For the variant queries
it also reports the share whose first result is an unrelated person (``bench/corpus.py``).

``--names-corpus FILE`` (a TSV ``group<TAB>name_a<TAB>name_b<TAB>source``, e.g.
bench/data/example_pairs.tsv) adds recall@1/@10 and unrelated-first shares by group for pairs
of spellings of one person, and for the same queries while the person is not on file; noise
queries (``--noise N``) should find nobody (bench/corpus.py). Not a test; not run in CI. Ends
with one line ``key=value ...``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, corpus  # noqa: E402

# Figures of a plaintext pg_trgm search measured on this kind of machine (issue 3, item 9).
PEER = {"p95_1": 143.0, "p95_8": 624.0, "cross_recall": 0.17}


@dataclass(frozen=True)
class Query:
    text: str
    target: Any  # uuid.UUID of the person the query was made from
    birth_year: int
    kind: str  # spelling, transliteration, other_script, cross_to_latin, cross_from_latin
    namesakes: int  # persons with the target's canonical full name
    year_namesakes: int  # ... and the target's birth year
    skeleton_namesakes: int  # persons whose full name has the same consonant skeleton and year
    target_name: str = ""  # the name the target was registered with


_state: dict[str, Any] = {}


def _make_queries(
    n: int, seed: int, count: int, cross: int, rng_seed: int
) -> tuple[list[Query], list[Query]]:
    from salama.demo.synthetic import generate_people, other_script_variant, spelling_variant
    from salama.people.names import skeleton

    people = list(generate_people(n, seed))
    namesakes = Counter(p.canonical_latin.lower() for p in people)
    year_namesakes = Counter((p.canonical_latin.lower(), p.date_of_birth.year) for p in people)
    # Mohammed Hassan, Muhammad Hasan and محمد حسن are different canonical names but one
    # skeleton: an engine that reads them as the same name cannot order such namesakes either.
    skeletons = [" ".join(skeleton(w) for w in p.canonical_latin.split()) for p in people]
    skeleton_namesakes = Counter(
        (key, p.date_of_birth.year) for key, p in zip(skeletons, people, strict=True)
    )
    rng = random.Random(rng_seed)

    def query(index: int, text: str, kind: str) -> Query:
        sp = people[index]
        return Query(
            text,
            common.person_uuid(seed, index),
            sp.date_of_birth.year,
            kind,
            namesakes[sp.canonical_latin.lower()],
            year_namesakes[(sp.canonical_latin.lower(), sp.date_of_birth.year)],
            skeleton_namesakes[(skeletons[index], sp.date_of_birth.year)],
            f"{sp.given_name} {sp.family_name}",
        )

    variants: list[Query] = []
    while len(variants) < count:
        index = rng.randrange(n)
        sp = people[index]
        registered = f"{sp.given_name} {sp.family_name}"
        roll = rng.random()
        if roll < 0.5:
            variants.append(query(index, spelling_variant(registered, rng), "spelling"))
        elif roll < 0.75:
            if sp.script == "latin":
                text = spelling_variant(sp.canonical_latin, rng)
            else:
                text = sp.canonical_latin
            variants.append(query(index, text, "transliteration"))
        else:
            if sp.script != "latin":
                variants.append(query(index, sp.canonical_latin, "other_script"))
                continue
            scripts = ["arabic", "cyrillic", "ethiopic"]
            rng.shuffle(scripts)
            for script in scripts:
                text = other_script_variant(sp.canonical_latin, script)
                if text:
                    variants.append(query(index, text, "other_script"))
                    break
    crossed: list[Query] = []
    attempts = 0
    while len(crossed) < cross and attempts < 200 * max(cross, 1):
        attempts += 1
        index = rng.randrange(n)
        sp = people[index]
        to_latin = len(crossed) % 2 == 1
        if to_latin:
            if sp.script not in ("arabic", "cyrillic"):
                continue
            text = (
                sp.canonical_latin
                if rng.random() < 0.5
                else spelling_variant(sp.canonical_latin, rng)
            )
            crossed.append(query(index, text, "cross_to_latin"))
        else:
            if sp.script != "latin":
                continue
            script = "arabic" if rng.random() < 0.5 else "cyrillic"
            text = other_script_variant(sp.canonical_latin, script) or other_script_variant(
                sp.canonical_latin, "cyrillic" if script == "arabic" else "arabic"
            )
            if text:
                crossed.append(query(index, text, "cross_from_latin"))
    return variants, crossed


# Engines ---------------------------------------------------------------------------------------


def _salama(q: Query, with_year: bool) -> list[Any]:
    from salama.people.search import search_people

    hits = search_people(
        _state["visible"], q.text, birth_year=q.birth_year if with_year else None, limit=10
    )
    _state["last_first"] = hits[0].person if hits else None
    return [hit.person.pk for hit in hits]


_BASELINE_SQL = (
    "SELECT id FROM bench_plain WHERE full_name %% %s "
    "ORDER BY similarity(full_name, %s) DESC LIMIT 10"
)


def _baseline(q: Query, with_year: bool) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_BASELINE_SQL, [q.text, q.text])
        return [row[0] for row in cursor.fetchall()]


ENGINES = {"salama": _salama, "baseline": _baseline}


def _prepare_process() -> None:
    from salama.people.access import visible_people

    _state["visible"] = visible_people(common.bench_principal())


def _run_one(engine: str, queries: list[Query], with_year: bool) -> tuple[list[float], list[bool]]:
    fn = ENGINES[engine]
    latencies: list[float] = []
    found: list[bool] = []
    unrelated: list[bool] = []
    for q in queries:
        started = time.perf_counter()
        result = fn(q, with_year)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(q.target in result)
        if engine == "salama":  # outside the timing: decrypts the first hit's name
            unrelated.append(corpus.unrelated(_state["last_first"], q.target, q.target_name))
    _state["unrelated"] = unrelated
    return latencies, found


def _client(args: tuple[str, int, int]) -> tuple[list[float], float, float]:
    engine, client, clients = args
    from django.db import connections

    connections.close_all()
    _prepare_process()
    mine = [q for i, q in enumerate(_state["queries"]) if i % clients == client]
    fn = ENGINES[engine]
    for q in mine[:3]:
        fn(q, True)  # warm the connection and caches
    _state["barrier"].wait()
    started = time.time()
    latencies: list[float] = []
    for i, q in enumerate(mine):
        t = time.perf_counter()
        fn(q, i % 2 == 0)
        latencies.append((time.perf_counter() - t) * 1000)
    return latencies, started, time.time()


def _run_concurrent(engine: str, queries: list[Query], clients: int) -> tuple[list[float], float]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    _state["queries"] = queries
    _state["barrier"] = context.Barrier(clients)
    with context.Pool(clients) as pool:
        results = pool.map(_client, [(engine, c, clients) for c in range(clients)])
    latencies = [lat for r in results for lat in r[0]]
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return latencies, len(latencies) / wall


def _build_baseline(n: int, seed: int) -> None:
    from django.db import connection

    from salama.demo.synthetic import generate_people

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT to_regclass('bench_plain') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT count(*) FROM bench_plain")
            if cursor.fetchone()[0] == n:
                return
            cursor.execute("DROP TABLE bench_plain")
        cursor.execute(
            "CREATE TABLE bench_plain (id uuid PRIMARY KEY, full_name text, birth_year int)"
        )
        with cursor.copy("COPY bench_plain (id, full_name, birth_year) FROM STDIN") as copy:
            for index, sp in enumerate(generate_people(n, seed)):
                copy.write_row(
                    (
                        common.person_uuid(seed, index),
                        f"{sp.given_name} {sp.family_name}",
                        sp.date_of_birth.year,
                    )
                )
        cursor.execute(
            "CREATE INDEX bench_plain_trgm ON bench_plain USING gin (full_name gin_trgm_ops)"
        )
        cursor.execute("VACUUM ANALYZE bench_plain")


def _recall(found: list[bool]) -> float:
    return sum(found) / len(found) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--cross", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the concurrent clients this many times (p95_8 pools them; each run's p95 is "
        "listed in p95_8_runs): on a shared host one run's p95 moves by a third",
    )
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--budget", type=int, help="override search.POSTINGS_BUDGET")
    parser.add_argument("--candidates", type=int, help="override search.CANDIDATES")
    parser.add_argument(
        "--cold", action="store_true", help="skip reading the database into the page cache"
    )
    parser.add_argument(
        "--names-corpus",
        type=Path,
        help="TSV group<TAB>name_a<TAB>name_b<TAB>source: register name_a, search name_b",
    )
    parser.add_argument("--noise", type=int, default=50, help="noise queries (with a corpus)")
    args = parser.parse_args()
    common.setup_django(args.db)

    from django.db import connection

    from salama.people import search

    if args.budget:
        search.POSTINGS_BUDGET = args.budget
    if args.candidates:
        search.CANDIDATES = args.candidates
    manifest = common.read_manifest(args.db)
    n, seed = int(manifest["n"]), int(manifest["seed"])
    vendor = connection.vendor
    if vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:  # all-visible pages for index-only scans
            cursor.execute("VACUUM ANALYZE people_nametoken")

    if not args.cold:
        t0 = time.perf_counter()
        print(f"{common.warm_cache()} in {time.perf_counter() - t0:.0f}s", flush=True)
    t0 = time.perf_counter()
    variants, crossed = _make_queries(n, seed, args.queries, args.cross, args.query_seed)
    print(
        f"{len(variants)} variant and {len(crossed)} cross-script queries over {n:,} persons "
        f"({args.db}) made in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    kinds = Counter(q.kind for q in variants)

    def ceiling_of(queries: list[Query], with_year: bool, by_skeleton: bool = False) -> float:
        counts = [
            q.skeleton_namesakes if by_skeleton else q.year_namesakes if with_year else q.namesakes
            for q in queries
        ]
        return sum(min(1.0, 10 / k) for k in counts) / max(len(counts), 1)

    ceiling = ceiling_of(variants, False)

    calibration = common.cpu_calibration_ms()
    _prepare_process()
    _run_one("salama", variants[:20], True)  # warm-up
    lat_name, found_name = _run_one("salama", variants, False)
    unrelated_name = _state["unrelated"]
    lat_year, found_year = _run_one("salama", variants, True)
    unrelated_year = _state["unrelated"]
    _, cross_name = _run_one("salama", crossed, False)
    _, cross_year = _run_one("salama", crossed, True)
    lat_one = lat_name + lat_year
    lat_eight: list[float] = []
    rates: list[float] = []
    run_p95: list[float] = []
    for _ in range(max(args.repeat, 1)):
        latencies, rate = _run_concurrent("salama", variants, args.clients)
        lat_eight += latencies
        rates.append(rate)
        run_p95.append(round(common.percentile(latencies, 0.95), 1))
    throughput = sum(rates) / len(rates)
    _prepare_process()
    by_kind = {
        kind: _recall([f for q, f in zip(variants, found_year, strict=True) if q.kind == kind])
        for kind in sorted(kinds)
    }
    results: dict[str, Any] = {
        "db": args.db,
        "n": n,
        "queries": len(variants),
        "cross_queries": len(crossed),
        "budget": search.POSTINGS_BUDGET,
        "candidates": search.CANDIDATES,
        "warm": int(not args.cold),
        "cpu_ms": calibration,
        "p50_1": common.percentile(lat_one, 0.5),
        "p95_1": common.percentile(lat_one, 0.95),
        "p95_1_name": common.percentile(lat_name, 0.95),
        "p95_1_year": common.percentile(lat_year, 0.95),
        "qps_1": 1000 * len(lat_one) / sum(lat_one),
        "p50_8": common.percentile(lat_eight, 0.5),
        "p95_8": common.percentile(lat_eight, 0.95),
        "p95_8_runs": ",".join(str(v) for v in run_p95),
        "qps_8": throughput,
        "recall_name": _recall(found_name),
        "namesake_ceiling": ceiling,
        "recall_year": _recall(found_year),
        "year_ceiling": ceiling_of(variants, True),
        "year_skeleton_ceiling": ceiling_of(variants, True, by_skeleton=True),
        "recall_cross_name": _recall(cross_name),
        "cross_ceiling": ceiling_of(crossed, False),
        "recall_cross_year": _recall(cross_year),
        "cross_year_ceiling": ceiling_of(crossed, True),
        "cross_year_skeleton_ceiling": ceiling_of(crossed, True, by_skeleton=True),
        "unrelated_first_name": _recall(unrelated_name),
        "unrelated_first_year": _recall(unrelated_year),
    }
    for kind, value in by_kind.items():
        results[f"recall_year_{kind}"] = value

    baseline = vendor == "postgresql" and not args.no_baseline
    if baseline:
        t0 = time.perf_counter()
        _build_baseline(n, seed)
        print(f"plaintext baseline table ready in {time.perf_counter() - t0:.1f}s", flush=True)
        _run_one("baseline", variants[:20], False)
        b_lat, b_found = _run_one("baseline", variants, False)
        _, b_cross = _run_one("baseline", crossed, False)
        b_eight, b_qps = _run_concurrent("baseline", variants, args.clients)
        results.update(
            base_p50_1=common.percentile(b_lat, 0.5),
            base_p95_1=common.percentile(b_lat, 0.95),
            base_qps_1=1000 * len(b_lat) / sum(b_lat),
            base_p50_8=common.percentile(b_eight, 0.5),
            base_p95_8=common.percentile(b_eight, 0.95),
            base_qps_8=b_qps,
            base_recall_name=_recall(b_found),
            base_recall_cross_name=_recall(b_cross),
        )
    elif vendor != "postgresql":
        print("plaintext pg_trgm baseline skipped: it needs PostgreSQL (run with --db postgres)")

    if args.names_corpus:
        pairs = corpus.read_pairs(args.names_corpus)

        def search_hits(text: str, birth_year: int | None) -> list[Any]:
            return search.search_people(_state["visible"], text, birth_year=birth_year, limit=10)

        noise = corpus.noise_queries(args.noise, random.Random(args.query_seed))
        results.update(corpus.run(pairs, search_hits, noise, args.query_seed))

    _print_table(results, baseline)
    if args.names_corpus:
        corpus.print_table(results)
    print(
        " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in results.items())
    )


def _print_table(r: dict[str, Any], baseline: bool) -> None:
    def ms(v: float) -> str:
        return f"{v:.1f} ms"

    def pct(v: float) -> str:
        return f"{100 * v:.1f}%"

    rows = [
        ("p50, 1 client", ms(r["p50_1"]), ms(r["base_p50_1"]) if baseline else "-", "-"),
        (
            "p95, 1 client",
            ms(r["p95_1"]),
            ms(r["base_p95_1"]) if baseline else "-",
            ms(PEER["p95_1"]),
        ),
        (f"p50, {8} clients", ms(r["p50_8"]), ms(r["base_p50_8"]) if baseline else "-", "-"),
        (
            f"p95, {8} clients",
            ms(r["p95_8"]),
            ms(r["base_p95_8"]) if baseline else "-",
            ms(PEER["p95_8"]),
        ),
        (
            "throughput, 1 client",
            f"{r['qps_1']:.0f}/s",
            f"{r['base_qps_1']:.0f}/s" if baseline else "-",
            "-",
        ),
        (
            "throughput, 8 clients",
            f"{r['qps_8']:.0f}/s",
            f"{r['base_qps_8']:.0f}/s" if baseline else "-",
            "-",
        ),
        (
            "recall@10, name alone",
            pct(r["recall_name"]),
            pct(r["base_recall_name"]) if baseline else "-",
            "-",
        ),
        ("  namesake ceiling (name alone)", pct(r["namesake_ceiling"]), "", ""),
        ("recall@10, name + birth year", pct(r["recall_year"]), "-", "-"),
        ("  namesake ceiling (name + year)", pct(r["year_ceiling"]), "", ""),
        ("  same skeleton + year ceiling", pct(r["year_skeleton_ceiling"]), "", ""),
        (
            "recall@10, cross-script, name alone",
            pct(r["recall_cross_name"]),
            pct(r["base_recall_cross_name"]) if baseline else "-",
            pct(PEER["cross_recall"]),
        ),
        ("  namesake ceiling (cross, name alone)", pct(r["cross_ceiling"]), "", ""),
        ("recall@10, cross-script + birth year", pct(r["recall_cross_year"]), "-", "-"),
        ("  namesake ceiling (cross, name + year)", pct(r["cross_year_ceiling"]), "", ""),
        ("  same skeleton + year ceiling (cross)", pct(r["cross_year_skeleton_ceiling"]), "", ""),
        ("first result unrelated, name alone", pct(r["unrelated_first_name"]), "", ""),
        ("first result unrelated, + birth year", pct(r["unrelated_first_year"]), "", ""),
    ]
    rows += [
        (f"  recall@10 + year, {k[len('recall_year_') :]}", pct(v), "", "")
        for k, v in r.items()
        if k.startswith("recall_year_")
    ]
    title = f"Search, {r['n']:,} persons, {r['db']}"
    print(f"\n{title}\n" + "-" * len(title))
    print(f"{'':40} {'Salama':>10} {'pg_trgm here':>13} {'pg_trgm peer':>13}")
    for label, ours, base, peer in rows:
        print(f"{label:40} {ours:>10} {base:>13} {peer:>13}")
    print()


if __name__ == "__main__":
    main()
