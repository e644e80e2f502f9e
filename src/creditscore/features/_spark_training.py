"""Training on Spark-built features: a stratified sample for LightGBM.

Training at scale
-----------------
How practitioners fit LightGBM on national-scale features:

1. Features on Spark: ``build_features_spark(records, dates, "features",
   write="dataset")``, or :func:`feature_frame` to keep the DataFrame.
2. One node is usually enough: a row is ~100 float64 features, so 10
   million training rows are ~8 GB in memory; LightGBM fits that on one
   large node in minutes. Collect either the full known rows
   (``df.filter(df[target].isNotNull())``) or a stratified sample with
   :func:`sample_for_training`, which down-samples the negatives (defaults
   are rare) by Bernoulli sampling within each (as_of, label) stratum
   (``DataFrame.sampleBy``) and returns pandas, ready for
   ``creditscore.models.train_model(frame, target, ...)``.
3. Calibration after down-sampling: a model fitted on a sample that keeps
   negatives at rate ``f0`` and positives at ``f1`` overstates the odds by
   ``f1 / f0``. ``sample_for_training`` therefore keeps the latest known
   ``as_of`` whole by default: ``train_model`` uses exactly that date for
   early stopping, calibration and evaluation, so its calibrated PDs need
   no correction. If that slice is sampled too, either weight each row by
   ``1 / f`` of its label in a weighted learner, or correct the PD by prior
   correction: ``odds = pd / (1 - pd) * f0 / f1``, ``pd = odds / (1 +
   odds)``. Discrimination (AUC, Gini, KS) is unaffected either way; Brier,
   ECE and calibration-in-the-large are only meaningful on unsampled rows.
4. Beyond one node: ``lightgbm.dask.DaskLGBMClassifier`` on a Dask cluster
   reading the same Parquet dataset (``dask.dataframe.read_parquet``),
   with the same monotone constraints (``creditscore.models.MonotoneLGBM``
   parameters); calibrate on the (small) out-of-time slice on one node.
   Scoring is embarrassingly parallel: :func:`creditscore.spark_scoring.
   score_features_spark`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import InputError
from ._engine import KEYS
from ._labels import LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sample_for_training"]

MSG_FRACTION = "fraction for label {label}: {got!r} is not a number in (0, 1]"
MSG_TARGET = "no column {target!r} in the feature frame; a label is one of: {labels}"


def sample_for_training(spark_df, target: str, fraction_by_label: dict | None = None,
                        seed: int = 0, *, keep_latest: bool = True) -> pd.DataFrame:
    """A stratified sample of the rows with a known ``target``, as pandas, for LightGBM.

    Bernoulli sampling within each (as_of, label) stratum
    (``DataFrame.sampleBy``): every date keeps the same share of its
    positives and of its negatives. Rows with a null ``target`` (outside the
    population, or unknown) are dropped.

    Parameters
    ----------
    spark_df : pyspark DataFrame
        A feature table (:func:`feature_frame`, or ``spark.read.parquet`` of
        one).
    target : {"default_12m", "breach_12m"}
    fraction_by_label : dict, default={0: 0.1, 1: 1.0}
        Share of rows kept per label value.
    seed : int, default=0
    keep_latest : bool, default=True
        Keep the latest known ``as_of`` whole: it is the slice
        ``creditscore.models.train_model`` calibrates and evaluates on, so the
        calibrated PD needs no correction for the down-sampling (see the
        module documentation for the correction otherwise).

    Returns
    -------
    pandas.DataFrame
        The feature table's columns, with the labels as nullable ``Int64``
        (as ``pandas.read_parquet`` reads a DuckDB-built feature file).
    """
    from pyspark.sql import functions as F

    from ._spark_io import to_arrow

    fractions = {0: 0.1, 1: 1.0} if fraction_by_label is None else dict(fraction_by_label)
    for label, f in fractions.items():
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 < f <= 1:
            raise InputError(MSG_FRACTION.format(label=label, got=f))
    if target not in spark_df.columns:
        raise InputError(MSG_TARGET.format(target=target, labels=", ".join(LABELS)))
    known = spark_df.filter(F.col(target).isNotNull())
    dates = sorted(r[0] for r in known.select("as_of").distinct().collect())
    latest = dates[-1] if (keep_latest and dates) else None
    stratum = F.concat_ws("|", F.col("as_of").cast("string"), F.col(target).cast("string"))
    strata = {f"{d}|{label}": (1.0 if d == latest else float(f))
              for d in dates for label, f in fractions.items()}
    sample = (known.withColumn("_cs_stratum", stratum)
              .sampleBy("_cs_stratum", strata, seed).drop("_cs_stratum"))
    frame = to_arrow(sample).to_pandas()
    for name in LABELS:
        if name in frame.columns:
            frame[name] = frame[name].astype("Int64")
    return frame.sort_values(KEYS[::-1], kind="stable").reset_index(drop=True)

