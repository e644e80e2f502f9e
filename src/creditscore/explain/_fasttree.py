"""Exact TreeSHAP for LightGBM binary models, fast enough for bulk scoring.

LightGBM's ``predict(..., pred_contrib=True)`` is path-dependent TreeSHAP
(Lundberg et al. 2020): for every row and tree it walks every root-to-leaf
path and updates a polynomial per path feature, O(leaves x depth^2). This
module computes *the same numbers* faster, by the observation behind
FastTreeSHAP v2 (Yang 2022) and GPUTreeShap (Mitchell et al. 2022):

* a tree's SHAP values are a sum of one term per leaf;
* the term of a leaf depends on the row only through a bitmask: for each
  distinct feature on the path to the leaf, whether the row satisfies every
  split on that feature along the path (the path's "one fractions"); the
  "zero fractions" (cover ratios) are fixed by the tree.

So at compile time each leaf gets a table of its term for every bitmask, and
per row one pass over the tree's internal nodes (in LightGBM's split order,
where a parent precedes its children) yields every leaf's bitmask; the row's
SHAP values are then table look-ups: O(nodes + sum of path features) per
tree. Leaves with more than ``max_bits`` distinct path features (rare) are
evaluated on the fly with the same formula. Decisions replicate LightGBM's
``NumericalDecision`` exactly (missing types None/Zero/NaN, ``default_left``,
values within 1e-35 of zero read as zero), and the expected value is the
cover-weighted leaf mean, as in ``pred_contrib``'s last column.

The leaf term, with ``d`` distinct path features, zero fractions ``z``, the
row's ones ``A`` (bit set) and zeros ``B``, ``zB = prod_{j in B} z_j`` and
``w(s) = s! (d-1-s)! / d!``::

    phi_k = -v * zB * sum_s w(s) e_s(A)                     (k in B)
    phi_k = v * (1 - z_k) * zB * sum_s w(s) e_s(A \\ {k})    (k in A)

where ``e_s(S)`` is the coefficient of ``t^s`` in ``prod_{j in S} (t + z_j)``.

Categorical splits, linear trees, random-forest averaging and multiclass
models are refused (``UnsupportedModel``); the caller then falls back to
``pred_contrib``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["CompiledTrees", "UnsupportedModel", "compile_booster", "shap_values", "numba_available"]

#: the widest path (distinct features) a model may have; beyond it, refuse
MAX_PATH_FEATURES = 62
#: LightGBM's kZeroThreshold (a float literal 1e-35f widened to double)
K_ZERO = float(np.float32(1e-35))

MISSING_CODES = {"None": 0, "Zero": 1, "NaN": 2}


class UnsupportedModel(ValueError):
    """A LightGBM model this module cannot explain exactly (use pred_contrib)."""


def numba_available() -> bool:
    """Whether numba (the compiler of the fast kernels) can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _shap_weights(max_d: int) -> np.ndarray:
    """``W[d, s] = s! (d-1-s)! / d!``, computed exactly and rounded once."""
    W = np.zeros((max_d + 1, max_d + 1))
    for d in range(1, max_d + 1):
        for s in range(d):
            W[d, s] = float(
                Fraction(math.factorial(s) * math.factorial(d - 1 - s), math.factorial(d))
            )
    return W


@dataclass(frozen=True)
class CompiledTrees:
    """A LightGBM binary model flattened into arrays for the kernels.

    Internal node arrays are indexed globally; ``node_start[t]`` is tree
    ``t``'s first node and children are tree-local (``>= 0`` an internal
    node, ``< 0`` the leaf ``~child``). Leaf arrays likewise with
    ``leaf_start``. A leaf's path features are ``path_feat[path_start[l]:
    path_start[l] + path_len[l]]`` with zero fractions ``path_z``; its table
    starts at ``table_start[l]`` (``-1``: computed on the fly).
    """

    n_features: int
    feature_names: tuple[str, ...]
    expected_value: float
    node_start: np.ndarray
    feat: np.ndarray
    thr: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray
    left: np.ndarray
    right: np.ndarray
    setbit: np.ndarray
    clrbit: np.ndarray
    leaf_start: np.ndarray
    leaf_value: np.ndarray
    path_start: np.ndarray
    path_len: np.ndarray
    path_feat: np.ndarray
    path_z: np.ndarray
    table_start: np.ndarray
    tables: np.ndarray
    weights: np.ndarray

    @property
    def n_trees(self) -> int:
        return len(self.node_start) - 1

    @property
    def table_mb(self) -> float:
        return self.tables.nbytes / 2**20


def _check_supported(dump: dict) -> None:
    if dump.get("num_tree_per_iteration", 1) != 1 or dump.get("num_class", 1) != 1:
        raise UnsupportedModel("only single-output (binary) models are supported")
    if dump.get("average_output"):
        raise UnsupportedModel("random-forest (averaged) models are not supported")


class _TreeWalker:
    """Collects one tree's nodes and leaves (with their path features) from a dump."""

    def __init__(self, tree: dict):
        self.nodes: dict[int, tuple] = {}
        self.leaves: dict[int, tuple] = {}
        root = tree["tree_structure"]
        self.n_leaves = int(tree["num_leaves"])
        if "leaf_index" in root or "split_index" not in root:
            self.leaves[0] = (float(root.get("leaf_value", 0.0)), (), ())
        else:
            self._walk(root, [], {}, float(root["internal_count"]))
        for i, node in self.nodes.items():
            # the kernel visits nodes in index order: a parent must come first
            if any(0 <= c <= i for c in node[4]):
                raise UnsupportedModel("tree nodes are not in split order")

    def _walk(self, node: dict, feats: list[int], zs: dict[int, float], count: float) -> None:
        if "leaf_value" in node and "split_index" not in node:
            self.leaves[int(node["leaf_index"])] = (
                float(node["leaf_value"]),
                tuple(feats),
                tuple(zs[f] for f in feats),
            )
            return
        if node.get("decision_type") != "<=":
            raise UnsupportedModel("categorical splits are not supported")
        f = int(node["split_feature"])
        first = f not in zs
        k = len(feats) if first else feats.index(f)
        if k >= MAX_PATH_FEATURES:
            raise UnsupportedModel(f"a path uses more than {MAX_PATH_FEATURES} features")
        children = (node["left_child"], node["right_child"])
        self.nodes[int(node["split_index"])] = (
            f,
            float(node["threshold"]),
            bool(node["default_left"]),
            MISSING_CODES[node["missing_type"]],
            [_child(c) for c in children],
            (1 << k) if first else 0,
            1 << k,
        )
        for child in children:
            c_count = float(
                child["internal_count"] if "split_index" in child else child["leaf_count"]
            )
            z = dict(zs)
            z[f] = zs.get(f, 1.0) * (c_count / count)
            self._walk(child, feats + [f] if first else feats, z, c_count)


def _child(node: dict) -> int:
    if "split_index" in node:
        return int(node["split_index"])
    return ~int(node["leaf_index"])


def compile_booster(
    booster, num_iteration: int | None = None, max_bits: int = 12, max_table_mb: float = 512.0
) -> CompiledTrees:
    """Flatten a LightGBM ``Booster`` and tabulate its leaves' SHAP terms.

    Parameters
    ----------
    booster : lightgbm.Booster
        A binary model with numerical splits.
    num_iteration : int, optional
        Trees to use, as in ``Booster.predict`` (default: the best iteration
        if one is set, else all).
    max_bits : int, default=12
        Leaves with at most this many distinct path features get a table
        (``2**d * d`` doubles); wider ones are computed on the fly.
    max_table_mb : float, default=512
        Upper bound on the tables' memory; ``max_bits`` is lowered to fit.
    """
    dump = booster.dump_model(num_iteration=num_iteration)
    _check_supported(dump)
    walkers = [_TreeWalker(t) for t in dump["tree_info"]]
    return _assemble(walkers, dump, max_bits, max_table_mb)


def _assemble(walkers, dump, max_bits, max_table_mb) -> CompiledTrees:
    node_rows, leaf_rows = [], []
    node_start, leaf_start, expected = [0], [0], 0.0
    for w in walkers:
        n_int = len(w.nodes)
        node_rows.extend(w.nodes[i] for i in range(n_int))
        leaves = [w.leaves[i] for i in range(len(w.leaves))]
        leaf_rows.extend(leaves)
        node_start.append(node_start[-1] + n_int)
        leaf_start.append(leaf_start[-1] + len(leaves))
        expected += _tree_expected(w)
    widths = np.array([len(r[1]) for r in leaf_rows], dtype=np.int64)
    bits = _fit_bits(widths, max_bits, max_table_mb)
    path_start = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    table_start = np.full(len(leaf_rows), -1, dtype=np.int64)
    tabulated = widths <= bits
    sizes = np.zeros(len(leaf_rows), dtype=np.int64)
    sizes[tabulated] = (np.int64(1) << widths[tabulated]) * widths[tabulated]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    table_start[tabulated] = offsets[tabulated]
    W = _shap_weights(max(int(widths.max(initial=0)), 1))
    arrays = dict(
        node_start=np.asarray(node_start, np.int64),
        feat=np.array([r[0] for r in node_rows], np.int64),
        thr=np.array([r[1] for r in node_rows], np.float64),
        default_left=np.array([r[2] for r in node_rows], np.bool_),
        missing=np.array([r[3] for r in node_rows], np.int64),
        left=np.array([r[4][0] for r in node_rows], np.int64),
        right=np.array([r[4][1] for r in node_rows], np.int64),
        setbit=np.array([r[5] for r in node_rows], np.int64),
        clrbit=np.array([r[6] for r in node_rows], np.int64),
        leaf_start=np.asarray(leaf_start, np.int64),
        leaf_value=np.array([r[0] for r in leaf_rows], np.float64),
        path_start=path_start,
        path_len=widths,
        path_feat=np.array([f for r in leaf_rows for f in r[1]], np.int64),
        path_z=np.array([z for r in leaf_rows for z in r[2]], np.float64),
        table_start=table_start,
    )
    from ._kernels import fill_tables

    tables = np.zeros(int(sizes.sum()), dtype=np.float64)
    fill_tables(arrays["leaf_value"], path_start, widths, arrays["path_z"], table_start, W, tables)
    names = tuple(dump.get("feature_names") or [])
    n_features = int(dump["max_feature_idx"]) + 1
    return CompiledTrees(
        n_features=n_features,
        feature_names=names,
        expected_value=expected,
        tables=tables,
        weights=W,
        **arrays,
    )


def _tree_expected(w: _TreeWalker) -> float:
    """Cover-weighted mean leaf value (LightGBM's ``Tree::ExpectedValue``)."""
    if not w.nodes:
        return w.leaves[0][0]
    # leaf cover = product of its path's zero fractions (over distinct features)
    return float(sum(v * math.prod(z) for v, _, z in w.leaves.values()))


def _fit_bits(widths: np.ndarray, max_bits: int, max_table_mb: float) -> int:
    bits = int(max_bits)
    while bits > 0:
        mask = widths <= bits
        size = float(np.sum((2.0 ** widths[mask]) * widths[mask])) * 8 / 2**20
        if size <= max_table_mb:
            return bits
        bits -= 1
    return 0


def shap_values(trees: CompiledTrees, X: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Exact TreeSHAP values of ``X`` (n_rows x n_features, without the bias column).

    Equal to ``booster.predict(X, pred_contrib=True)[:, :-1]`` up to floating
    point rounding; ``trees.expected_value`` is the bias column. Runs on one
    thread (the caller batches rows; see ``ReasonCoder``).
    """
    from ._kernels import shap_batch

    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != trees.n_features:
        raise ValueError(f"expected {trees.n_features} feature columns, got shape {X.shape}")
    if out is None:
        out = np.zeros((X.shape[0], trees.n_features), dtype=np.float64)
    else:
        out[:] = 0.0
    shap_batch(
        X,
        trees.node_start,
        trees.feat,
        trees.thr,
        trees.default_left,
        trees.missing,
        trees.left,
        trees.right,
        trees.setbit,
        trees.clrbit,
        trees.leaf_start,
        trees.leaf_value,
        trees.path_start,
        trees.path_len,
        trees.path_feat,
        trees.path_z,
        trees.table_start,
        trees.tables,
        trees.weights,
        K_ZERO,
        out,
    )
    return out
