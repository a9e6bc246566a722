"""Designs: grid sizes and order, Latin hypercube strata, Sobol balance and Saltelli layout."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.scenario.problems import ScenarioError
from diffusion.sweeps.design import lhs_unit, make_design, saltelli_unit
from diffusion.sweeps.spec import parse_param


def specs(*texts: str):
    return [parse_param(t) for t in texts]


def test_grid_is_every_combination_first_parameter_slowest():
    design = make_design("grid", specs("a.x=0:1:3", "b.y=[10, 20]", "c.z=log:1:100:3"))
    assert design.n_points == 3 * 2 * 3
    assert design.values[0] == (0.0, 10, 1.0)
    assert design.values[1] == (0.0, 10, 10.0)
    assert design.values[-1] == (1.0, 20, 100.0)
    assert len(set(design.values)) == design.n_points
    assert not design.run_block.any()  # common random numbers: every point runs 0 .. R-1


@pytest.mark.parametrize("n", [1, 7, 50])
def test_lhs_puts_exactly_one_point_in_each_stratum_of_each_dimension(n):
    unit = lhs_unit(n, 4, seed=3)
    assert unit.shape == (n, 4)
    for column in unit.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))


def test_lhs_design_maps_strata_onto_the_ranges():
    design = make_design("lhs", specs("a.x=2:4", "b.y=log:1:100"), n_points=10, seed=1)
    x = np.array(design.values)
    assert sorted(np.floor((x[:, 0] - 2) / 2 * 10).astype(int)) == list(range(10))
    assert sorted(np.floor(np.log10(x[:, 1]) / 2 * 10).astype(int)) == list(range(10))


def test_designs_are_reproduced_by_the_seed():
    a = make_design("lhs", specs("a.x=0:1"), n_points=8, seed=5)
    b = make_design("lhs", specs("a.x=0:1"), n_points=8, seed=5)
    c = make_design("lhs", specs("a.x=0:1"), n_points=8, seed=6)
    assert a.values == b.values != c.values


def test_sobol_base_samples_are_balanced():
    """Each column of A and B has exactly one point in each of the N intervals of width 1/N
    (a scrambled Sobol' sequence of 2^m points is a (0, m, 1)-net in every dimension)."""
    n, d = 64, 3
    unit = saltelli_unit(n, d, seed=2).reshape(n, d + 2, d)
    for half in (unit[:, 0], unit[:, -1]):
        for column in half.T:
            assert sorted(np.floor(column * n).astype(int)) == list(range(n))


def test_saltelli_rows_take_one_column_from_b():
    n, d = 8, 3
    unit = saltelli_unit(n, d, seed=0).reshape(n, d + 2, d)
    a, b = unit[:, 0], unit[:, -1]
    for i in range(d):
        ab = unit[:, 1 + i]
        assert np.array_equal(ab[:, i], b[:, i])
        others = [j for j in range(d) if j != i]
        assert np.array_equal(ab[:, others], a[:, others])


def test_sobol_design_adds_a_dummy_that_picks_the_runs():
    k, n = 2, 16
    design = make_design("sobol", specs("a.x=0:1", "b.y=log:1:10"), n_points=n, seed=4)
    assert design.n_points == n * (k + 3) and design.unit.shape == (n * (k + 3), k + 1)
    block = design.run_block.reshape(n, k + 3)
    # A and its AB rows for real parameters share the dummy's value, so their runs
    assert (block[:, : k + 1] == block[:, [0]]).all()
    # AB for the dummy and B share B's
    assert (block[:, k + 1] == block[:, k + 2]).all()
    assert len(np.unique(block)) == 2 * n


def test_sobol_needs_a_power_of_two():
    with pytest.raises(ScenarioError, match="power of 2") as info:
        make_design("sobol", specs("a.x=0:1"), n_points=6)
    assert info.value.lines[0].startswith("--points: ")


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampling_designs_need_points_and_ranges(kind):
    with pytest.raises(ScenarioError, match="needs --points"):
        make_design(kind, specs("a.x=0:1"))
    with pytest.raises(ScenarioError, match="not a list"):
        make_design(kind, specs("a.x=[1, 2]"), n_points=4)
