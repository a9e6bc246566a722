"""Sensitivity indices through the package's wrapper: known answers (Ishigami for Sobol, a
linear function for Morris), the dummy's noise floor, and the model itself."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("SALib")

from diffusion.errors import InputError
from diffusion.sweeps.design import make_design
from diffusion.sweeps.sensitivity import (
    analyze,
    design_indices,
    ishigami,
    ishigami_indices,
    linear,
)
from diffusion.sweeps.spec import parse_param
from tests.sweep.common import BASELINE

PI = np.pi
ISHIGAMI = [parse_param(f"x{i}={-PI}:{PI}") for i in (1, 2, 3)]


def test_ishigami_indices_are_recovered():
    """Known answer: a = 7, b = 0.1 gives S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244).

    With N = 4096 base samples (4096 x 6 evaluations) the estimates for this seed are within
    0.005 of the exact values; the bootstrap's 95% half-widths are 0.01-0.04. The tolerance
    0.02 sits between the two: loose enough for any seed's quasi-random error at this N, and
    tight enough that a wrong design (rows out of order, a column not swapped) fails by far.
    """
    si = design_indices(
        "sobol", lambda x, _: ishigami(x), ISHIGAMI, 4096, seed=1, num_resamples=100
    )
    s1, st = ishigami_indices()
    assert si.names == ("x1", "x2", "x3", "dummy")
    np.testing.assert_allclose(si.s1[:3], s1, atol=0.02)
    np.testing.assert_allclose(si.st[:3], st, atol=0.02)
    # the dummy changes nothing in a deterministic function: exactly no effect
    assert si.s1[3] == 0 and si.st[3] == 0
    assert si.above_noise[:3].all()


def test_the_dummy_measures_the_noise_of_a_stochastic_output():
    """Noise of variance 1 drawn from the run block the dummy picks: the dummy's total index
    estimates the noise's share of the variance, 1 / (V + 1) = 0.067 for Ishigami (V = 13.8);
    x3's effect (S1 = 0) stays below the noise floor in first order."""

    def noisy(x, block):
        noise = np.array([np.random.default_rng([7, b]).normal() for b in block])
        return ishigami(x) + noise

    si = design_indices("sobol", noisy, ISHIGAMI, 1024, seed=2, num_resamples=100)
    v = 0.5 * (1 + 0.1 * PI**4 / 5) ** 2 + 49 / 8 + 0.01 * PI**8 * (1 / 18 - 1 / 50)
    share = 1 / (v + 1)
    assert si.st[3] == pytest.approx(share, abs=0.02)
    assert si.s1[2] < si.noise_floor
    assert si.above_noise[:2].all()


def test_analysis_refuses_a_design_that_is_not_sobol_and_a_constant_output():
    grid = make_design("grid", [parse_param("a.x=0:1:4")])
    with pytest.raises(InputError, match="sobol or morris design"):
        analyze(grid, np.zeros(4))
    design = make_design("sobol", [parse_param("a.x=0:1")], n_points=8)
    with pytest.raises(InputError, match="same at every point"):
        analyze(design, np.ones(design.n_points))
    with pytest.raises(InputError, match="do not fit"):
        analyze(design, np.arange(5.0))


def test_morris_mu_star_of_a_linear_function_is_coefficient_times_range():
    """Known answer, exact: every elementary effect of c_i x_i over a step of delta (in the
    unit cube) is c_i (b_i - a_i), so mu* = |c_i| (b_i - a_i), sigma = 0, a zero-width
    interval; the dummy changes nothing: 0. Only float rounding separates them."""
    specs = [parse_param(t) for t in ("a=0:2", "b=-1:1", "c=10:10.5", "d=log:1:100")]
    coefficients = [3.0, -5.0, 4.0, 0.0]
    mi = design_indices(
        "morris", lambda x, _: linear(x, coefficients), specs, 8, seed=3, num_resamples=50
    )
    assert mi.names == ("a", "b", "c", "d", "dummy")
    np.testing.assert_allclose(mi.mu_star, [6.0, 10.0, 2.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(mi.mu, [6.0, -10.0, 2.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(mi.sigma, 0.0, atol=1e-9)
    np.testing.assert_allclose(mi.mu_star_conf, 0.0, atol=1e-9)
    assert list(mi.above_noise) == [True, True, True, False, False]


def test_morris_trajectories_move_one_input_at_a_time_on_the_grid():
    from diffusion.sweeps.design import morris_unit

    n, d = 5, 3
    unit = morris_unit(n, d, seed=1).reshape(n, d + 1, d)
    assert set(np.unique(unit)) <= {0.0, 1 / 3, 2 / 3, 1.0}
    steps = np.diff(unit, axis=1)  # (n, d, d)
    assert ((steps != 0).sum(axis=2) == 1).all()  # one input a step
    np.testing.assert_allclose(np.abs(steps).sum(axis=2), 2 / 3)
    assert ((steps != 0).sum(axis=1) == 1).all()  # each input once a trajectory


@pytest.mark.slow
@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_on_the_model_a_strong_parameter_stands_above_the_dummy(tmp_path, method):
    """Adopters after two years against the weekly adoption probability (0.005 to 0.05: a
    mean of about 2 to 30 adopters) and, for Morris, the leader effect (little in two years).
    The dummy only reshuffles the runs, so its index is the noise of a mean of 20 runs;
    p_adopt_per_week's interval must lie above it. Design and bootstrap are seeded, so the
    outcome is fixed. At these sizes p_adopt_per_week's index is 5-15x the dummy's (Sobol ST
    1.00 +- 0.46 vs 0.07 +- 0.05 with N = 32, 1000 bootstrap resamples; N = 16 left the two
    intervals less than 0.01 apart; Morris mu* 14.6 +- 1.6 vs 2.8 +- 1.3 adopters): the margin
    is about the width of the intervals, so a design or seeding error that let noise into the
    parameter's effect (or the signal into the dummy's) fails it."""
    pytest.importorskip("xarray")
    import diffusion

    params = ["model.params.p_adopt_per_week=0.005:0.05", "model.params.leader_effect=0:0.8"]
    params = params[:1] if method == "sobol" else params  # Sobol costs N (k + 3) points
    indices = diffusion.sensitivity(
        BASELINE,
        params,
        store=tmp_path / "s.zarr",
        method=method,
        points=32 if method == "sobol" else 8,
        runs=20,
        seed=5,
        overrides=["calendar.end=2017-01-02"],
        measure="adopters",
    )
    assert indices.names[0] == "model.params.p_adopt_per_week" and indices.names[-1] == "dummy"
    assert indices.above_noise[0], indices.rows()
    main = indices.st if method == "sobol" else indices.mu_star
    assert main[0] > 3 * main[-1], indices.rows()
