"""The observed statistics and the same statistics from simulations."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.calibration.distance import Distance, default_weights
from diffusion.calibration.simulator import Simulator


def test_observed_statistics_are_table_1(observed, the_facts):
    table = the_facts["observed"]["trained_by_team"]
    assert observed.team_counts() == table
    assert sum(table.values()) == 34
    assert [observed[f"department:{d}"] for d in "OCSB"] == [3, 12, 16, 3]
    assert observed["share:soft"] == pytest.approx(28 / 34)
    assert observed["share:top2"] == pytest.approx((9 + 6) / 34)  # T8 and T4
    assert observed["team_leaders"] == 4
    assert observed["hard_team_leaders"] == 2  # T3 and T14
    assert observed["leader_first"] == 3  # T3 (with an employee), T9, T14
    assert (observed["cells"], observed["pairs"], observed["cells_3plus"]) == (27, 7, 0)
    assert (observed["cells:T8"], observed["pairs:T8"]) == (6, 3)
    assert (observed["cells:T11"], observed["pairs:T11"]) == (5, 0)
    assert observed["heads_or_secretary"] == 0
    assert observed["order:first_cohort"] == 2
    assert observed["order:T8_leader_at_LC3"] == 1
    assert observed["order:T8_first_at_LC1"] == 1
    assert observed["order:T11_first_at_LC8"] == 1


#: Table 1 placed in cohorts by hand: each team's cells (size, leader in it) in the cohorts
#: of one order consistent with the text (T8 starts at LC1 with two, its leader at LC3; T11
#: at LC8; O's and T14's pairs in 2018; every cohort from 2017 on has someone)
HAND_MADE = {
    "T1": [(1, False, "LC5")],
    "T3": [(2, True, "LC19")],
    "T4": [(2, False, "LC5"), (2, False, "LC11"), (1, False, "LC14"), (1, False, "LC16")],
    "T5": [(1, False, "LC8"), (1, False, "LC12")],
    "T6": [(1, False, "LC11"), (1, False, "LC15")],
    "T7": [(1, False, "LC12"), (1, False, "LC16")],
    "T8": [
        (2, False, "LC1"),
        (1, True, "LC3"),
        (1, False, "LC5"),
        (1, False, "LC8"),
        (2, False, "LC14"),
        (2, False, "LC18"),
    ],
    "T9": [(1, True, "LC11")],
    "T10": [(1, False, "LC15")],
    "T11": [(1, False, c) for c in ("LC8", "LC11", "LC12", "LC15", "LC18")],
    "T14": [(1, True, "LC8"), (2, False, "LC18")],
}


def _table_1_first_steps(study, layout) -> np.ndarray:
    """One run placed by hand as Table 1 (:data:`HAND_MADE`), with one policy officer (T4's
    last cell): must give the observed vector."""
    fs = np.full((1, study.org.n_nodes), -1, dtype=np.int32)
    steps = {e.name: e.step for e in study.events if hasattr(e, "seats")}
    leaders = {layout.teams[t]: n for n, t in zip(layout.leaders, layout.leader_team, strict=True)}
    for team, cells in HAND_MADE.items():
        members = np.flatnonzero(layout.team_of == layout.teams.index(team))
        policy = [n for n in members if layout.policy[n]]
        employees = [n for n in members if n != leaders[team] and not layout.policy[n]]
        for k, (size, led, cohort) in enumerate(cells):
            chosen = [leaders[team]] if led else []
            if team == "T4" and k == len(cells) - 1:
                chosen.append(policy[0])
            while len(chosen) < size:
                chosen.append(employees.pop())
            fs[0, chosen] = steps[cohort]
    return fs


def test_statistics_of_a_hand_made_run_equal_the_observed(study, layout, observed):
    fs = _table_1_first_steps(study, layout)
    stats = layout.statistics(fs)
    assert layout.names == observed.names
    np.testing.assert_allclose(stats[0], observed.values)
    # a participant after the cut-off does not count
    late = fs.copy()
    late[0, np.flatnonzero(late[0] < 0)[0]] = layout.cutoff_step + 1
    np.testing.assert_allclose(layout.statistics(late)[0], observed.values)
    # moving one of T11's participants into the cohort of another makes a pair of one cell
    paired = fs.copy()
    t11 = np.flatnonzero((layout.team_of == layout.teams.index("T11")) & (fs[0] >= 0))
    paired[0, t11[1]] = fs[0, t11[0]]
    got = dict(zip(layout.names, layout.statistics(paired)[0], strict=True))
    assert (got["cells"], got["pairs"], got["pairs:T11"]) == (26, 8, 1)


def test_simulated_runs_fill_the_seats(study, layout):
    from diffusion.calibration.summaries import MILESTONE, TOOK_COURSE
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
