"""Summaries of results: bands, time to reach a share, paired differences, persistence."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from diffusion.engine import simulate
from diffusion.results import Results, band, check_paired, paired_difference, time_to_reach
from tests.test_engine import Flip, FlipParams, tiny_org


def test_band_quantiles_and_mean():
    values = np.arange(101, dtype=float)[:, None] * np.ones((1, 3))
    b = band(values, (0.05, 0.5, 0.95))
    np.testing.assert_allclose(b.mean, 50.0)
    np.testing.assert_allclose(b.low, 5.0)
    np.testing.assert_allclose(b.high, 95.0)
    np.testing.assert_allclose(b.median, 50.0)


def test_time_to_reach():
    series = np.array([[0, 1, 3, 5], [0, 0, 1, 2], [4, 4, 4, 4]])
    out = time_to_reach(series, 3, steps=np.array([0, 10, 20, 30]))
    np.testing.assert_array_equal(out[[0, 2]], [20, 0])
    assert np.isnan(out[1])


def test_paired_difference_interval_covers_at_the_nominal_rate():
    # 400 experiments of 50 pairs with a true difference of 1: a 90% t interval covers it in
    # 90% of them; the binomial SE of the coverage over 400 is 0.015, allow 4 SE
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(400):
        base = rng.normal(0, 3, 50)
        other = base + 1 + rng.normal(0, 1, 50)
        d = paired_difference(base, other, level=0.9)
        covered += d.low <= 1 <= d.high
    assert abs(covered / 400 - 0.9) < 4 * 0.015


def test_paired_difference_matches_scipy_t_interval():
    base = np.array([1.0, 2.0, 4.0, 7.0, 3.0])
    other = np.array([2.0, 2.5, 5.0, 9.0, 3.5])
    d = paired_difference(base, other, level=0.95)
    lo, hi = stats.t.interval(0.95, 4, loc=np.mean(other - base), scale=stats.sem(other - base))
    assert d.mean == pytest.approx(1.0)
    assert (d.low, d.high) == pytest.approx((lo, hi))


def test_common_random_numbers_shrink_the_interval():
    # the same seeds for base and what-if: the paired SE is far below the unpaired one
    org = tiny_org()
    base = simulate(Flip(FlipParams(0.05)), org, n_runs=300, n_steps=10, seed=4)
    more = simulate(Flip(FlipParams(0.06)), org, n_runs=300, n_steps=10, seed=4)
    check_paired(base, more)
    d = paired_difference(base.final("on"), more.final("on"))
    unpaired_se = np.sqrt(base.final("on").var() / 300 + more.final("on").var() / 300)
    assert d.mean > 0 and d.std_error < unpaired_se / 2
    other_seed = simulate(Flip(FlipParams(0.06)), org, n_runs=300, n_steps=10, seed=5)
    with pytest.raises(ValueError, match="same seed"):
        check_paired(base, other_seed)


def test_save_and_load_round_trip(tmp_path):
    res = simulate(Flip(), tiny_org(), n_runs=20, n_steps=5, seed=1)
    back = Results.load(res.save(tmp_path / "r.npz"))
    np.testing.assert_array_equal(back.total, res.total)
    np.testing.assert_array_equal(back.counts["department"], res.counts["department"])
    assert back.provenance == res.provenance and back.group_labels == res.group_labels
    assert back.series("on", "department", "B").shape == (20, 6)
    with pytest.raises(ValueError, match="no department 'Z'"):
        back.series("on", "department", "Z")
