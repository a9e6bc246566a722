"""Rejection ABC recovers parameters from data the model itself simulated."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.baseline import etten_leur_baseline
from diffusion.calibration.observed import pseudo_observed
from diffusion.calibration.posterior import Posterior, posterior_table, weighted_quantile
from diffusion.calibration.priors import parse_priors
from diffusion.calibration.rejection import accept_nearest, reference_table
from diffusion.calibration.simulator import Simulator, simulate_many
from diffusion.calibration.summaries import Layout
from diffusion.models.ideas_params import IdeasParams
from tests.calibrate.conftest import SHORT_END

PRIORS = (
    "model.params.nomination_word_of_mouth=loguniform(0.3, 30)",
    "model.params.receptivity_hard=uniform(0.02, 1)",
)
TRUTH = (5.0, 0.3)


def test_chunking_does_not_change_the_statistics(study, layout):
    priors = parse_priors(PRIORS, IdeasParams())
    sim = Simulator(study, layout, tuple(p.path for p in priors), seed=4)
    thetas = np.array([[1.0, 0.5], [10.0, 0.1], [0.5, 0.9]])
    whole = simulate_many(sim, thetas, 2, first_index=7, chunk=3)
    single = simulate_many(sim, thetas, 2, first_index=7, chunk=1)
    np.testing.assert_array_equal(whole, single)
    # vector i of first_index f runs (f + i) * R ..: alone it gives the same statistics
    np.testing.assert_array_equal(sim.statistics(thetas[1], 2, (7 + 1) * 2), whole[1])


def test_weighted_quantile_and_posterior_moments():
    rng = np.random.default_rng(0)
    x = rng.normal(size=51)
    q = [0.05, 0.5, 0.95]
    # equal weights: the midpoint rule is numpy's "hazen" quantile
    np.testing.assert_allclose(
        weighted_quantile(x, np.ones(51), q), np.quantile(x, q, method="hazen")
    )
    # a zero weight removes a sample
    w = np.ones(51)
    w[np.argmax(x)] = 0
    np.testing.assert_allclose(
        weighted_quantile(x, w, q), np.quantile(np.delete(x, np.argmax(x)), q, method="hazen")
    )
    post = Posterior(("a",), np.array([[1.0], [2.0], [4.0]]), np.array([0.5, 0.25, 0.25]), "t")
    assert post.mean()[0] == pytest.approx(2.0)
    assert post.ess == pytest.approx(1 / (0.25 + 0.0625 + 0.0625))


@pytest.mark.slow
def test_recovers_known_parameters_on_a_small_budget(the_facts, observed):
    """Budget: 240 parameter vectors x 10 runs on the 2015-2017 calendar (~20 s on 2 cores).

    One reference table serves 10 pseudo-observed data sets, each one run simulated at the
    known parameters (word of mouth 5, hard-side receptivity 0.3) with runs the table does
    not use. "Most" is: at least 15 of the 20 intervals (10 data sets x 2 parameters) hold
    the truth. With well calibrated 90% intervals the count is Binomial(20, 0.9), and
    P(count <= 14) = 1.1%; ABC on a small budget errs on the wide side, which only raises
    the count. Wide intervals pass that test trivially, so the posterior must also learn
    about the hard side's receptivity, the parameter the soft/hard split of Table 1 informs
    most: its posterior mean must be nearer the truth than the prior mean (0.51, 0.21 away)
    on average over the 10 data sets, and its 90% interval narrower than the prior's
    (width ratio below 0.95 on average; a posterior equal to the prior gives 1 +- ~0.05 from
    the quantiles of ~500 weighted samples). Seeded as it is, the test gave 20 of 20 inside,
    a mean error of 0.13 and a width ratio of 0.83: one run of ~25 participants says little
    about each parameter, which is the finding of docs/calibration.md too.
    """
    from diffusion.executors import Executor

    study = etten_leur_baseline(until=SHORT_END)
    # the hard side's opening over time confounds its start receptivity on this short
    # calendar; it is held at 0 so that receptivity_hard is what the split informs
    study = dataclasses.replace(
        study, model=study.model.with_params(hard_side_opening_per_year=0.0)
    )
    layout = Layout.build(study, the_facts)
    priors = parse_priors(PRIORS, IdeasParams())
    sim = Simulator(study, layout, tuple(p.path for p in priors), seed=11)
    with Executor(2).client() as client:
        thetas, stats = reference_table(
            sim, priors, n_simulations=240, runs_per_simulation=10, seed=1, client=client
        )
    data = sim.statistics(TRUTH, n_runs=10, run_offset=10**6)
    like = type(observed)(layout.names, data[0], observed.teams)
    inside, widths, errors = 0, [], []
    for k in range(len(data)):
        post, _ = accept_nearest(
            sim.paths, thetas, stats, pseudo_observed(like, data[k], f"run {k}"), accept=0.05
        )
        lo_hi = post.interval(0.9)
        inside += int(np.sum((lo_hi[:, 0] <= TRUTH) & (np.array(TRUTH) <= lo_hi[:, 1])))
        widths.append(posterior_table(post, priors)[1]["width_vs_prior"])
        errors.append(abs(post.mean()[1] - TRUTH[1]))
    assert inside >= 15, f"{inside} of 20 intervals hold the truth"
    assert np.mean(widths) <= 0.95, f"receptivity interval width / prior's: {widths}"
    prior_error = abs(priors[1].scipy().mean() - TRUTH[1])  # 0.21
    assert np.mean(errors) < prior_error, f"receptivity posterior mean errors: {errors}"
