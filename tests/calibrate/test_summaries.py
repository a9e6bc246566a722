"""The observed statistics and the same statistics from simulations."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.calibrate.distance import Distance, default_weights
from diffusion.calibrate.simulator import Simulator


def test_observed_statistics_are_table_1(observed, the_facts):
    table = the_facts["observed"]["trained_by_team"]
    assert observed.team_counts() == table
    assert sum(table.values()) == 34
    assert [observed[f"department:{d}"] for d in "OCSB"] == [3, 12, 16, 3]
    assert observed["share:soft"] == pytest.approx(28 / 34)
    assert observed["share:top2"] == pytest.approx((9 + 6) / 34)  # T8 and T4
    assert observed["team_leaders"] == 4
    assert observed["order:first_cohort"] == 2
    assert observed["order:T8_leader_at_LC3"] == 1
    assert observed["order:T11_first_at_LC8"] == 1


def _table_1_first_steps(study, layout, the_facts) -> np.ndarray:
    """One run placed by hand as Table 1 and its known order: must give the observed vector."""
    org = study.org
    fs = np.full((1, org.n_nodes), -1, dtype=np.int32)
    steps = {e.name: e.step for e in study.events if hasattr(e, "seats")}
    regular = [steps[c] for c in ("LC8", "LC11", "LC14", "LC16", "LC18", "LC19")]
    leaders = {layout.teams[t]: n for n, t in zip(layout.leaders, layout.leader_team, strict=True)}
    lc1 = [steps["LC1"]] * 2
    for team, count in the_facts["observed"]["trained_by_team"].items():
        members = [n for n in np.flatnonzero(layout.team_of == layout.teams.index(team))]
        led = the_facts["observed"]["team_leaders_trained"].get(team, 0)
        chosen = [leaders[team]] if led else []
        chosen += [n for n in members if n != leaders[team]][: count - len(chosen)]
        for i, node in enumerate(chosen):
            if team == "T8" and node == leaders[team]:
                fs[0, node] = steps["LC3"]
            elif team == "T11" and i == 0:
                fs[0, node] = steps["LC8"]
            elif team == "T11":
                fs[0, node] = steps["LC19"]
            elif lc1:
                fs[0, node] = lc1.pop()
            else:
                fs[0, node] = regular[(node % len(regular))]
    fs[0, fs[0] > 0] = np.maximum(fs[0, fs[0] > 0], 0)
    return fs


def test_statistics_of_a_hand_made_run_equal_the_observed(study, layout, the_facts, observed):
    fs = _table_1_first_steps(study, layout, the_facts)
    stats = layout.statistics(fs)
    assert layout.names == observed.names
    np.testing.assert_allclose(stats[0], observed.values)
    # a participant after the cut-off does not count
    late = fs.copy()
    late[0, np.flatnonzero(late[0] < 0)[0]] = layout.cutoff_step + 1
    np.testing.assert_allclose(layout.statistics(late)[0], observed.values)


def test_simulated_runs_fill_the_seats(study, layout):
    from diffusion.calibrate.summaries import MILESTONE, TOOK_COURSE
    from diffusion.engine import simulate

    sim = Simulator(study, layout, (), seed=3)
    stats = sim.statistics((), n_runs=20, run_offset=0)
    names = layout.names
    teams = stats[:, [i for i, n in enumerate(names) if n.startswith("team:")]]
    depts = stats[:, [i for i, n in enumerate(names) if n.startswith("department:")]]
    np.testing.assert_array_equal(teams.sum(axis=1), depts.sum(axis=1))
    assert np.all(stats[:, names.index("order:first_cohort")] == 2)
    # the same runs straight from the engine: 34 seats to 2018-10, less one when T8's leader
    # was drawn before LC3 (his named LC3 seat is then wasted); participants outside the 14
    # teams (the heads who lead no team, the secretary) are not in Table 1's counts
    res = simulate(
        study.model,
        study.org,
        n_runs=20,
        n_steps=study.n_steps,
        seed=3,
        events=study.events,
        groupings=(),
        milestones={MILESTONE: TOOK_COURSE},
    )
    took = res.first_step[MILESTONE] >= 0
    t8_lead = layout.leaders[layout.leader_team == layout.teams.index("T8")][0]
    wasted = res.first_step[MILESTONE][:, t8_lead] < layout.leader_at_steps[0]
    np.testing.assert_array_equal(took.sum(axis=1), 34 - wasted)
    outside = took[:, layout.team_of < 0].sum(axis=1)
    np.testing.assert_array_equal(teams.sum(axis=1), took.sum(axis=1) - outside)
    # run i depends only on (seed, i): runs 5.. alone equal the same runs of the batch
    np.testing.assert_array_equal(sim.statistics((), n_runs=3, run_offset=5), stats[5:8])


def test_distance_scales_weights_and_constant_statistics(observed):
    rng = np.random.default_rng(0)
    k = len(observed.names)
    reference = observed.values + rng.normal(0, 1, (400, k))
    const = observed.names.index("order:first_cohort")
    reference[:, const] = 2.0
    d = Distance.fit(observed.names, observed.values, reference)
    assert d(observed.values) == 0.0
    assert d.constant == ("order:first_cohort",)
    assert d.weight[const] == 0
    w = default_weights(observed.names)
    teams = [i for i, n in enumerate(observed.names) if n.startswith("team:")]
    assert w[teams].sum() == pytest.approx(2.0)
    # one scale off in one used statistic moves the distance by sqrt(w_k / sum w)
    shifted = observed.values.copy()
    i = observed.names.index("team_leaders")
    shifted[i] += d.scale[i]
    assert d(shifted) == pytest.approx(np.sqrt(d.weight[i] / d.weight.sum()))
