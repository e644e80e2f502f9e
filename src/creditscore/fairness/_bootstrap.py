"""Vectorised cluster bootstrap of per-group counts and AUCs.

Each replicate gives every subject a Poisson(1) weight (the Poisson
bootstrap: independent weights approximate resampling with replacement and
need no per-replicate index arrays); all of a subject's rows share it, so a
person scored at several as_of dates counts once. Replicates are processed
in chunks, and every grouping's weighted sums come out of one sparse matrix
product per chunk: ``sums = W @ M`` with ``M`` holding, for every row, its
quantities in the columns of its group.
"""

from __future__ import annotations

import numpy as np

__all__ = ["QUANTITIES", "quantities", "bootstrap", "weighted_auc"]

# per-row quantities summed within groups
#: ``pd_missed``: the PD of labelled rows left unflagged, so that the false-negative rate a
#: group's own PDs predict is ``pd_missed / pos`` (``_checks.group_rates``)
QUANTITIES = ("n", "flag", "lab", "neg", "pos", "fp", "fn", "pd", "pd_missed")
_CHUNK_CELLS = 2_000_000


def quantities(flagged, y, labelled, pd_) -> np.ndarray:
    """Row quantities (N, 9): 1, flagged, labelled, negative, positive, FP, FN, PD if
    labelled, and PD if labelled and not flagged."""
    flag = np.asarray(flagged, dtype=float)
    lab = np.asarray(labelled, dtype=float)
    yy = np.where(labelled, np.nan_to_num(np.asarray(y, dtype=float)), 0.0)
    neg, pos = lab * (1 - yy), lab * yy
    lab_pd = lab * np.asarray(pd_, dtype=float)
    return np.column_stack([np.ones_like(flag), flag, lab, neg, pos, neg * flag,
                            pos * (1 - flag), lab_pd, lab_pd * (1 - flag)])


def _design(codes_list, q: np.ndarray):
    from scipy import sparse

    k = q.shape[1]
    rows, cols, data, offsets, off = [], [], [], [], 0
    for codes in codes_list:
        idx = np.flatnonzero(codes >= 0)
        rows.append(np.repeat(idx, k))
        cols.append((off + codes[idx, None] * k + np.arange(k)).ravel())
        data.append(q[idx].ravel())
        offsets.append(off)
        off += (int(codes.max()) + 1 if len(idx) else 0) * k
    m = sparse.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(q.shape[0], off))
    return m, offsets


def _auc_plan(codes, pd_, y, labelled):
    """Per group: labelled rows sorted by PD, tie-block starts, labels."""
    plan = []
    for g in range(int(codes.max()) + 1 if (codes >= 0).any() else 0):
        idx = np.flatnonzero((codes == g) & labelled)
        idx = idx[np.argsort(pd_[idx], kind="stable")]
        s = pd_[idx]
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else np.array([], int)
        plan.append((idx, starts, np.asarray(y, dtype=float)[idx]))
    return plan


def weighted_auc(w: np.ndarray, starts: np.ndarray, y: np.ndarray) -> np.ndarray:
    """AUC (ties count one half) of rows sorted by score, for each row of weights ``w``.

    ``w`` is (B, n) for the n rows in score order; ``starts`` the first
    position of each run of equal scores; ``y`` the 0/1 labels.
    """
    if w.shape[1] == 0:
        return np.full(w.shape[0], np.nan)
    pos = np.add.reduceat(w * y, starts, axis=1)
    neg = np.add.reduceat(w * (1 - y), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    num = (pos * (below + 0.5 * neg)).sum(axis=1)
    den = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def bootstrap(codes_list, subjects, flagged, y, labelled, pd_, n_boot, random_state=0):
    """Weighted group sums and AUCs: the point values and ``n_boot`` replicates.

    Returns ``(point, boot)``; each is a list (one item per grouping) of
    ``(sums, aucs)`` with ``sums`` of shape (R, G, 9) and ``aucs`` (R, G),
    R = 1 for the point values and ``n_boot`` for the replicates.
    """
    pd_ = np.asarray(pd_, dtype=float)
    labelled = np.asarray(labelled, dtype=bool)
    q = quantities(flagged, y, labelled, pd_)
    m, offsets = _design(codes_list, q)
    plans = [_auc_plan(c, pd_, y, labelled) for c in codes_list]
    _, subj = np.unique(np.asarray(subjects).astype(str), return_inverse=True)
    n_subj = int(subj.max()) + 1 if len(subj) else 0
    point = _collect(m, offsets, plans, codes_list, [np.ones((1, len(pd_)))])
    rng = np.random.default_rng(random_state)
    chunk = max(1, _CHUNK_CELLS // max(1, len(pd_)))

    def weights():
        done = 0
        while done < n_boot:
            b = min(chunk, n_boot - done)
            done += b
            yield rng.poisson(1.0, size=(b, n_subj)).astype(float)[:, subj]

    return point, _collect(m, offsets, plans, codes_list, weights())


def _collect(m, offsets, plans, codes_list, weight_chunks):
    k = len(QUANTITIES)
    sums, aucs = [], []
    for w in weight_chunks:
        sums.append(np.asarray((m.T @ w.T).T))
        aucs.append([np.column_stack([weighted_auc(w[:, idx], st, yy) for idx, st, yy in plan])
                     if plan else np.empty((w.shape[0], 0)) for plan in plans])
    s = np.vstack(sums)
    out = []
    for i, codes in enumerate(codes_list):
        g = int(codes.max()) + 1 if (codes >= 0).any() else 0
        block = s[:, offsets[i]: offsets[i] + g * k].reshape(s.shape[0], g, k)
        out.append((block, np.vstack([a[i] for a in aucs])))
    return out
