"""The same matching model on Splink's Spark backend, for deployments that outgrow one machine.

``pyspark`` is imported only here and only when called (``pip install pyspark==4.3.0``; Spark
needs a Java runtime, 17 or later). ``local_session`` starts Spark in local mode, as the tests
and a single large machine use it; on a cluster pass your own ``SparkSession`` (with Splink's
similarity jar on ``spark.jars``, see ``splink.backends.spark.similarity_jar_location``).

The settings, training and comparison levels are ``engine``'s: ``run_dedupe`` here only hands
``engine.run_dedupe`` a Spark database API instead of DuckDB's, so a model trained on one
backend scores the same on the other (u is estimated from the same pairs with a fixed seed).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from salama.matching import engine

__all__ = ["local_session", "run_dedupe"]


def local_session(*, cores: int = 2, memory: str = "2g", partitions: int = 4) -> Any:
    """A local Spark session fit for a test or one machine: few shuffle partitions, no UI."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("salama-matching")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.jars", similarity_jar_location())
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(os.path.join(_scratch(), "checkpoints"))
    return session


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="salama-spark-")


def run_dedupe(
    rows: pd.DataFrame,
    *,
    session: Any = None,
    threshold: float = engine.DEFAULT_THRESHOLD,
    parameters: dict[str, Any] | None = None,
    progress: engine.Progress | None = None,
) -> engine.EngineResult:
    """``engine.run_dedupe`` on Spark: same settings, training and clustering."""
    from splink.backends.spark import SparkAPI

    spark = session or local_session()
    # Spark takes no pandas extension dtypes: plain objects, None for missing values.
    plain = rows.astype(object).where(rows.notna(), None)
    frame = spark.createDataFrame(plain, schema=_schema(rows))
    api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    return engine.run_dedupe(
        rows,
        threshold=threshold,
        parameters=parameters,
        progress=progress,
        db_api=api,
        table=frame,
    )


def _schema(rows: pd.DataFrame) -> Any:
    from pyspark.sql import types as T

    kinds = {
        "string": T.StringType(),
        "Int64": T.LongType(),
        "boolean": T.BooleanType(),
        "object": T.ArrayType(T.StringType()),
    }
    return T.StructType(
        [T.StructField(c, kinds[engine.ROW_COLUMNS[c]], True) for c in engine.ROW_COLUMNS]
    )
