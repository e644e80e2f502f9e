"""The plain-Python ranking a letter uses is the compiled kernel's, reason for reason."""

import numpy as np
import pytest

from creditscore.explain import _kernels, _topk


@pytest.mark.parametrize("seed", range(5))
def test_plain_and_compiled_rankings_agree(seed):
    rng = np.random.default_rng(seed)
    n, m, groups, k = 12, 30, 9, 4
    contrib = np.round(rng.normal(0, 0.3, (n, m)), 3)  # rounding makes ties, on purpose
    group = rng.integers(-1, groups, m)
    out = []
    for kernel in (_topk.top_k_groups, _kernels.top_k_groups):
        codes, values = np.full((n, k), -1, np.int64), np.zeros((n, k))
        kernel(contrib, group, groups, k, 1e9, 0.0, codes, values)
        out.append((codes, values))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert (out[0][0] >= 0).any()
