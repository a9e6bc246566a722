"""The ideas model's parameters per run: many parameter sets in one batch, each set exactly.

Every parameter of :data:`~diffusion.models.ideas_params.PER_RUN` varies across the sets; the
stacked simulation (batches cutting across the sets) must give each set's runs bit for bit as
the set simulated alone with the same run ids, on the Etten-Leur baseline's own history
(cohorts filled by nomination, the network project, the leader backing, the alderman
leaving, the new secretary) plus a landscape shock, a SetParams event and a snapshot.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.baseline import BASELINE
from diffusion.engine import simulate, snapshot
from diffusion.events import ModelAction, SetParams
from diffusion.models.base import stack_models
from diffusion.models.ideas import IdeasModel, IdeasParams
from diffusion.models.ideas_params import PER_RUN
from diffusion.scenario.build import build_study
from diffusion.scenario.load import load_scenario, packaged

RUNS = 12

#: parameter sets that differ in every per-run parameter, edges of the ranges included
SETS = [
    {},  # the defaults
    dict(
        p_leader_nominates=1.0,
        nomination_leader_effect=3.0,
        nomination_pair=1.0,
        nomination_team_leader=5.0,
        nomination_top=0.5,
        nomination_word_of_mouth=20.0,
        nomination_presentation=0.1,
        nomination_aware=1.0,
        nomination_adopter=6.0,
        audience_department=0.9,
        receptivity_soft=0.7,
        receptivity_hard=1.0,
        hard_side_opening_per_year=0.0,
        receptivity_policy_officer=0.05,
        p_leader_backs=0.6,
        support_backing=0.95,
        support_unaware=0.0,
        support_aware=0.7,
        support_adopted=0.85,
        p_adopt_per_week=0.009,
        p_lapse_per_week=0.0,
        p_resist_per_week=0.004,
    ),
    dict(
        p_leader_nominates=0.05,
        nomination_leader_effect=100.0,
        nomination_pair=0.0,
        nomination_team_leader=0.5,
        nomination_word_of_mouth=0.0,
        nomination_presentation=30.0,
        nomination_aware=4.0,
        nomination_adopter=1.0,
        audience_department=0.2,
        receptivity_hard=0.02,
        hard_side_opening_per_year=2.0,
        receptivity_policy_officer=1.0,
        p_leader_backs=0.0,
        support_unaware=0.5,
        p_adopt_per_week=0.0015,
        p_lapse_per_week=0.015,
        p_resist_per_week=0.0,
    ),
]


@pytest.fixture(scope="module")
def study():
    """The baseline to spring 2019 (all of 2015-2018's history, the first cadence cohort)."""
    loaded = load_scenario(packaged(BASELINE), ["calendar.end=2019-03-01"])
    return build_study(loaded.scenario)


def models_of(study) -> list[IdeasModel]:
    return [study.model.with_params(**changes) for changes in SETS]


def assert_runs_equal(stacked, k: int, alone) -> None:
    """Runs ``k * RUNS ..`` of ``stacked`` are ``alone``'s runs, record for record."""
    part = slice(k * RUNS, (k + 1) * RUNS)
    np.testing.assert_array_equal(stacked.total[part], alone.total)
    for g in alone.counts:
        np.testing.assert_array_equal(stacked.counts[g][part], alone.counts[g])
    for m in alone.first_step:
        np.testing.assert_array_equal(stacked.first_step[m][part], alone.first_step[m])


def test_every_fitted_parameter_may_vary_by_run():
    fitted = {
        "p_leader_nominates",
        "nomination_leader_effect",
        "nomination_pair",
        "nomination_team_leader",
        "nomination_word_of_mouth",
        "nomination_presentation",
        "receptivity_hard",
        "hard_side_opening_per_year",
        "receptivity_policy_officer",
        "p_leader_backs",
        "support_unaware",
        "audience_department",
        "nomination_aware",
        "nomination_adopter",
        # the spreading half's base rates (docs/calibration.md's full command fits them)
        "p_adopt_per_week",
        "p_lapse_per_week",
        "p_resist_per_week",
    }
    assert fitted <= set(IdeasModel.per_run_params)
    assert set(SETS[1]) == set(PER_RUN)  # the test varies every one of them


@pytest.mark.slow
def test_parameter_sets_in_one_batch_equal_each_set_alone(study):
    # a landscape shock twice on the hard side (the shocks multiply the folded receptivity)
    # and an event that sets a per-run parameter for all runs from mid-2017 on
    extra = [
        ModelAction(60, "landscape_shock", {"factor": 0.5, "side": "hard"}),
        ModelAction(90, "landscape_shock", {"factor": 1.7, "side": "hard"}),
        SetParams(130, {"nomination_pair": 0.3}),
    ]
    events = (*study.events, *extra)
    models = models_of(study)
    kwargs = dict(n_steps=study.n_steps, seed=5, events=events, record_every=13)
    ids = np.tile(np.arange(RUNS), len(models))  # every set on the same runs, as a sweep
    stacked = simulate(
        stack_models(models, RUNS),
        study.org,
        n_runs=RUNS * len(models),
        run_ids=ids,
        batch_size=7,  # batches cut across the sets
        **kwargs,
    )
    for k, model in enumerate(models):
        alone = simulate(model, study.org, n_runs=RUNS, batch_size=5, **kwargs)
        assert_runs_equal(stacked, k, alone)
    # the sets differ: the engine did not give every run the first set's parameters
    took = stacked.first_step["adopted"] >= 0
    per_set = took.reshape(len(models), RUNS, -1).sum(axis=(1, 2))
    assert len(set(per_set.tolist())) == len(models)


@pytest.mark.slow
def test_a_snapshot_of_stacked_sets_goes_on_as_the_full_run(study):
    models = models_of(study)
    stacked = stack_models(models, RUNS)
    n = RUNS * len(models)
    kwargs = dict(seed=9, events=study.events, record_every=13, run_offset=100)
    full = simulate(stacked, study.org, n_runs=n, n_steps=study.n_steps, **kwargs)
    # step 120: after LC8, before LC11 and the forum; the snapshot's batches differ from the
    # continuation's, so each run's rows are found again by position
    start = snapshot(stacked, study.org, n_runs=n, step=120, batch_size=11, **kwargs)
    cont = simulate(
        stacked, study.org, n_runs=n, n_steps=study.n_steps, start=start, batch_size=4, **kwargs
    )
    np.testing.assert_array_equal(cont.total, full.total)
    np.testing.assert_array_equal(cont.first_step["adopted"], full.first_step["adopted"])


def test_per_run_values_are_checked_in_one_line():
    with pytest.raises(ValueError, match=r"receptivity_hard must be in \[0, 1\], got 1\.5"):
        IdeasParams(receptivity_hard=np.array([0.2, 1.5]))
    with pytest.raises(ValueError, match="adopt_threshold takes one value, not one per run"):
        IdeasParams(adopt_threshold=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="nomination_pair must be in"):
        IdeasParams(nomination_pair=np.array([0.2, np.nan]))
    values = IdeasParams(nomination_pair=np.array([0, 1])).nomination_pair
    assert values.dtype == np.float64 and values.tolist() == [0.0, 1.0]
    scalar = dataclasses.replace(IdeasParams(), nomination_pair=0.5)
    assert scalar.nomination_pair == 0.5
