"""The engine's contract: batching invariance, events, recording, finished runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp

from diffusion.compile import CompiledOrg
from diffusion.engine import simulate
from diffusion.events import AddTies, Cohort, ModelAction, RemoveTies, SetParams, SetState
from diffusion.models.base import Model, Moves, State


def tiny_org(n: int = 12) -> CompiledOrg:
    """A ring of ``n`` people in two departments (first half "A", second half "B")."""
    src = np.arange(n)
    dst = (src + 1) % n
    ring = sp.csr_array(
        (np.ones(2 * n, np.float32), (np.r_[src, dst], np.r_[dst, src])), shape=(n, n)
    )
    dept = (np.arange(n) >= n // 2).astype(np.int16)
    zeros = np.zeros(n, np.int16)
    return CompiledOrg(
        node_ids=tuple(f"p{i}" for i in range(n)),
        weights={"team": ring},
        groups={"department": dept, "team": zeros, "role": zeros, "side": zeros},
        group_labels={"department": ("A", "B"), "team": ("",), "role": ("",), "side": ("",)},
        workload=np.zeros(n, np.float32),
        manager=np.full(n, -1, np.int32),
        is_staff=np.ones(n, bool),
        name="ring",
    )


@dataclass(frozen=True)
class FlipParams:
    p_flip: float = 0.1


@dataclass(frozen=True)
class Flip(Model):
    """Each person in state "off" turns "on" with probability p_flip per step, for good;
    "on" people with an "on" neighbour... stay on. Finished when everyone is on."""

    name = "flip"
    state_names = ("off", "on")
    adopted_states = ("on",)
    cohort_state = "on"
    params: FlipParams = FlipParams()

    def prepare(self, org):
        return {"degree": np.asarray(org.combined.sum(axis=1)).ravel()}

    def init(self, org, prep, rand):
        return State(np.zeros((rand.n_runs, org.n_nodes), np.int8))

    def step(self, org, prep, state, t, rand):
        u = rand.uniform("flip", t, org.n_nodes)
        state.code[(u < self.params.p_flip)] = 1

    def is_finished(self, state):
        return (state.code == 1).all(axis=1)

    def act(self, org, prep, state, t, rand, action, **args):
        if action == "reset":
            state.code[:] = 0
        else:
            super().act(org, prep, state, t, rand, action, **args)


def test_run_i_is_independent_of_batching():
    org = tiny_org()
    kwargs = dict(n_runs=1000, n_steps=30, seed=11)
    one = simulate(Flip(), org, batch_size=1000, threads=1, **kwargs)
    tens = simulate(Flip(), org, batch_size=100, threads=2, **kwargs)
    uneven = simulate(Flip(), org, batch_size=333, threads=2, **kwargs)
    for other in (tens, uneven):
        np.testing.assert_array_equal(one.total, other.total)
        np.testing.assert_array_equal(one.adopted_step, other.adopted_step)
        np.testing.assert_array_equal(one.counts["department"], other.counts["department"])
    # a single run replayed on its own, with run_offset, equals its row in the big batch
    alone = simulate(Flip(), org, n_runs=1, n_steps=30, seed=11, run_offset=417)
    np.testing.assert_array_equal(alone.adopted_step[0], one.adopted_step[417])


@dataclass(frozen=True)
class FlipMoves(Flip):
    """Flip reporting its moves (the engine then follows the counts from them)."""

    name = "flip_moves"
    reports_moves = True
    finished_check_every = 1

    def step(self, org, prep, state, t, rand):
        u = rand.uniform("flip", t, org.n_nodes)
        cells = np.flatnonzero((u < self.params.p_flip) & (state.code == 0))
        state.code.reshape(-1)[cells] = 1
        return [Moves(cells, 0, 1)]


def test_counts_from_reported_moves_equal_counts_from_comparing_states():
    org = tiny_org()
    events = [
        SetState(4, nodes=(0, 5), state="on"),
        ModelAction(9, "reset"),
        SetState(9, nodes=(2,), state="on"),
    ]
    kwargs = dict(n_runs=300, n_steps=40, seed=8, events=events, milestones={"off": ("off",)})
    compared = simulate(Flip(), org, **kwargs)
    for batch_size in (None, 7):
        moved = simulate(FlipMoves(), org, batch_size=batch_size, **kwargs)
        np.testing.assert_array_equal(compared.total, moved.total)
        np.testing.assert_array_equal(compared.counts["department"], moved.counts["department"])
        for name in ("adopted", "off"):
            np.testing.assert_array_equal(compared.first_step[name], moved.first_step[name])
    # the reset at 9 really moved people back (so the comparison at events was exercised)
    assert (compared.total[:, 9, 1] <= 3).all() and (compared.total[:, 8, 1] > 3).any()


@dataclass(frozen=True)
class CountingFlip(Flip):
    """Flip counting its calls of prepare (in a list shared by its copies)."""

    name = "counting_flip"
    calls: list = field(default_factory=list, compare=False)

    def prepare(self, org):
        self.calls.append(org.name)
        return super().prepare(org)


def test_derived_arrays_are_made_once_per_simulation_and_event():
    calls: list = []
    model = CountingFlip(calls=calls)
    events = [SetParams(3, {"p_flip": 0.2}), AddTies(6, kind="team", sources=(0,), targets=(5,))]
    simulate(model, tiny_org(), n_runs=400, n_steps=10, seed=1, batch_size=50, events=events)
    # eight batches share one prepare at the start and one per event that changes the model
    # or the ties
    assert len(calls) == 3


def test_flip_times_are_geometric():
    # adopted_step - 0 is geometric on {1, 2, ...} with p = 0.1 (never at step 0):
    # P(T <= t) = 1 - 0.9**t. 12,000 person-runs; the binomial SE of an empirical CDF value
    # is at most sqrt(0.25 / 12000) = 0.0046, and we allow 4 SE.
    res = simulate(Flip(), tiny_org(), n_runs=1000, n_steps=60, seed=3)
    times = res.adopted_step.ravel()
    for t in (1, 5, 10, 20):
        assert abs(np.mean((times >= 0) & (times <= t)) - (1 - 0.9**t)) < 4 * 0.0046


def test_counts_add_up_and_finished_runs_carry_forward():
    res = simulate(Flip(FlipParams(0.5)), tiny_org(), n_runs=200, n_steps=80, seed=5)
    assert res.total.sum(axis=2).min() == res.total.sum(axis=2).max() == 12
    by_dept = res.counts["department"].sum(axis=2)
    np.testing.assert_array_equal(by_dept, res.total)
    # with p = 0.5 every run finishes long before step 80 (P(not) = 12 * 0.5**72): the last
    # record must show everyone on, though those runs left the loop early
    assert (res.final("on") == 12).all()
    # the series is non-decreasing in every run (no hole where a finished run was dropped)
    assert (np.diff(res.series("on"), axis=1) >= 0).all()


def test_record_every_keeps_the_last_step():
    res = simulate(Flip(), tiny_org(), n_runs=10, n_steps=10, seed=1, record_every=4)
    np.testing.assert_array_equal(res.steps, [0, 4, 8, 10])


def test_events_set_state_params_and_actions():
    org = tiny_org()
    events = [
        SetState(3, nodes=(0, 1), state="on"),
        SetParams(5, {"p_flip": 0.0}),
        ModelAction(20, "reset"),
    ]
    res = simulate(Flip(FlipParams(0.0)), org, n_runs=50, n_steps=30, seed=2, events=events)
    on = res.series("on")
    assert (on[:, :3] == 0).all() and (on[:, 3:20] == 2).all() and (on[:, 20:] == 0).all()
    # adoption steps are noted at the step of the event
    assert (res.adopted_step[:, :2] == 3).all() and (res.adopted_step[:, 2:] == -1).all()


def test_cohort_fills_seats_from_candidates_and_include():
    org = tiny_org()
    candidates = org.mask("department", "B")
    events = [Cohort(0, name="c1", seats=3, candidates=candidates, include=(0,))]
    res = simulate(Flip(FlipParams(0.0)), org, n_runs=400, n_steps=1, seed=9, events=events)
    adopted = res.adopted_step == 0
    assert (adopted.sum(axis=1) == 3).all()
    assert adopted[:, 0].all()
    assert not adopted[:, 1:6].any()
    # the other two seats go uniformly to the 6 people of B: each is chosen with probability
    # 2/6; over 400 runs the SE is sqrt(1/3 * 2/3 / 400) = 0.024, allow 4 SE
    assert np.all(np.abs(adopted[:, 6:].mean(axis=0) - 1 / 3) < 4 * 0.024)


def test_tie_events_change_the_organisation():
    org = tiny_org()
    seen = []

    @dataclass(frozen=True)
    class Spy(Flip):
        def prepare(self, org):
            seen.append({k: w.nnz for k, w in org.weights.items()})
            return super().prepare(org)

    events = [AddTies(2, kind="project", sources=(0,), targets=(6,)), RemoveTies(4, kind="team")]
    simulate(Spy(), org, n_runs=2, n_steps=6, seed=1, events=events, threads=1)
    assert seen == [{"team": 24}, {"team": 24, "project": 2}, {"project": 2}]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="grouping"):
        simulate(Flip(), tiny_org(), n_runs=2, n_steps=2, seed=1, groupings=("nope",))
    with pytest.raises(ValueError, match="no action"):
        simulate(Flip(), tiny_org(), n_runs=2, n_steps=2, seed=1, events=[ModelAction(0, "x")])


def test_milestones_record_first_entry_per_person():
    org = tiny_org()
    events = [SetState(2, nodes=(4,), state="on"), SetState(5, nodes=(4,), state="off")]
    res = simulate(
        Flip(FlipParams(0.0)),
        org,
        n_runs=3,
        n_steps=8,
        seed=1,
        events=events,
        milestones={"off_again": ("off",), "on": ("on",)},
    )
    assert (res.first_step["on"][:, 4] == 2).all() and (res.adopted_step[:, 4] == 2).all()
    # everyone is "off" from the start, so that milestone is step 0 for all
    assert (res.first_step["off_again"] == 0).all()
    with pytest.raises(ValueError, match="no state 'nope'"):
        simulate(Flip(), org, n_runs=1, n_steps=1, seed=1, milestones={"x": ("nope",)})


def test_an_included_person_already_enrolled_frees_the_seat():
    org = tiny_org()
    # person 0 is "on" (the cohort state) before the cohort in every run
    events = [SetState(0, nodes=(0,), state="on"), Cohort(1, name="c", seats=2, include=(0, 1))]
    res = simulate(Flip(FlipParams(0.0)), org, n_runs=200, n_steps=2, seed=4, events=events)
    adopted = res.adopted_step >= 0
    # person 0 keeps the step of their first enrolment; person 1 is enrolled; the seat person 0
    # would have taken goes to one nominated person, so 3 are on in every run
    assert (res.adopted_step[:, 0] == 0).all() and (res.adopted_step[:, 1] == 1).all()
    assert (adopted.sum(axis=1) == 3).all()
