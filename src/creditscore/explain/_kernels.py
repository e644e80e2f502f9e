"""numba kernels of the fast exact TreeSHAP (see ``_fasttree``) and of the top-k ranking.

Imported only when reasons are computed, since numba compiles on first use
(cached on disk afterwards). Every kernel is single-threaded and processes
rows in a fixed order, so results do not depend on batch sizes or threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["fill_tables", "shap_batch", "top_k_groups"]


@njit(cache=True, nogil=True)
def _leaf_terms(v, z, start, d, pattern, W, buf, quot, out):
    """The leaf's SHAP term for each of its ``d`` path features, for one bitmask.

    O(d^2): one product polynomial over the bitmask's ones, then one division
    per feature that is a one. Dividing ``prod (t + z_j)`` by ``(t + z_k)`` from the top coefficient
    down is the same recurrence as LightGBM's ``UnwoundPathSum``.
    """
    zb = 1.0
    buf[0] = 1.0
    deg = 0
    for j in range(d):
        zj = z[start + j]
        if (pattern >> j) & 1:
            buf[deg + 1] = buf[deg]
            for s in range(deg, 0, -1):
                buf[s] = buf[s] * zj + buf[s - 1]
            buf[0] = buf[0] * zj
            deg += 1
        else:
            zb *= zj
    g_all = 0.0
    for s in range(deg + 1):
        g_all += W[d, s] * buf[s]
    for k in range(d):
        if (pattern >> k) & 1:
            zk = z[start + k]
            quot[deg - 1] = buf[deg]
            for s in range(deg - 1, 0, -1):
                quot[s - 1] = buf[s] - zk * quot[s]
            g = 0.0
            for s in range(deg):
                g += W[d, s] * quot[s]
            out[k] = v * (1.0 - zk) * zb * g
        else:
            out[k] = -v * zb * g_all


@njit(cache=True)
def fill_tables(leaf_value, path_start, path_len, path_z, table_start, W, tables):
    """Tabulate every tabulated leaf's terms for all ``2**d`` bitmasks."""
    buf = np.zeros(W.shape[0] + 2)
    quot = np.zeros(W.shape[0] + 2)
    for leaf in range(leaf_value.shape[0]):
        off = table_start[leaf]
        d = path_len[leaf]
        if off < 0 or d == 0:
            continue
        for pattern in range(1 << d):
            _leaf_terms(
                leaf_value[leaf],
                path_z,
                path_start[leaf],
                d,
                pattern,
                W,
                buf,
                quot,
                tables[off + pattern * d : off + (pattern + 1) * d],
            )


@njit(cache=True, nogil=True)
def _goes_left(fval, thr, default_left, missing, k_zero):
    # LightGBM's Tree::NumericalDecision, after the predictor zeroed |x| <= k_zero
    if np.isnan(fval):
        if missing == 2:
            return default_left
        fval = 0.0
    if missing == 1 and -k_zero <= fval <= k_zero:
        return default_left
    return fval <= thr


@njit(cache=True, nogil=True)
def shap_batch(
    X,
    node_start,
    feat,
    thr,
    default_left,
    missing,
    left,
    right,
    setbit,
    clrbit,
    leaf_start,
    leaf_value,
    path_start,
    path_len,
    path_feat,
    path_z,
    table_start,
    tables,
    W,
    k_zero,
    phi,
):
    """Add every tree's SHAP terms of each row of ``X`` into ``phi`` (trees outer: cache)."""
    n = X.shape[0]
    n_trees = node_start.shape[0] - 1
    max_nodes = 1
    max_leaves = 1
    for t in range(n_trees):
        max_nodes = max(max_nodes, node_start[t + 1] - node_start[t])
        max_leaves = max(max_leaves, leaf_start[t + 1] - leaf_start[t])
    node_pat = np.zeros(max_nodes, dtype=np.int64)
    leaf_pat = np.zeros(max_leaves, dtype=np.int64)
    buf = np.zeros(W.shape[0] + 2)
    terms = np.zeros(W.shape[0] + 1)
    quot = np.zeros(W.shape[0] + 2)
    for t in range(n_trees):
        ns = node_start[t]
        nn = node_start[t + 1] - ns
        ls = leaf_start[t]
        nl = leaf_start[t + 1] - ls
        if nn == 0:
            continue  # a single leaf: only the expected value
        for r in range(n):
            node_pat[0] = 0
            for i in range(nn):
                g = ns + i
                fval = X[r, feat[g]]
                if -k_zero <= fval <= k_zero:
                    fval = 0.0
                p = node_pat[i]
                hot = p | setbit[g]
                cold = p & ~clrbit[g]
                if _goes_left(fval, thr[g], default_left[g], missing[g], k_zero):
                    lp, rp = hot, cold
                else:
                    lp, rp = cold, hot
                c = left[g]
                if c >= 0:
                    node_pat[c] = lp
                else:
                    leaf_pat[~c] = lp
                c = right[g]
                if c >= 0:
                    node_pat[c] = rp
                else:
                    leaf_pat[~c] = rp
            for j in range(nl):
                leaf = ls + j
                d = path_len[leaf]
                ps = path_start[leaf]
                off = table_start[leaf]
                if off >= 0:
                    base = off + leaf_pat[j] * d
                    for k in range(d):
                        phi[r, path_feat[ps + k]] += tables[base + k]
                else:
                    _leaf_terms(leaf_value[leaf], path_z, ps, d, leaf_pat[j], W, buf, quot, terms)
                    for k in range(d):
                        phi[r, path_feat[ps + k]] += terms[k]


@njit(cache=True, nogil=True)
def top_k_groups(contrib, group, n_groups, k, scale, min_q, codes, values):
    """Per row, the ``k`` groups (families) with the largest positive contributions.

    A group's contribution is the sum of its members' (Shapley values add);
    it is named by its member with the largest positive contribution (the
    lowest column on ties). Contributions are compared after rounding to
    ``1 / scale``, so floating point noise never decides an order, and ties
    between groups go to the lower column; a group is a reason only if its
    rounded contribution exceeds ``min_q`` (>= 0). Writes the naming column
    of each reason (``-1``: none) and the group's unrounded contribution.
    Columns with ``group < 0`` are ignored.
    """
    n, m = contrib.shape
    total = np.empty(n_groups)
    total_q = np.empty(n_groups)
    best_q = np.empty(n_groups)
    best_c = np.empty(n_groups, dtype=np.int64)
    for r in range(n):
        for g in range(n_groups):
            total[g] = 0.0
            best_q[g] = 0.0
            best_c[g] = -1
        for c in range(m):
            g = group[c]
            if g < 0:
                continue
            v = contrib[r, c]
            total[g] += v
            q = np.rint(v * scale)
            if q > best_q[g]:
                best_q[g] = q
                best_c[g] = c
        for g in range(n_groups):
            total_q[g] = np.rint(total[g] * scale)
        for slot in range(k):
            pick = -1
            for g in range(n_groups):
                if best_c[g] < 0 or total_q[g] <= min_q:
                    continue
                if (
                    pick < 0
                    or total_q[g] > total_q[pick]
                    or (total_q[g] == total_q[pick] and best_c[g] < best_c[pick])
                ):
                    pick = g
            if pick < 0:
                codes[r, slot] = -1
                values[r, slot] = 0.0
            else:
                codes[r, slot] = best_c[pick]
                values[r, slot] = total[pick]
                best_c[pick] = -1
