"""The same model on Splink's Spark backend (local mode; needs Java) clusters as DuckDB does."""

from __future__ import annotations

from salama.matching import engine, features


def test_spark_gives_the_same_clusters_as_duckdb_on_febrl1():
    from salama.matching import spark

    hasher = features.keyed_hasher(b"s" * 32)
    records, _ = features.febrl_records(features.load_febrl("febrl1"), hasher)
    rows = features.rows_from_records(records, hasher)
    duck = engine.run_dedupe(rows)
    session = spark.local_session(partitions=1)
    try:
        on_spark = spark.run_dedupe(rows, session=session, parameters=duck.parameters)
    finally:
        session.stop()
    assert engine.cluster_pairs(on_spark.clusters) == engine.cluster_pairs(duck.clusters)
    assert len(engine.cluster_pairs(duck.clusters)) > 400
    merged = duck.pairs.merge(on_spark.pairs, on=["unique_id_l", "unique_id_r"])
    assert len(merged) == len(duck.pairs)
    assert (merged.match_probability_x - merged.match_probability_y).abs().max() < 1e-6
