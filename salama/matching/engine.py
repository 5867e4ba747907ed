"""The matching engine: a Fellegi–Sunter model trained and run with Splink. Pure: no Django.

Input is a pandas frame of *generic rows* (``ROW_COLUMNS``), built by ``matching.features``
from Salama persons (names decrypted in memory only) or from any labelled file (Febrl, a CSV).
Nothing here writes to disk: Splink runs on an in-memory DuckDB (or on Spark, ``matching.spark``).

* **Blocking** only on keyed tokens: ``bk_given``/``bk_family`` (and their coarse forms) are
  HMACs of the cross-script name skeletons, the same tokens the search index stores; no
  plaintext blocking key exists outside the process.
* **Comparisons**: given and family name on their cross-script readings (exact reading, exact
  fine skeleton, Jaro–Winkler, coarse skeleton, given and family swapped), birth date (exact,
  one typo, same month, same year, within two years when either side is an estimate), sex,
  nationality overlap, identity document (blind index) and, where a source has them, place and
  postcode.
* **Training** is unsupervised: u from random pairs with a fixed seed (deterministic), m by
  expectation maximisation over blocking rules that leave each comparison free in one pass.
* **Prediction** scores the blocked pairs, **clustering** joins pairs above the threshold
  (connected components). ``score_pair`` scores one pair in pure Python from the stored m/u, as
  the registration warning needs.

Every pair carries reasons as codes: ``{"field": "name", "level": "skeleton", "weight": 4.1}``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.distance import Levenshtein as _Levenshtein

__all__ = [
    "ROW_COLUMNS",
    "EngineResult",
    "Level",
    "as_is_settings",
    "empty_rows",
    "run_dedupe",
    "score_pair",
    "settings_for",
]

logger = logging.getLogger(__name__)

# The generic row schema. Names: ``*_raw`` as written (lower case; only the as-is baseline reads
# them), ``given``/``family`` the romanised reading, ``*_sk`` fine and ``*_ck`` coarse skeletons.
ROW_COLUMNS: dict[str, str] = {
    "unique_id": "string",
    "source": "string",
    "script": "string",
    "given_raw": "string",
    "family_raw": "string",
    "given": "string",
    "family": "string",
    "given_sk": "string",
    "family_sk": "string",
    "given_ck": "string",
    "family_ck": "string",
    "bk_given": "Int64",
    "bk_family": "Int64",
    "bk_given_c": "Int64",
    "bk_family_c": "Int64",
    "dob": "string",  # YYYYMMDD when the full date is known
    "birth_year": "Int64",
    "dob_estimated": "boolean",
    "sex": "string",
    "nationalities": "object",  # list[str] or None
    "documents": "object",  # list[str] of blind indexes or None
    "place": "string",
    "postcode": "string",
}

SEED = 4217
DEFAULT_THRESHOLD = 0.9


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_COLUMNS.items()})


# --------------------------------------------------------------------------------------------
# Comparisons: each level has its Splink form and the same test in Python (for score_pair).
# --------------------------------------------------------------------------------------------

Row = dict[str, Any]


@dataclass(frozen=True)
class Level:
    code: str
    splink: Callable[[], Any]
    test: Callable[[Row, Row], bool]


@dataclass(frozen=True)
class ComparisonSpec:
    code: str  # the reason's "field"
    output: str  # Splink's output column name
    null: Callable[[], Any]
    null_test: Callable[[Row, Row], bool]
    levels: tuple[Level, ...]
    columns: tuple[str, ...] = field(default=())


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        return False
    return value == "" or (isinstance(value, list | tuple) and not value)


def _jw(a: Any, b: Any) -> float:
    return float(JaroWinkler.similarity(str(a), str(b)))


def _name_spec(part: str, other: str) -> ComparisonSpec:
    import splink.comparison_level_library as cl

    reading, sk, ck = part, f"{part}_sk", f"{part}_ck"
    osk = f"{other}_sk"
    return ComparisonSpec(
        code=f"{part}_name",
        output=f"{part}_name",
        null=lambda: cl.NullLevel(sk),
        null_test=lambda a, b: _blank(a.get(sk)) or _blank(b.get(sk)),
        levels=(
            Level(
                "exact", lambda: cl.ExactMatchLevel(reading), lambda a, b: a[reading] == b[reading]
            ),
            Level("skeleton", lambda: cl.ExactMatchLevel(sk), lambda a, b: a[sk] == b[sk]),
            Level(
                "similar",
                lambda: cl.Or(cl.JaroWinklerLevel(reading, 0.92), cl.JaroWinklerLevel(sk, 0.92)),
                lambda a, b: _jw(a[reading], b[reading]) >= 0.92 or _jw(a[sk], b[sk]) >= 0.92,
            ),
            Level(
                "swapped",
                lambda: cl.CustomLevel(f"{sk}_l = {osk}_r OR {osk}_l = {sk}_r"),
                lambda a, b: a[sk] == b.get(osk) or a.get(osk) == b[sk],
            ),
            Level(
                "close",
                lambda: cl.Or(cl.ExactMatchLevel(ck), cl.JaroWinklerLevel(reading, 0.8)),
                lambda a, b: a[ck] == b[ck] or _jw(a[reading], b[reading]) >= 0.8,
            ),
        ),
        columns=(reading, sk, ck, osk),
    )


def _birth_spec() -> ComparisonSpec:
    import splink.comparison_level_library as cl

    def lev1(a: Row, b: Row) -> bool:
        return (
            not _blank(a["dob"])
            and not _blank(b["dob"])
            and _Levenshtein.distance(a["dob"], b["dob"]) <= 1
        )

    def year_diff(a: Row, b: Row) -> int:
        return abs(int(a["birth_year"]) - int(b["birth_year"]))

    return ComparisonSpec(
        code="birth_date",
        output="birth_date",
        null=lambda: cl.NullLevel("birth_year"),
        null_test=lambda a, b: _blank(a["birth_year"]) or _blank(b["birth_year"]),
        levels=(
            Level(
                "exact",
                lambda: cl.ExactMatchLevel("dob"),
                lambda a, b: not _blank(a["dob"]) and a["dob"] == b["dob"],
            ),
            Level("one_typo", lambda: cl.LevenshteinLevel("dob", 1), lev1),
            Level(
                "same_year",
                lambda: cl.ExactMatchLevel("birth_year"),
                lambda a, b: year_diff(a, b) == 0,
            ),
            Level(
                "estimate_close",
                lambda: cl.CustomLevel(
                    "abs(birth_year_l - birth_year_r) <= 2 AND (dob_estimated_l OR dob_estimated_r)"
                ),
                lambda a, b: (
                    year_diff(a, b) <= 2 and bool(a["dob_estimated"] or b["dob_estimated"])
                ),
            ),
        ),
        columns=("dob", "birth_year", "dob_estimated"),
    )


def _exact_spec(code: str, column: str, jw: float | None = None) -> ComparisonSpec:
    import splink.comparison_level_library as cl

    levels = [
        Level("exact", lambda: cl.ExactMatchLevel(column), lambda a, b: a[column] == b[column])
    ]
    if jw is not None:
        levels.append(
            Level(
                "similar",
                lambda: cl.JaroWinklerLevel(column, jw),
                lambda a, b: _jw(a[column], b[column]) >= jw,
            )
        )
    return ComparisonSpec(
        code=code,
        output=code,
        null=lambda: cl.NullLevel(column),
        null_test=lambda a, b: _blank(a[column]) or _blank(b[column]),
        levels=tuple(levels),
        columns=(column,),
    )


def _overlap_spec(code: str, column: str) -> ComparisonSpec:
    import splink.comparison_level_library as cl

    return ComparisonSpec(
        code=code,
        output=code,
        null=lambda: cl.NullLevel(column),
        null_test=lambda a, b: _blank(a[column]) or _blank(b[column]),
        levels=(
            Level(
                "overlap",
                lambda: cl.ArrayIntersectLevel(column, 1),
                lambda a, b: bool(set(a[column]) & set(b[column])),
            ),
        ),
        columns=(column,),
    )


def comparison_specs(rows: pd.DataFrame | None = None) -> list[ComparisonSpec]:
    """The comparisons, leaving out optional ones (place, postcode, ...) that no row fills."""
    specs = [
        _name_spec("given", "family"),
        _name_spec("family", "given"),
        _birth_spec(),
        _exact_spec("sex", "sex"),
        _overlap_spec("nationality", "nationalities"),
        _overlap_spec("document", "documents"),
        _exact_spec("place", "place", jw=0.9),
        _exact_spec("postcode", "postcode"),
    ]
    optional = {"sex", "nationality", "document", "place", "postcode"}
    if rows is None:
        return specs
    kept = []
    for spec in specs:
        if spec.code in optional and rows[spec.columns[0]].isna().all():
            continue
        kept.append(spec)
    return kept


def _comparison(spec: ComparisonSpec) -> Any:
    import splink.comparison_level_library as cl
    import splink.comparison_library as cl_lib

    levels = [spec.null()] + [lv.splink().configure(label_for_charts=lv.code) for lv in spec.levels]
    levels.append(cl.ElseLevel().configure(label_for_charts="different"))
    return cl_lib.CustomComparison(
        comparison_levels=levels, output_column_name=spec.output, comparison_description=spec.code
    )


def blocking_rules(rows: pd.DataFrame | None = None) -> list[Any]:
    """Blocking on keyed name tokens, each combined with a second fact or name part."""
    from splink import block_on

    rules = [
        block_on("bk_given", "bk_family"),
        block_on("bk_family_c", "birth_year"),
        block_on("bk_given_c", "birth_year"),
        block_on("bk_given_c", "bk_family_c"),
    ]
    from splink.blocking_rule_library import CustomRule

    rules.append(CustomRule("l.bk_given = r.bk_family AND l.bk_family = r.bk_given"))
    if rows is None or rows["postcode"].notna().any():
        rules.append(block_on("postcode", "bk_given_c"))
        rules.append(block_on("postcode", "bk_family_c"))
    if rows is None or rows["documents"].notna().any():
        rules.append(block_on("documents", arrays_to_explode=["documents"]))
    return rules


def settings_for(rows: pd.DataFrame | None = None, *, prior: float = 1e-4) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=blocking_rules(rows),
        comparisons=[_comparison(s) for s in comparison_specs(rows)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )


def as_is_settings(rows: pd.DataFrame) -> Any:
    """Splink used plainly: the names as written, no cross-script readings, no swap, no estimate."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.JaroWinklerAtThresholds("given_raw", [0.9, 0.8]),
        cl.JaroWinklerAtThresholds("family_raw", [0.9, 0.8]),
        cl.LevenshteinAtThresholds("dob", [1, 2]),
    ]
    rules = [block_on("given_raw", "dob"), block_on("family_raw", "dob")]
    rules.append(block_on("given_raw", "family_raw"))
    if rows["sex"].notna().any():
        comparisons.append(cl.ExactMatch("sex"))
    if rows["postcode"].notna().any():
        comparisons.append(cl.ExactMatch("postcode"))
        rules.append(block_on("postcode"))
    if rows["place"].notna().any():
        comparisons.append(cl.JaroWinklerAtThresholds("place", [0.9]))
    if rows["documents"].notna().any():
        comparisons.append(cl.ArrayIntersectAtSizes("documents", [1]))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-4,
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source"],
    )


# --------------------------------------------------------------------------------------------
# Training, prediction, clustering
# --------------------------------------------------------------------------------------------


@dataclass
class EngineResult:
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, reasons
    clusters: pd.DataFrame  # unique_id, cluster_id
    parameters: dict[str, Any]  # Splink's settings with the trained m/u (no data values)
    threshold: float
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str, int], None]


def _quiet() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def train(linker: Any, rows: pd.DataFrame, *, plain: bool = False) -> None:
    """u from random pairs (fixed seed), m by EM over blocking rules that free each field."""
    from splink import block_on

    n = len(rows)
    all_pairs = n * (n - 1) / 2
    # Small inputs take every pair, so u is exact and the same on every backend.
    max_pairs = min(max(all_pairs, 1.0), 2e6 if n > 50_000 else 1e6)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=max_pairs, seed=SEED, min_count_per_level=None, num_chunks=1
    )
    if plain:
        rules = [block_on("given_raw", "family_raw"), block_on("dob")]
    else:
        rules = [block_on("bk_given", "bk_family"), block_on("dob")]
        if rows["dob"].isna().all():
            rules[1] = block_on("birth_year", "bk_given_c")
    for rule in rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception:  # noqa: BLE001 (too few pairs under this rule: keep the defaults)
            logger.info("EM under %s found too few pairs; m keeps its defaults", rule)


def settings_with_parameters(
    rows: pd.DataFrame, parameters: dict[str, Any], dialect: str
) -> dict[str, Any]:
    """This engine's settings written for ``dialect``, with a trained model's m, u and prior.

    A stored model's SQL is in the dialect it was trained on; carrying only its numbers over
    lets a model trained on DuckDB score on Spark (and the other way round).
    """
    settings: dict[str, Any] = settings_for(rows).get_settings(dialect).as_dict()
    trained = {
        (c["output_column_name"], lv.get("label_for_charts")): lv
        for c in parameters.get("comparisons", [])
        for lv in c["comparison_levels"]
    }
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            source = trained.get((comparison["output_column_name"], level.get("label_for_charts")))
            if source is None or level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                if source.get(key) is not None:
                    level[key] = source[key]
    settings["probability_two_random_records_match"] = parameters.get(
        "probability_two_random_records_match", settings["probability_two_random_records_match"]
    )
    return settings


def model_parameters(linker: Any) -> dict[str, Any]:
    parameters: dict[str, Any] = linker.misc.save_model_to_json()
    return parameters


def run_dedupe(
    rows: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    parameters: dict[str, Any] | None = None,
    plain: bool = False,
    progress: Progress | None = None,
    db_api: Any = None,
    table: Any = None,
) -> EngineResult:
    """Train (unless trained ``parameters`` are given), predict and cluster ``rows``.

    ``db_api`` is Splink's database API (an in-memory DuckDB by default); ``table`` the same
    rows already in that backend's form (a Spark frame), else ``rows`` is registered.
    """
    from splink import DuckDBAPI, Linker

    _quiet()
    note = progress or (lambda step, percent: None)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    rows = rows.reset_index(drop=True)
    api = db_api if db_api is not None else DuckDBAPI()
    frame = api.register(table if table is not None else rows)
    if parameters is not None:
        dialect = str(api.sql_dialect.sql_dialect_str)
        settings = settings_with_parameters(rows, parameters, dialect)
        linker = Linker(frame, settings, log_level=None)
    else:
        settings = as_is_settings(rows) if plain else settings_for(rows)
        linker = Linker(frame, settings, log_level=None)
        note("training", 10)
        train(linker, rows, plain=plain)
    seconds["training"] = time.perf_counter() - start
    note("predicting", 40)
    mark = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=min(threshold, 0.5))
    seconds["predicting"] = time.perf_counter() - mark
    note("clustering", 75)
    mark = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predicted, threshold_match_probability=threshold
    )
    pairs = predicted.as_pandas_dataframe()
    pairs = pairs[pairs["match_probability"] >= threshold].reset_index(drop=True)
    clusters = clustered.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds["clustering"] = time.perf_counter() - mark
    params = model_parameters(linker)
    if not plain:
        pairs["reasons"] = _reasons(pairs, params)
    return EngineResult(pairs, clusters, params, threshold, seconds)


def _level_weights(parameters: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """Comparison output name -> [(level code, log2 Bayes factor)], the null level left out."""
    out: dict[str, list[tuple[str, float]]] = {}
    for comparison in parameters["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or not level.get("m_probability"):
                continue
            if not level.get("u_probability"):
                continue
            bf = _bayes_factor(level)
            levels.append((level.get("label_for_charts", ""), math.log2(bf) if bf > 0 else -99.0))
        out[comparison["output_column_name"]] = levels
    return out


def _reasons(pairs: pd.DataFrame, parameters: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Per-pair reasons: Splink returns each comparison's weight (``mw_*``); the level is the one
    with that weight (a weight of exactly 0 with no level of weight 0 is a missing value)."""
    columns = []
    for name, levels in _level_weights(parameters).items():
        column = f"mw_{name}"
        if column in pairs:
            columns.append((name, levels, pairs[column].tolist()))
    out: list[list[dict[str, Any]]] = []
    for i in range(len(pairs)):
        reasons = []
        for name, levels, weights in columns:
            w = float(weights[i])
            if not levels:
                continue
            code, level_weight = min(levels, key=lambda lv: abs(lv[1] - w))
            if abs(level_weight - w) > 1e-6:
                continue  # the null level (weight 0) or a level without trained m and u
            reasons.append({"field": name, "level": code, "weight": round(w, 2)})
        out.append(reasons)
    return out


# --------------------------------------------------------------------------------------------
# One pair, in pure Python, from a stored model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScore:
    probability: float
    match_weight: float
    reasons: tuple[dict[str, Any], ...]


def _bayes_factor(level: dict[str, Any]) -> float:
    m = level.get("m_probability")
    u = level.get("u_probability")
    if not m or not u:
        return 1.0
    return float(m) / float(u)


def score_pair(parameters: dict[str, Any], left: Row, right: Row) -> PairScore:
    """Score one pair of generic rows with a trained model's stored m/u, as Splink would."""
    specs = {s.output: s for s in comparison_specs()}
    prior = float(parameters.get("probability_two_random_records_match", 1e-4))
    weight = math.log2(prior / (1 - prior))
    reasons = []
    for comparison in parameters.get("comparisons", []):
        spec = specs.get(comparison["output_column_name"])
        if spec is None:
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if spec.null_test(left, right):
            continue
        chosen = levels[-1]
        by_code = {lv.get("label_for_charts"): lv for lv in levels}
        for level in spec.levels:
            if level.code in by_code and level.test(left, right):
                chosen = by_code[level.code]
                break
        bf = _bayes_factor(chosen)
        w = math.log2(bf) if bf > 0 else -99.0
        weight += w
        reasons.append(
            {"field": spec.code, "level": chosen.get("label_for_charts", ""), "weight": round(w, 2)}
        )
    probability = 2**weight / (1 + 2**weight)
    return PairScore(probability, weight, tuple(reasons))


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def cluster_pairs(clusters: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair of records in one cluster, as (smaller id, larger id)."""
    out: set[tuple[str, str]] = set()
    for _, group in clusters.groupby("cluster_id"):
        ids = sorted(str(i) for i in group["unique_id"])
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                out.add((a, b))
    return out


def truth_pairs(rows: pd.DataFrame, entity: Sequence[Any]) -> set[tuple[str, str]]:
    frame = pd.DataFrame({"unique_id": rows["unique_id"].astype(str), "cluster_id": list(entity)})
    return cluster_pairs(frame)


def pairwise_scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
