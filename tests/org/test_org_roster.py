"""Roster import and export."""

from __future__ import annotations

import pytest

from diffusion.errors import InputError
from diffusion.org.graph import managers
from diffusion.org.roster import RosterError, read_roster, write_roster
from diffusion.vocabulary import DEFAULT_TIE_WEIGHTS

ROSTER = """id,department,team,role,manager_id,cluster,name
sec,,,secretary,,,
hA,A,,head,sec,,
lead1,A,T1,team_leader,hA,,
e1,A,T1,employee,lead1,x,Ann
e2,A,T1,employee,lead1,x,
e3,A,T1,policy_officer,lead1,y,
hB,B,T2,head,sec,,
e4,B,T2,employee,hB,,
"""


def write(tmp_path, text, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_derived_ties(tmp_path):
    G = read_roster(write(tmp_path, ROSTER))
    kind = {frozenset((u, v)): d["kind"] for u, v, d in G.edges(data=True)}
    assert managers(G) == {
        "hA": "sec",
        "lead1": "hA",
        "e1": "lead1",
        "e2": "lead1",
        "e3": "lead1",
        "hB": "sec",
        "e4": "hB",
    }
    assert kind[frozenset(("e1", "e2"))] == "cluster"
    assert kind[frozenset(("e1", "e3"))] == "team"
    assert kind[frozenset(("e1", "lead1"))] == "line"  # line beats team
    assert kind[frozenset(("hA", "hB"))] == "mt"
    assert kind[frozenset(("lead1", "hB"))] == "team_leaders_forum"  # hB leads T2
    assert frozenset(("e1", "e4")) not in kind  # no department ties are derived
    assert len(kind) == 7 + 1 + 2 + 1 + 1  # lines, cluster, team (e1-e3, e2-e3), mt, forum
    assert G.nodes["e1"] == {
        "kind": "staff",
        "department": "A",
        "team": "T1",
        "cluster": "x",
        "role": "employee",
        "side": "soft",
        "name": "Ann",
    }
    assert G.edges["e1", "e2"]["weight"] == DEFAULT_TIE_WEIGHTS["cluster"]


def test_ties_file_replaces_derived_ties(tmp_path):
    roster = write(tmp_path, ROSTER)
    ties = write(
        tmp_path,
        "source,target,kind,weight,weight_down,weight_up\n"
        "e1,e4,project,0.9,,\ne1,e2,cluster,,,\nlead1,e1,line,,0.5,0.25\n",
        "ties.csv",
    )
    G = read_roster(roster, ties)
    assert G.number_of_edges() == 7 + 2
    assert G.edges["e1", "e4"] == {"kind": "project", "weight": 0.9}
    assert G.edges["e1", "e2"]["weight"] == DEFAULT_TIE_WEIGHTS["cluster"]
    assert G.edges["e1", "lead1"]["weight_down"] == 0.5
    assert G.edges["e1", "lead1"]["weight_up"] == 0.25
    derived = read_roster(roster, ties, derive_ties=True)
    assert derived.edges["e1", "e4"]["kind"] == "project"
    assert derived.edges["hA", "hB"]["kind"] == "mt"


def test_export_import_round_trip(el_graph, tmp_path, canon):
    write_roster(el_graph, tmp_path / "r.csv", tmp_path / "r-ties.csv")
    back = read_roster(tmp_path / "r.csv", tmp_path / "r-ties.csv")
    assert canon(back) == canon(el_graph)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-ties.csv", "r.csv"]


BAD_ROSTERS = [
    (
        "id,department,team,role\nsec,,,secretary\n",
        "line 1",
        "missing column 'manager_id'; the roster needs columns id, department, team, role,",
    ),
    (ROSTER + "e2,A,T1,employee,lead1,,\n", "line 10", "duplicate id 'e2' (first on line 6)"),
    (ROSTER + ",A,T1,employee,lead1,,\n", "line 10", "empty id; give every person an id"),
    (ROSTER + "e9,A,T1,boss,lead1,,\n", "line 10", "unknown role 'boss'; use one of employee"),
    (
        ROSTER + "e9,A,T1,employee,nobody,,\n",
        "line 10",
        "unknown manager_id 'nobody' (no person has that id); use the id of a person",
    ),
    (
        ROSTER + "c1,A,T1,employee,c2,,\nc2,A,T1,employee,c1,,\n",
        "line 10",
        "manager cycle c1 -> c2 -> c1; every chain of manager_id must end",
    ),
    (ROSTER + "c1,A,T1,employee,c1,,\n", "line 10", "manager cycle c1 -> c1"),
    (
        "id,department,team,role,manager_id,workload\na,A,T1,employee,,lots\n",
        "line 2",
        "workload 'lots' is not a number in [0, 1]",
    ),
    ("", "line 1", "empty file"),
]


@pytest.mark.parametrize(("text", "place", "message"), BAD_ROSTERS)
def test_bad_roster(tmp_path, text, place, message):
    path = write(tmp_path, text)
    with pytest.raises(RosterError) as info:
        read_roster(path)
    assert str(info.value).startswith(f"{path}: {place}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, InputError)


BAD_TIES = [
    ("source,target\ne1,e2\n", "line 1", "missing column 'kind'; the ties file needs"),
    ("source,target,kind\ne1,e2,friend\n", "line 2", "unknown tie kind 'friend'; use one of"),
    (
        "source,target,kind,weight\ne1,e2,team,heavy\n",
        "line 2",
        "weight must be a number from 0 to 1e+06 (got 'heavy'); write a number such as 0.5",
    ),
    ("source,target,kind\ne1,zz,team\n", "line 2", "unknown target 'zz'; ties must join people"),
    ("source,target,kind\ne1,e1,team\n", "line 2", "a tie from 'e1' to itself"),
    (
        "source,target,kind\ne1,e2,team\ne2,e1,project\n",
        "line 3",
        "a second tie between 'e2' and 'e1' (first on line 2)",
    ),
    ("source,target,kind\ne1,e2,line\n", "line 2", "are not manager and report"),
]


@pytest.mark.parametrize(("text", "place", "message"), BAD_TIES)
def test_bad_ties(tmp_path, text, place, message):
    roster = write(tmp_path, ROSTER)
    ties = write(tmp_path, text, "ties.csv")
    with pytest.raises(RosterError) as info:
        read_roster(roster, ties)
    assert str(info.value).startswith(f"{ties}: {place}: ")
    assert message in str(info.value)


def test_side_kind_workload_columns(tmp_path):
    text = (
        "id,department,team,role,manager_id,side,kind,workload\n"
        "a,A,T1,employee,,hard,staff,0.25\nm,,,mayor,,,board,\n"
    )
    G = read_roster(write(tmp_path, text))
    assert G.nodes["a"]["side"] == "hard" and G.nodes["a"]["workload"] == 0.25
    assert G.nodes["m"]["side"] == "none" and "workload" not in G.nodes["m"]
