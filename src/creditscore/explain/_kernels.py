"""numba kernels of the fast exact TreeSHAP (see ``_fasttree``) and of the top-k ranking.

Imported only when reasons are computed, since numba compiles on first use
(cached on disk afterwards). Every kernel is single-threaded and processes
rows in a fixed order, so results do not depend on batch sizes or threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import _topk

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


#: the ranking kernel, compiled; its plain-Python source is ``_topk.top_k_groups``, which
#: a handful of rows (one subject's letter) runs without paying for numba at all
top_k_groups = njit(cache=True, nogil=True)(_topk.top_k_groups)
