"""Events refuse wrong arguments when built, and a Study refuses events its model or
organisation cannot take, before any step is simulated."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from diffusion.calendar import Calendar
from diffusion.events import AddTies, Cohort, ModelAction, RemoveTies, SetState
from diffusion.graphs import complete, erdos_renyi, watts_strogatz
from diffusion.models.epidemic import SIR
from diffusion.models.ideas import IdeasModel
from diffusion.org.etten_leur import etten_leur_spec
from diffusion.org.generate import generate
from diffusion.study import Study

CALENDAR = Calendar(dt.date(2020, 1, 6), dt.date(2020, 3, 2))


def study(model, *events, n=5):
    return Study("t", complete(n), model, CALENDAR, events=tuple(events))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: AddTies(0, kind="friends", sources=(0,), targets=(1,)), "unknown tie kind"),
        (lambda: AddTies(0, sources=(0, 1), targets=(1,)), "same length"),
        (lambda: AddTies(0, sources=(-1,), targets=(1,)), "must be >= 0"),
        (lambda: AddTies(0, sources=(0,), targets=(1,), weight=0.0), "positive"),
        (lambda: AddTies(0, sources=("a",), targets=(1,)), "integers"),
        (lambda: RemoveTies(0, kind="boards"), "unknown tie kind"),
        (lambda: SetState(0, nodes=(1,)), "give the state"),
        (lambda: Cohort(0, seats=2, include=(0.5,)), "integers"),
        (lambda: ModelAction(0, ""), "action's name"),
        (lambda: AddTies(-1), "step must be >= 0"),
    ],
)
def test_an_event_refuses_wrong_arguments_when_built(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_buddy_tie_kind_of_the_ideas_model_is_accepted():
    event = AddTies(0, kind="buddy", sources=np.array([0, 1]), targets=np.array([2, 3]))
    assert event.sources == (0, 1) and event.targets == (2, 3)  # stored as plain ints


@pytest.mark.parametrize(
    ("model", "event", "message"),
    [
        (IdeasModel(), ModelAction(0, "top_changes", {}), "has no action 'top_changes'"),
        (IdeasModel(), ModelAction(0, "top_change", {"support": 0.3}), "unexpected argument"),
        (IdeasModel(), ModelAction(0, "top_down_push", {}), "missing argument 'strength'"),
        (IdeasModel(), ModelAction(0, "taster", {"department": "X"}), "unknown department 'X'"),
        (IdeasModel(), ModelAction(0, "taster", {"nodes": [7]}), "position 7"),
        (IdeasModel(), ModelAction(0, "taster", {"nodes": ["nobody"]}), "unknown node id"),
        (IdeasModel(), ModelAction(0, "buddies", {"within": "team", "team": "T1"}), "unexpected"),
        (SIR(), ModelAction(0, "top_change", {}), "has no action"),
        (SIR(), SetState(0, nodes=(0,), state="trained"), "has no state 'trained'"),
        (SIR(), AddTies(0, sources=(0,), targets=(5,)), "position 5"),
        (SIR(), RemoveTies(0, kind="team", nodes=(9,)), "position 9"),
    ],
)
def test_a_study_refuses_events_its_model_or_organisation_cannot_take(model, event, message):
    with pytest.raises(ValueError, match=message):
        study(model, event)
    # the same holds for events given to one simulation
    with pytest.raises(ValueError, match=message):
        study(model).simulate(1, seed=0, events=[event])


def test_valid_events_pass_and_run():
    events = (
        ModelAction(1, "top_change", {"secretary_support": 0.3}),
        ModelAction(2, "taster", {"nodes": [0, 1], "boost": 0.5}),
        ModelAction(3, "landscape_shock", {"factor": 1.5, "nodes": np.ones(5, dtype=bool)}),
        Cohort(1, seats=2, include=(4,)),
    )
    results = study(IdeasModel(), *events).simulate(2, seed=0)
    assert results.n_runs == 2


def test_random_graphs_record_their_seed_and_repeat_with_it():
    a, b = erdos_renyi(200, 4.0, seed=7), erdos_renyi(200, 4.0, seed=7)
    assert a.name == "erdos_renyi(200, 4.0, seed=7)"
    assert (a.combined != b.combined).nnz == 0
    assert (a.combined != erdos_renyi(200, 4.0, seed=8).combined).nnz > 0
    w = watts_strogatz(50, 4, 0.2, seed=3)
    assert w.name == "watts_strogatz(50, 4, 0.2, seed=3)"
    with pytest.raises(TypeError):
        erdos_renyi(200, 4.0)  # type: ignore[call-arg]  # a seed is required
    assert generate(etten_leur_spec(), seed=5).graph["seed"] == 5
