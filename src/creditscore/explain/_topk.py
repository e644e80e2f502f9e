"""The top-k ranking of reason families, in plain Python (numba-free).

``_kernels`` compiles this very function with numba for bulk reasons; a few rows (one
subject's letter) run it as it is, so a one-subject answer does not import numba. The
arithmetic is the same either way (no fast-math), so both give the same reasons.
"""

from __future__ import annotations

import numpy as np

__all__ = ["top_k_groups", "SMALL_ROWS"]

#: at most this many rows are ranked in plain Python rather than by the compiled kernel
SMALL_ROWS = 16


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
