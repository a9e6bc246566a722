"""Parsing ``--params path=PRIOR`` and drawing from the priors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffusion.calibration.priors import parse_prior, parse_priors, sample_priors
from diffusion.errors import InputError
from diffusion.models.ideas_params import IdeasParams

P = IdeasParams()


def test_the_three_kinds_parse_with_their_support():
    u = parse_prior("model.params.p_adopt_per_week=uniform(0.001,0.05)", P)
    assert (u.kind, u.a, u.b, u.low, u.high, u.name) == (
        "uniform",
        0.001,
        0.05,
        0.001,
        0.05,
        "p_adopt_per_week",
    )
    lu = parse_prior("model.params.nomination_word_of_mouth = loguniform(0.1, 30)", P)
    assert (lu.kind, lu.low, lu.high) == ("loguniform", 0.1, 30.0)
    n = parse_prior("model.params.receptivity_hard=normal(0.4, 0.2)", P)
    # a normal prior is truncated to the parameter's allowed range [0, 1]
    assert (n.kind, n.a, n.b, n.low, n.high) == ("normal", 0.4, 0.2, 0.0, 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model.params.p_adopt=uniform(0, 0.1)", "no parameter 'p_adopt'; did you mean"),
        ("p_adopt_per_week=uniform(0, 0.1)", "only model parameters can be calibrated"),
        ("model.params.p_adopt_per_week", "write path=PRIOR"),
        ("model.params.p_adopt_per_week=beta(1, 2)", "is not a prior"),
        ("model.params.p_adopt_per_week=uniform(0.1)", "takes two finite numbers"),
        ("model.params.p_adopt_per_week=uniform(0.1, x)", "takes two finite numbers"),
        ("model.params.p_adopt_per_week=uniform(0.2, 0.1)", "needs a < b"),
        ("model.params.p_adopt_per_week=loguniform(0, 0.1)", "needs a > 0"),
        ("model.params.p_adopt_per_week=uniform(0, 2)", "not inside the parameter's allowed"),
        ("model.params.receptivity_hard=normal(0.5, 0)", "needs s > 0"),
        ("model.params.receptivity_hard=normal(3, 1)", "outside the parameter's allowed"),
        ("model.params.course_weeks=uniform(10, 30)", "integer parameter"),
    ],
)
def test_bad_priors_give_one_line_naming_the_place(text, message):
    with pytest.raises(InputError) as err:
        parse_prior(text, P)
    line = str(err.value)
    assert line.startswith("--params: ")
    assert message in line
    assert "\n" not in line


def test_a_path_given_twice_and_no_prior_at_all_are_errors():
    with pytest.raises(InputError, match="given twice"):
        parse_priors(["model.params.top_effect=uniform(0,1)"] * 2, P)
    with pytest.raises(InputError, match="at least one"):
        parse_priors([], P)


def test_draws_are_seeded_inside_the_support_and_have_the_right_centre():
    priors = parse_priors(
        [
            "model.params.top_effect=uniform(0.2, 0.6)",
            "model.params.nomination_presentation=loguniform(0.1, 10)",
            "model.params.receptivity_hard=normal(0.9, 0.3)",
        ],
        P,
    )
    n = 20_000
    x = sample_priors(priors, np.random.default_rng(1), n)
    assert np.array_equal(x, sample_priors(priors, np.random.default_rng(1), n))
    assert x.shape == (n, 3)
    for k, p in enumerate(priors):
        assert x[:, k].min() >= p.low and x[:, k].max() <= p.high
    # uniform(0.2, 0.6): mean 0.4, sd 0.4/sqrt(12) = 0.115; 4 standard errors = 0.0033
    assert abs(x[:, 0].mean() - 0.4) < 4 * 0.115 / math.sqrt(n)
    # loguniform(0.1, 10): log x uniform on [-2.30, 2.30], mean 0, sd 1.33; 4 se = 0.038
    assert abs(np.log(x[:, 1]).mean()) < 4 * 1.33 / math.sqrt(n)
    # normal(0.9, 0.3) truncated to [0, 1]: the scipy mean, sd < 0.3; 4 se < 0.0085
    assert abs(x[:, 2].mean() - priors[2].scipy().mean()) < 4 * 0.3 / math.sqrt(n)
