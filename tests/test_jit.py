"""The compiled loops give the same bits as the numpy code they replaced (kept here)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from diffusion import jit
from diffusion.rng import RunRandom


def numpy_below(
    rr: RunRandom,
    purpose: str,
    step: int,
    n: int,
    p: float,
    categories: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``RunRandom.below`` as whole-array numpy passes (the code before diffusion.jit)."""
    limit = int(min(np.ceil(np.float64(p) * 256.0), 256.0))
    if limit <= 0 or n == 0 or rr.n_runs == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    width = 8 * ((n + 7) // 8)
    coarse = rr.raw64(purpose, step, width // 8).view(np.uint8)  # (runs, width)
    if limit < 256:
        coarse[:, n:] = 255  # the bytes past the last column are never below
        hits = np.flatnonzero(coarse.reshape(-1) < np.uint8(limit))
    else:
        hits = np.flatnonzero(np.arange(coarse.size) % width < n)
    byte = coarse.reshape(-1)[hits].astype(np.int64)
    cells = hits - (hits // width) * (width - n)
    if categories is not None and bounds is not None:
        limits = np.ceil(np.asarray(bounds, dtype=np.float64) * 256.0).astype(np.int64)
        keep = np.flatnonzero(byte < limits[categories[cells]])
        cells, byte = cells[keep], byte[keep]
    fine = rr.uniform_at(purpose + ":fine", step, n, cells)
    u = ((byte << 24) + fine).astype(np.float64) * 2.0**-32
    return cells, u


# limits 1, 127 and 128 (the last one the word test covers and the first it does not), 129,
# 255 and 256 (every cell), and the sizes of a step of the ideas model
@pytest.mark.parametrize("p", [1e-4, 0.03, 127 / 256, 127.5 / 256, 128.5 / 256, 0.995, 1.0])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 318])
def test_thin_matches_the_numpy_draws(n, p):
    rr = RunRandom(11, np.arange(5, 205))
    cells, u = rr.below("t", 4, n, p)
    expected_cells, expected_u = numpy_below(rr, "t", 4, n, p)
    assert cells.size > 0 or p < 0.01
    np.testing.assert_array_equal(cells, expected_cells)
    np.testing.assert_array_equal(u, expected_u)


@pytest.mark.parametrize("p", [0.05, 0.6])
@pytest.mark.parametrize("n", [9, 318])
def test_thin_matches_the_numpy_draws_with_bounds_per_category(n, p):
    rr = RunRandom(3, np.arange(300))
    categories = np.random.default_rng(0).integers(0, 5, 300 * n).astype(np.int8)
    bounds = np.array([0.0, p, p / 3, p / 50, 1e-3], dtype=np.float32)
    cells, u = rr.below("x", 17, n, p, categories=categories, bounds=bounds)
    expected_cells, expected_u = numpy_below(rr, "x", 17, n, p, categories, bounds)
    assert cells.size > 10  # about 2,700 x 0.014 = 37 at n = 9, p = 0.05
    np.testing.assert_array_equal(cells, expected_cells)
    np.testing.assert_array_equal(u, expected_u)


def test_thin_says_when_its_arrays_are_too_short():
    # p = 1: every one of the 40 cells is looked at; 39 entries are one short
    keys = RunRandom(2, np.arange(4))._step_keys("x", 0)
    cats, limits = np.zeros(1, np.int8), np.zeros(1, np.uint64)
    short = np.empty(39, np.int64), np.empty(39, np.float64)
    assert jit.thin(keys, keys, 10, 256, False, cats, limits, *short) == -1
    room = np.empty(40, np.int64), np.empty(40, np.float64)
    assert jit.thin(keys, keys, 10, 256, False, cats, limits, *room) == 40
    np.testing.assert_array_equal(room[0], np.arange(40))


def test_thin_refuses_categories_of_the_wrong_shape_or_without_a_bound():
    rr = RunRandom(3, np.arange(4))
    with pytest.raises(ValueError, match="categories"):
        rr.below("x", 0, 10, 0.5, categories=np.zeros(39, np.int8), bounds=np.ones(2))
    for wrong in (2, -1):  # two bounds: categories 0 and 1 only; p = 1 looks at every cell
        categories = np.zeros(40, np.int8)
        categories[::7] = wrong
        with pytest.raises(ValueError, match=r"0 \.\. 1"):
            rr.below("x", 0, 10, 1.0, categories=categories, bounds=np.ones(2))


@pytest.mark.parametrize("index", [np.int32, np.int64])
def test_add_rows_matches_numpy_add_at(index):
    # float32 sums in the same order as np.add.at of the gathered rows: equal bit for bit,
    # including repeated (run, node) pairs, whose rows land on the same places
    gen = np.random.default_rng(5)
    n_runs, n = 40, 60
    matrix = sp.random_array((n, n), density=0.1, rng=gen, format="csr", dtype=np.float32)
    matrix.indptr, matrix.indices = matrix.indptr.astype(index), matrix.indices.astype(index)
    runs = gen.integers(0, n_runs, 500)
    nodes = gen.integers(0, n, 500)
    scale = gen.normal(size=500).astype(np.float32)
    out = gen.normal(size=n_runs * 2 * n).astype(np.float32)
    before, expected = out.copy(), out.copy()
    for j in range(runs.size):  # np.add.at of row nodes[j], in the second block of the run
        row = slice(matrix.indptr[nodes[j]], matrix.indptr[nodes[j] + 1])
        at = runs[j] * 2 * n + n + matrix.indices[row].astype(np.int64)
        np.add.at(expected, at, matrix.data[row] * scale[j])
    jit.add_rows(out, runs, nodes, scale, n, 2 * n, matrix.indptr, matrix.indices, matrix.data)
    assert (out != before).sum() > 1000  # most of the 4,800 places were added to
    np.testing.assert_array_equal(out, expected)


def test_exposure_to_trained_people_is_the_sparse_products_bit_for_bit():
    # the ideas model's word of mouth for cohort seats: influence @ (code == TRAINED), once a
    # float32 sparse product over every person, now the rows of the few trained added up
    from diffusion.baseline import etten_leur_baseline
    from diffusion.models.ideas import TRAINED, _exposure_to

    study = etten_leur_baseline(years=1)
    prep = study.model.prepare(study.org)
    gen = np.random.default_rng(9)
    code = gen.choice(np.array([0, 1, TRAINED], np.int8), size=(300, study.org.n_nodes))
    expected = (prep.influence @ (code == TRAINED).T.astype(np.float32)).T
    got = _exposure_to(prep, code, TRAINED)
    assert got.dtype == np.float32 and np.count_nonzero(got) > 10_000
    np.testing.assert_array_equal(got, expected)


def test_the_loops_work_where_numba_can_keep_no_cache():
    # a read-only installation and no home folder: numba finds nowhere to keep compiled code
    # (here: only a cache place that never applies outside IPython) and would refuse the
    # import; the loops are compiled afresh instead, and give the same draws
    code = (
        "import numpy as np; from diffusion.rng import RunRandom; "
        "c, u = RunRandom(11, np.arange(5, 205)).below('t', 4, 9, 0.03); "
        "print(c.size, int(c.sum()), repr(float(u.sum())))"
    )
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "numba.core.caching.IPythonCacheLocator"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    cells, u = RunRandom(11, np.arange(5, 205)).below("t", 4, 9, 0.03)
    assert cells.size > 0
    assert out.stdout.split() == [str(cells.size), str(int(cells.sum())), repr(float(u.sum()))]
