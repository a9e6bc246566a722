"""Scenario events -> engine events: cohorts and quotas, ties, model actions."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from diffusion.events import AddTies, Batch, Cohort, ModelAction, RemoveTies
from diffusion.scenario.build import build_study, load_org
from diffusion.scenario.events import CutTies, team_members
from diffusion.scenario.load import load_scenario
from diffusion.scenario.schema import Organisation


@pytest.fixture(scope="module")
def org():
    return load_org(Organisation(builtin="etten-leur", seed=0))


def study_of(small, write, events=(), cohorts=None):
    small["events"] = list(events)
    if cohorts is not None:
        small["cohorts"] = cohorts
    return build_study(load_scenario(write(small)).scenario)


def test_quotas_become_one_cohort_per_group(small, write, org):
    cohorts = [
        {"name": "Q", "date": dt.date(2015, 3, 1), "quotas": {"department": {"O": 2, "B": 1}}},
        {"name": "P", "date": dt.date(2015, 3, 1), "quotas": {"role": {"policy_officer": 3}}},
        {"name": "I", "date": dt.date(2015, 3, 1), "seats": 2, "ids": ["T8-lead"]},
    ]
    events = study_of(small, write, cohorts=cohorts).events
    assert [(e.name, e.seats) for e in events] == [
        ("Q:O", 2),
        ("Q:B", 1),
        ("P:policy_officer", 3),
        ("I", 2),
    ]
    assert np.array_equal(events[0].candidates, org.mask("department", "O"))
    assert np.array_equal(events[2].candidates, org.mask("role", "policy_officer"))
    assert events[3].include == (org.index["T8-lead"],)


def test_quota_cohorts_fill_their_seats_from_their_group(small, write, org):
    cohorts = [
        {"name": "Q", "date": dt.date(2015, 3, 1), "quotas": {"department": {"O": 2, "B": 1}}}
    ]
    small["calendar"]["end"] = dt.date(2015, 3, 31)
    results = study_of(small, write, cohorts=cohorts).simulate(30, seed=3)
    step = results.record_of_step(8)
    for dept, seats in (("O", 2), ("B", 1), ("C", 0), ("S", 0)):
        took = results.series(("trained", "dropped_out"), "department", dept)[:, step]
        assert np.all(took == seats)


def test_the_2018_top_changes_map_to_model_actions_and_board_ties(small, write, org):
    events = [
        {"kind": "alderman_leaves", "date": dt.date(2015, 5, 1)},
        {"kind": "new_secretary", "date": dt.date(2015, 7, 1), "support": 0.2, "loss": 0.1},
        {"kind": "landscape_shock", "date": dt.date(2015, 8, 1), "side": "hard", "factor": 2.0},
    ]
    got = study_of(small, write, events, cohorts=[]).events
    assert isinstance(got[0], RemoveTies) and got[0].nodes == (org.index["alderman-1"],)
    assert got[1] == ModelAction(got[1].step, "top_change", {"alderman_leaves": True})
    assert got[2].args == {"secretary_support": 0.2, "support_loss": 0.1}
    assert got[3].args == {"factor": 2.0, "side": "hard"}


def test_a_taster_reaches_the_given_number_of_the_unit(small, write, org):
    events = [
        {"kind": "taster_workshop", "date": dt.date(2015, 5, 1), "department": "B", "reached": 20}
    ]
    (taster,) = study_of(small, write, events, cohorts=[]).events
    nodes = np.array(taster.args["nodes"])
    assert taster.action == "taster" and nodes.size == 20
    assert np.all(org.mask("department", "B")[nodes])


def test_a_network_project_ties_every_pair_of_its_members(small, write, org):
    events = [
        {"kind": "network_project", "date": dt.date(2015, 5, 1), "teams": ["T1", "T2", "T14"]},
        {
            "kind": "network_project",
            "date": dt.date(2015, 5, 1),
            "teams": ["T4", "T8"],
            "per_team": 3,
        },
    ]
    leaders, sample = study_of(small, write, events, cohorts=[]).events
    members = {org.index[i] for i in ("T1-lead", "head-O", "T14-lead")}
    assert isinstance(leaders, AddTies) and leaders.kind == "project"
    assert set(leaders.sources) | set(leaders.targets) == members and len(leaders.sources) == 3
    assert len(sample.sources) == 15  # 6 people, every pair


def test_split_cuts_team_ties_across_the_halves_only(org):
    from diffusion.scenario.events import _split
    from diffusion.scenario.schema import Reorganisation

    spec = Reorganisation(kind="reorganisation", date=dt.date(2015, 1, 5), split="T14")
    cut = _split(spec, 0, org)
    assert isinstance(cut, CutTies) and set(cut.first).isdisjoint(cut.second)
    assert set(cut.first) | set(cut.second) == set(team_members(org, "T14").tolist())
    batch = Batch(model=None, org=org, prep=None, state=None, rand=None)  # type: ignore[arg-type]
    batch.refresh = lambda: None  # type: ignore[method-assign]
    cut.apply(batch)
    before, after = org.weight("team").tocoo(), batch.org.weight("team")
    first, second = np.zeros(org.n_nodes, bool), np.zeros(org.n_nodes, bool)
    first[list(cut.first)], second[list(cut.second)] = True, True
    across = (first[before.row] & second[before.col]) | (second[before.row] & first[before.col])
    assert across.any()
    assert after.nnz == before.nnz - across.sum()
    assert not (after.toarray()[np.ix_(first, second)]).any()


def test_merge_adds_team_ties_between_the_merged_teams(small, write, org):
    events = [
        {
            "kind": "reorganisation",
            "date": dt.date(2015, 5, 1),
            "merge": ["T12", "T13"],
            "density": 0.5,
        }
    ]
    (merge,) = study_of(small, write, events, cohorts=[]).events
    t12, t13 = set(team_members(org, "T12").tolist()), set(team_members(org, "T13").tolist())
    assert merge.kind == "team" and all(
        a in t12 and b in t13 for a, b in zip(merge.sources, merge.targets, strict=True)
    )
    assert 0.35 < len(merge.sources) / (len(t12) * len(t13)) < 0.65


def test_cadence_cohorts_are_named_by_date_and_skip_first(small, write):
    small["cadence"] = {"start": dt.date(2015, 6, 1), "per_year": 4, "seats": 2}
    names = [e.name for e in study_of(small, write, cohorts=[]).events if isinstance(e, Cohort)]
    dates = [dt.date.fromisoformat(n[1:]) for n in names]
    assert names[0] == "C2015-06-01" and len(names) == 7
    assert all(91 <= (b - a).days <= 92 for a, b in itertools.pairwise(dates))
    small["cadence"]["skip_first"] = 2
    names_skipped = [e.name for e in study_of(small, write, cohorts=[]).events]
    assert names_skipped == names[2:]


def test_leader_backing_raises_the_named_teams_leaders_support(small, write, org):
    import dataclasses

    from diffusion.rng import RunRandom

    events = [{"kind": "leader_backing", "date": dt.date(2015, 5, 4), "teams": ["T11", "T2"]}]
    study = study_of(small, write, events, cohorts=[])
    (backing,) = study.events
    assert backing.action == "leader_backing" and backing.args["level"] == 0.8
    # no leader backs by chance (p_leader_backs = 0), so only the event sets floors
    model = dataclasses.replace(
        study.model, params=dataclasses.replace(study.model.params, p_leader_backs=0.0)
    )
    prep = model.prepare(org)
    rand = RunRandom(0, np.arange(2))
    state = model.init(org, prep, rand)
    model.act(org, prep, state, backing.step, rand, "leader_backing", **backing.args)
    # T11's team leader, and T2's, whom its head leads ("in one case the team leader is
    # also the department head"); nobody else
    backed = {int(i) for i in np.flatnonzero(state.extra["support_floor"][0] > 0)}
    assert backed == {org.index["T11-lead"], org.index["head-O"]}
    assert np.all(state.extra["support_floor"][:, sorted(backed)] == np.float32(0.8))


def test_forum_ties_exist_only_from_the_forum_start(small, write, org):
    events = [{"kind": "forum_starts", "date": dt.date(2015, 6, 1)}]
    removed, *added = study_of(small, write, events, cohorts=[]).events
    assert isinstance(removed, RemoveTies) and removed.step == 0
    assert removed.kind == "team_leaders_forum" and removed.nodes is None
    # added back at its date: the same pairs with the same weights
    w = org.weight("team_leaders_forum").toarray()
    back = np.zeros_like(w)
    for e in added:
        assert isinstance(e, AddTies) and e.kind == "team_leaders_forum" and e.step > 0
        back[list(e.targets), list(e.sources)] = e.weight
        back[list(e.sources), list(e.targets)] = e.weight
    assert w.any()
    np.testing.assert_array_equal(back, w)
