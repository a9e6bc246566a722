"""What-ifs under parameter uncertainty (issue 12, §3): sign shares, verdicts, deciders.

The end-to-end tests use the SI model on the built-in organisation, whose answers are
known in sign: more people infected at the start means more infected later under every
infection rate (share 1.0), and a what-if that fixes the rate at the middle of the range the
base's rate is drawn from helps in half the draws and hurts in the other half (share about
0.5, decided by ``beta``).
"""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.robustness import (
    DEPENDS,
    ROBUST,
    UNCLEAR,
    Draws,
    deciders,
    default_draws,
    draw_overrides,
    draws_from_posterior,
    draws_from_ranges,
    sign_share,
    verdict,
)
from diffusion.scenario.load import load_scenario

BASE = """
name = "si-base"
runs = 30
seed = 3
[organisation]
builtin = "etten-leur"
[model]
name = "si"
[model.params]
beta = 0.03
initial_infected = 2
[calendar]
start = 2020-01-06
years = 0.16
"""


# ------------------------------------------------------------------------------ units
def test_sign_share_counts_the_default_sign_and_zero_as_its_own():
    assert sign_share(1.0, np.array([2.0, 0.5, -1.0, 0.0])) == 0.5
    assert sign_share(-1.0, np.array([-2.0, -0.5])) == 1.0
    assert sign_share(0.0, np.array([0.0, 0.0, 1.0])) == pytest.approx(2 / 3)
    assert sign_share(1.0, np.array([np.nan, 1.0])) == 1.0


@pytest.mark.parametrize(
    ("low", "high", "share", "expected"),
    [
        (0.5, 1.5, 0.95, ROBUST),
        (0.5, 1.5, 0.9, ROBUST),
        (0.5, 1.5, 0.85, DEPENDS),
        (-1.5, -0.2, 0.5, DEPENDS),
        (-0.5, 1.5, 1.0, UNCLEAR),
        (0.0, 0.0, 1.0, UNCLEAR),
    ],
)
def test_verdict(low, high, share, expected):
    assert verdict(low, high, share) == expected


def test_latin_hypercube_draws_cover_each_range_once_per_stratum():
    d = draws_from_ranges({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 10, seed=5)
    assert d.values.shape == (10, 2)
    for col, (low, high) in enumerate([(0.0, 1.0), (10.0, 20.0)]):
        strata = np.floor((d.values[:, col] - low) / (high - low) * 10).astype(int)
        assert sorted(strata.tolist()) == list(range(10))
    again = draws_from_ranges({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 10, seed=5)
    np.testing.assert_array_equal(d.values, again.values)
    assert d.origin == {"a": "plausible range", "b": "plausible range"}


def test_posterior_draws_follow_the_weights():
    samples = np.array([[1.0], [2.0], [3.0]])
    d = draws_from_posterior(samples, ["x"], 2000, seed=1, weights=np.array([0.0, 1.0, 3.0]))
    values = d.values[:, 0]
    assert not np.any(values == 1.0)  # weight 0: never drawn
    # P(3) = 0.75; 2000 draws: sd 0.0097, 4 sd tolerance
    assert abs(np.mean(values == 3.0) - 0.75) < 0.04


def test_draws_reject_wrong_shapes_and_ranges():
    with pytest.raises(ValueError, match="shape"):
        Draws(("a", "b"), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="low < high"):
        draws_from_ranges({"a": (1.0, 1.0)}, 3, seed=0)
    a = draws_from_ranges({"a": (0.0, 1.0)}, 4, seed=0)
    with pytest.raises(ValueError, match="drawn twice"):
        a.join(a)


def test_the_deciding_parameter_is_found():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 1, size=(80, 3))
    draws = Draws(("model.params.x", "model.params.noise", "model.params.y"), values)
    holds = values[:, 0] <= 0.4
    found = deciders(draws, holds)
    assert found and found[0].startswith("x <= ")
    threshold = float(found[0].split("<= ")[1])
    assert abs(threshold - 0.4) < 0.05  # the split lies between neighbouring draws
    assert deciders(draws, np.ones(80, dtype=bool)) == ()


# ------------------------------------------------------------------------------ end to end
@pytest.fixture
def scenarios(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(BASE)
    more_seeds = tmp_path / "more-seeds.toml"
    more_seeds.write_text(
        'extends = "base.toml"\nname = "more-seeds"\n[model.params]\ninitial_infected = 8\n'
    )
    middle = tmp_path / "middle-rate.toml"
    middle.write_text('extends = "base.toml"\nname = "middle-rate"\n[model.params]\nbeta = 0.05\n')
    return {p.stem: load_scenario(p) for p in (base, more_seeds, middle)}


def test_a_what_if_keeps_the_parameter_it_sets(scenarios):
    draws = Draws(("model.params.beta", "model.params.initial_infected"), np.array([[0.07, 3]]))
    base_set, what_if_set = draw_overrides(scenarios["base"], scenarios["middle-rate"], draws, 0)
    assert base_set == ["model.params.beta=0.07", "model.params.initial_infected=3.0"]
    assert what_if_set == ["model.params.initial_infected=3.0"]


@pytest.mark.slow
def test_sign_robustness_is_one_for_a_sure_effect_and_a_half_for_a_symmetric_one(scenarios):
    import diffusion

    base = scenarios["base"]
    what_ifs = {"more-seeds": scenarios["more-seeds"], "middle-rate": scenarios["middle-rate"]}
    # beta drawn symmetric around the middle-rate what-if's 0.05
    draws = draws_from_ranges({"model.params.beta": (0.02, 0.08)}, 40, seed=2)
    result = diffusion.compare(base, what_ifs, runs=30, seed=11, draws=draws)
    end = max(result.settings.dates)  # the last of the default dates
    judged = result.robustness
    by = {(r.what_if, r.outcome): r for r in judged}
    sure = by[("more-seeds", f"infected all {end}")]
    assert sure.difference > 0 and sure.verdict == ROBUST
    assert sure.sign_share == 1.0
    assert sure.spread_low > 0
    split = by[("middle-rate", f"infected all {end}")]
    # P(beta < 0.05) = 0.5 over 40 draws: sd 0.08; near beta = 0.05 the per-draw mean of 30
    # paired runs may take either sign, which widens it a little: +-0.2 is 2.5 sd
    assert abs(split.sign_share - 0.5) <= 0.2
    assert split.verdict == DEPENDS
    assert split.deciders and split.deciders[0].startswith("beta <= ")
    assert split.spread_low < 0 < split.spread_high


def test_default_draws_join_a_posterior_and_plausible_ranges():
    posterior = (["model.params.a"], np.array([[1.0], [2.0]]), np.array([1.0, 1.0]))
    d = default_draws(
        6, seed=1, model="si", posterior=posterior, ranges={"model.params.beta": (0.1, 0.2)}
    )
    assert d.paths == ("model.params.a", "model.params.beta")
    assert d.origin == {"model.params.a": "posterior", "model.params.beta": "plausible range"}
    assert set(d.values[:, 0]) <= {1.0, 2.0}
    assert np.all((d.values[:, 1] >= 0.1) & (d.values[:, 1] <= 0.2))
    # a range given for a posterior parameter replaces its posterior
    d = default_draws(6, seed=1, model="si", posterior=posterior, ranges={"model.params.a": (5, 6)})
    assert d.paths == ("model.params.a",) and d.origin["model.params.a"] == "plausible range"
    with pytest.raises(ValueError, match="no parameter uncertainty"):
        default_draws(6, seed=1, model="si")
