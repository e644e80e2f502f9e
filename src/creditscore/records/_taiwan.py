"""The UCI Taiwan credit-card data as a record set of the contract.

The UCI data (Yeh & Lien 2009, CC BY 4.0) ships inside the package as
``creditscore/records/data/taiwan.parquet`` (:data:`TAIWAN_DATA`; source,
licence and citation in the ``README.md`` beside it), so an installed wheel
holds it; the original
``taiwan_default_of_credit_card_clients.csv`` is read too. It holds 30,000
card holders with six monthly statements, April to September 2005.
:func:`taiwan_to_records` turns it into the contract's tables so the whole
pipeline (features, labels, models, audit) runs on real data. Every
choice below is deliberate; the observation date is t = 2005-09-30.

Subjects and accounts
    ``subject_id`` = ``TW`` + the row number (``TW00001``): a pseudonym, the
    file holds no national id. One ``credit_card`` loan per person from a
    ``bank``, principal = the credit limit X1, opened 2005-03-01 (the real
    date is not in the data), open throughout.

Statements (``repayments``)
    One row per month April..September, due on the 15th of the month;
    ``amount_due`` = the bill X17..X12 (negative bills, i.e. credit balances,
    become 0), ``amount_paid`` = the payment X23..X18 of the same month.
    ``amount_due`` is the statement balance, not the minimum due (the data
    has no minimum), so a revolving statement can be settled with
    ``amount_paid < amount_due``.

Repayment status X11..X6 -> ``paid_on``
    A status ``k >= 1`` in month m is read as *k months behind at the end of
    month m*: the statements of the last k months up to m are unpaid then;
    ``-2`` (no consumption), ``-1`` (paid duly) and ``0`` (revolving, minimum
    paid) mean nothing is overdue. A statement is paid in the first month j
    (from its own) whose status no longer counts it as unpaid (status of j
    <= j - its month): on its due date if j is its own month, else on the
    15th of month j, k months late. So at t the September status is visible
    as the depth of the arrears (status 2: the August and September
    statements are unpaid, the oldest 46 days late), which is what the
    point-in-time features can see; reading ``k`` as "this statement was paid
    k months after its due date" would put that knowledge after t. A
    statement still unpaid at the end of September is unpaid at t; one due
    by 2005-07-02 and unpaid (status >= 4 in September) is already 90 days
    late, so the contract puts that subject outside the default population
    (label null), as it would any subject already in default.

Target: Y (default payment next month) through the contract's own label
    Y is encoded after t, where no feature can see it: a seventh statement,
    due 2005-10-15 (amount: the September bill), and the arrears still
    unpaid at t are paid in October when Y = 0 (arrears on 2005-10-01, before
    any becomes 90 days late; the October statement on its due date) and
    never paid when Y = 1. ``extracted_on`` is 2006-09-30, so the 365-day
    window after t is known and ``default_12m`` as of 2005-09-30 equals Y for
    every subject in the population. Y is also written to
    ``taiwan_truth.parquet`` (``subject_id``, ``default_next_month``) for
    checking. ``breach_12m`` is 0 for everyone (no contributions, no public
    records) and not a target here.

Protected attributes
    ``sex`` (X2: 1 male, 2 female), ``birth_year`` = 2005 - age (X5); the
    data has no ethnicity, hukou or region: ``"unknown"``. Education (X3)
    and marriage (X4) are protected too but not contract columns: they go to
    ``protected_extra.parquet`` (``subject_id``, ``education``,
    ``marriage``), read by the fairness audit only.

``contributions`` and ``public_records`` are empty.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from .._atomic import atomic_dir
from .._errors import InputError

__all__ = [
    "taiwan_to_records", "read_taiwan", "TAIWAN_AS_OF", "TAIWAN_EXTRACTED_ON", "TAIWAN_DATA",
]

TAIWAN_AS_OF = dt.date(2005, 9, 30)
TAIWAN_EXTRACTED_ON = dt.date(2006, 9, 30)
MONTHS = (4, 5, 6, 7, 8, 9)
STATUS = ("X11", "X10", "X9", "X8", "X7", "X6")  # April .. September
BILL = ("X17", "X16", "X15", "X14", "X13", "X12")
PAID = ("X23", "X22", "X21", "X20", "X19", "X18")
DUE_DAY = 15
#: The data set shipped inside the package (package data, in the wheel too).
TAIWAN_DATA = Path(__file__).resolve().parent / "data" / "taiwan.parquet"
OPENED_ON = dt.date(2005, 3, 1)
ARREARS_PAID_ON = dt.date(2005, 10, 1)
OCTOBER_DUE = dt.date(2005, 10, 15)
COLUMNS = ("ID", "X1", "X2", "X3", "X4", "X5", *STATUS, *BILL, *PAID, "Y")
SEX = {1: "male", 2: "female"}
EDUCATION = {1: "graduate_school", 2: "university", 3: "high_school", 4: "other"}
MARRIAGE = {1: "married", 2: "single", 3: "other"}

MSG_READ = "{path}: cannot read the Taiwan data ({error}); expected the UCI file as CSV or Parquet"
MSG_COLUMNS = "{path}: missing column(s) {cols} (expected the UCI layout ID, X1..X23, Y)"


def read_taiwan(path=None, nrows: int | None = None):
    """The UCI file (Parquet or CSV; default :data:`TAIWAN_DATA`) with its columns checked."""
    import pandas as pd

    csv_path = TAIWAN_DATA if path is None else path
    try:
        if Path(csv_path).suffix.lower() == ".parquet":
            df = pd.read_parquet(csv_path)
            df = df if nrows is None else df.head(nrows)
        else:
            df = pd.read_csv(csv_path, nrows=nrows)
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(MSG_READ.format(path=csv_path, error=exc)) from exc
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(MSG_COLUMNS.format(path=csv_path, cols=", ".join(missing)))
    return df


def taiwan_to_records(csv_path=None, out_dir=None, *, nrows: int | None = None) -> Path:
    """Write the Taiwan data as a record set of the contract (atomically).

    Parameters
    ----------
    csv_path : str or Path, default=None
        The UCI file, Parquet or CSV; None reads the copy shipped with the
        project (:data:`TAIWAN_DATA`).
    out_dir : str or Path
        The record-set directory to write (replaced whole).
    nrows : int, optional
        Read only the first ``nrows`` rows (tests, quick looks).

    Returns
    -------
    Path
        ``out_dir``; the features to use are as of :data:`TAIWAN_AS_OF`.
    """
    import pandas as pd

    from ._io import write_records

    if out_dir is None:
        raise TypeError("taiwan_to_records() needs out_dir, the record-set directory to write")
    df = read_taiwan(csv_path, nrows)
    ids = np.array([f"TW{int(i):05d}" for i in df["ID"]], dtype=object)
    tables = {
        "subjects": pd.DataFrame({"subject_id": ids}),
        "loans": _loans(df, ids),
        "repayments": _repayments(df, ids),
        "contributions": _empty("contributions"),
        "public_records": _empty("public_records"),
        "protected": _protected(df, ids),
    }
    with atomic_dir(out_dir) as tmp:
        write_records(tables, tmp, TAIWAN_EXTRACTED_ON)
        _extra(df, ids).to_parquet(tmp / "protected_extra.parquet", index=False)
        truth = pd.DataFrame({"subject_id": ids, "default_next_month": df["Y"].astype("int64")})
        truth.to_parquet(tmp / "taiwan_truth.parquet", index=False)
    return Path(out_dir)


def paid_month(status: np.ndarray) -> np.ndarray:
    """Month index (0..5) in which each statement was paid; 6 = unpaid at t.

    ``status`` has one column per month, April first.
    """
    behind = np.maximum(np.asarray(status, dtype=int), 0)
    n, m = behind.shape
    out = np.full((n, m), m)
    for i in range(m):
        for j in range(m - 1, i - 1, -1):  # the earliest qualifying month wins
            out[behind[:, j] <= j - i, i] = j
    return out


def _due(month: int) -> dt.date:
    return dt.date(2005, month, DUE_DAY)


def _repayments(df, ids):
    import pandas as pd

    paid = paid_month(df[list(STATUS)].to_numpy())
    y = df["Y"].to_numpy()
    unpaid_then = np.where(y == 0, ARREARS_PAID_ON, None)
    frames = []
    for i, month in enumerate(MONTHS):
        pay_day = np.array(
            [_due(MONTHS[j]) if j < len(MONTHS) else None for j in range(7)], dtype=object
        )[paid[:, i]]
        pay_day = np.where(paid[:, i] == len(MONTHS), unpaid_then, pay_day)
        frames.append(_statements(ids, _due(month), df[BILL[i]], df[PAID[i]], pay_day))
    october = np.where(y == 0, OCTOBER_DUE, None)
    frames.append(_statements(ids, OCTOBER_DUE, df["X12"], 0.0 * df["X12"], october))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["loan_id", "due_on"], kind="stable", ignore_index=True)


def _statements(ids, due_on, bill, paid, paid_on):
    import pandas as pd

    return pd.DataFrame(
        {
            "loan_id": [f"{s}-CC" for s in ids],
            "due_on": due_on,
            "amount_due": np.maximum(bill.to_numpy(dtype=float), 0.0),
            "amount_paid": np.maximum(paid.to_numpy(dtype=float), 0.0),
            "paid_on": paid_on,
            "force_majeure": False,
        }
    )


def _loans(df, ids):
    import pandas as pd

    return pd.DataFrame(
        {
            "loan_id": [f"{s}-CC" for s in ids],
            "subject_id": ids,
            "product": "credit_card",
            "lender_type": "bank",
            "opened_on": OPENED_ON,
            "principal": df["X1"].to_numpy(dtype=float),
            "term_months": pd.array([None] * len(ids), dtype="Int64"),
            "closed_on": None,
        }
    )


def _protected(df, ids):
    import pandas as pd

    return pd.DataFrame(
        {
            "subject_id": ids,
            "sex": df["X2"].map(SEX).fillna("unknown").to_numpy(),
            "birth_year": (2005 - df["X5"]).astype("int64").to_numpy(),
            "ethnicity": "unknown",
            "hukou": "unknown",
            "region": "unknown",
        }
    )


def _extra(df, ids):
    import pandas as pd

    return pd.DataFrame(
        {
            "subject_id": ids,
            "education": df["X3"].map(EDUCATION).fillna("unknown").to_numpy(),
            "marriage": df["X4"].map(MARRIAGE).fillna("unknown").to_numpy(),
        }
    )


def _empty(table: str):
    from ._contract import arrow_schema

    return arrow_schema(table).empty_table()
