"""A flat credit table made by another generator than creditscore's synth.

sklearn's ``make_classification`` gives 20 informative and noise columns;
some become text categories, some get missing values, the label is text
("good"/"bad"), and there is an age column (protected) whose youngest band
has more bad outcomes, and a "male : single"-style status column holding two
attributes in one. About 1,000 rows, like the German credit table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_flat_table", "STATUS_SPLIT"]

STATUS = ("male : single", "female : div/dep/mar", "male : mar/wid", "male : div/sep")
#: the declared mapping of the status column into two attributes
STATUS_SPLIT = {
    "personal_status": {
        "male : single": {"sex": "male", "marital_status": "single"},
        "female : div/dep/mar": {"sex": "female", "marital_status": "married or divorced"},
        "male : mar/wid": {"sex": "male", "marital_status": "married or widowed"},
        "male : div/sep": {"sex": "male", "marital_status": "married or divorced"},
    }
}


def make_flat_table(n=1000, seed=0, age_effect=4.0) -> pd.DataFrame:
    """The table; ``age_effect`` years younger on average for a bad outcome (0: none)."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n, n_features=18, n_informative=8, n_redundant=2,
                               n_repeated=0, weights=[0.7, 0.3], flip_y=0.05, class_sep=0.8,
                               random_state=seed)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(X, columns=[f"x{i:02d}" for i in range(X.shape[1])])
    frame = frame.rename(columns={"x00": "duration_months", "x01": "credit_amount",
                                  "x02": "installment_rate"})
    frame["credit_amount"] = np.round(np.exp(8 + 0.6 * frame["credit_amount"]), -1)
    frame["duration_months"] = np.clip(np.round(20 + 8 * frame["duration_months"]), 4, 72)
    for col, labels in (("x03", ["none", "paid", "delayed", "critical"]),
                        ("x04", ["car", "furniture", "radio/tv", "business", "education"]),
                        ("x05", ["own", "rent", "free"])):
        cuts = np.quantile(frame[col], np.linspace(0, 1, len(labels) + 1)[1:-1])
        frame[col] = np.array(labels, dtype=object)[np.searchsorted(cuts, frame[col])]
    frame = frame.rename(columns={"x03": "credit_history", "x04": "purpose", "x05": "housing"})
    for col in ("x06", "x07", "purpose"):
        frame.loc[rng.random(n) < 0.08, col] = np.nan
    age = np.clip(np.round(rng.normal(36, 11, n) - age_effect * y), 19, 75)
    frame.insert(0, "application_id", [f"A{i:05d}" for i in range(n)])
    frame["age_in_years"] = age.astype(int)
    frame["personal_status"] = np.array(STATUS, dtype=object)[rng.integers(0, 4, n)]
    frame["telephone"] = np.where(rng.random(n) < 0.4, "yes", "none")
    frame["risk"] = np.where(y == 1, "bad", "good")
    return frame
