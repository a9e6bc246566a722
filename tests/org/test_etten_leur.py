"""The built-in Etten-Leur organisation and its facts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from diffusion.org.etten_leur import etten_leur, etten_leur_spec, facts
from diffusion.org.graph import team_leaders


def test_facts_ship_with_the_package():
    f = facts()
    assert list(f["departments"]) == ["O", "C", "S", "B"]
    assert f["departments"]["S"]["teams"] == ["T8", "T9", "T10", "T11"]
    assert {d: v["side"] for d, v in f["departments"].items()} == {
        "O": "hard",
        "C": "soft",
        "S": "soft",
        "B": "hard",
    }
    trained = f["observed"]["trained_by_team"]
    assert len(trained) == 14 and sum(trained.values()) == 34
    assert sum(f["observed"]["team_leaders_trained"].values()) == 4
    assert len(f["cohorts"]) == 11
    assert f["cohorts"][0] == {"name": "LC1", "season": "vj 2015", "start": dt.date(2015, 3, 1)}
    may, july = dt.date(2018, 5, 1), dt.date(2018, 7, 1)
    assert [e["when"] for e in f["events"]] == [may, july, may]
    f["organisation"]["name"] = "changed"
    assert facts()["organisation"]["name"] == "Etten-Leur"  # a fresh copy each call


def test_spec_matches_the_facts():
    spec = etten_leur_spec()
    f = facts()
    assert [d.name for d in spec.departments] == list(f["departments"])
    for dept in spec.departments:
        assert [t.name for t in dept.teams] == f["departments"][dept.name]["teams"]
        assert dept.side == f["departments"][dept.name]["side"]
    leading = [t.name for d in spec.departments for t in d.teams if t.leader_is_head]
    assert leading == ["T2"]
    # Moniek's team, loose in department S ("Positie en netwerk": "losse banden")
    loose = [t.name for d in spec.departments for t in d.teams if t.loose_in_department]
    assert loose == ["T9"]


def test_etten_leur_graph(el_graph):
    staff = [d for _, d in el_graph.nodes(data=True) if d["kind"] == "staff"]
    assert 280 <= len(staff) <= 320
    roles = Counter(d["role"] for d in staff)
    assert roles["secretary"] == 1 and roles["head"] == 4 and roles["team_leader"] == 13
    assert roles["policy_officer"] > 20
    teams = {d["team"] for d in staff} - {""}
    assert len(teams) == 14
    leaders = team_leaders(el_graph)
    assert all(len(v) == 1 for v in leaders.values()) and len(leaders) == 14
    assert leaders["T2"] == ["head-O"]
    t14 = {d["cluster"] for d in staff if d["team"] == "T14"} - {""}
    assert len(t14) == 7
    sides = {(d["department"], d["side"]) for d in staff if d["department"]}
    assert sides == {("O", "hard"), ("C", "soft"), ("S", "soft"), ("B", "hard")}
    assert all(d["team"] for d in staff if d["role"] == "policy_officer")
    board = Counter(d["role"] for _, d in el_graph.nodes(data=True) if d["kind"] == "board")
    assert board == {"mayor": 1, "alderman": 4}


def test_named_people(el_graph):
    named = {d["name"]: (n, d) for n, d in el_graph.nodes(data=True) if "name" in d}
    assert set(named) == {"Chris", "Paul", "Moniek", "Anja"}
    chris, d = named["Chris"]
    assert (d["team"], d["role"]) == ("T1", "employee")
    assert el_graph.edges[chris, "alderman-1"]["kind"] == "board"
    assert named["Paul"][0] == "T14-lead" and named["Moniek"][0] == "T9-lead"


def test_staff_count_is_stable_across_seeds():
    counts = {
        s: sum(d["kind"] == "staff" for _, d in etten_leur(s).nodes(data=True)) for s in (1, 2)
    }
    assert counts == {1: 305, 2: 305}  # team sizes are fixed; only ties are drawn
