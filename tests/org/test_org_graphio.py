"""Graph files: GraphML, GEXF, rosters; atomic writes."""

from __future__ import annotations

import networkx as nx
import pytest

from diffusion.errors import InputError
from diffusion.io import atomic_write
from diffusion.org.graphio import read_graph, ties_path_for, write_graphml
from diffusion.org.roster import write_roster


def test_graphml_round_trip(el_graph, tmp_path, canon):
    path = tmp_path / "org.graphml"
    write_graphml(el_graph, path)
    assert canon(read_graph(path)) == canon(el_graph)


def test_gexf_keeps_people_and_ties(el_graph, tmp_path):
    path = tmp_path / "org.gexf"
    nx.write_gexf(el_graph, path)
    back = read_graph(path)
    assert set(back) == set(el_graph)
    assert back.nodes["T14-lead"]["name"] == "Paul"
    assert back.edges["T14-lead", "head-B"]["kind"] == "line"
    assert back.number_of_edges() == el_graph.number_of_edges()


def test_csv_reads_roster_with_its_ties(el_graph, tmp_path, canon):
    roster = tmp_path / "staff.csv"
    assert ties_path_for(roster) == tmp_path / "staff-ties.csv"
    write_roster(el_graph, roster, ties_path_for(roster))
    assert canon(read_graph(roster)) == canon(el_graph)


def test_read_graph_errors(tmp_path):
    with pytest.raises(InputError, match=r"unknown graph format '\.txt'"):
        read_graph(tmp_path / "org.txt")
    with pytest.raises(InputError, match="no such file"):
        read_graph(tmp_path / "absent.graphml")
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml><graph")
    with pytest.raises(InputError, match="not valid XML"):
        read_graph(broken)
    G = nx.Graph()
    G.add_edge("a", "b", kind="friendship")
    write_graphml(G, tmp_path / "odd.graphml")
    with pytest.raises(InputError, match=r"odd\.graphml: tie a-b: unknown tie kind 'friendship'"):
        read_graph(tmp_path / "odd.graphml")
    G = nx.Graph()
    G.add_node("a", role="wizard")
    write_graphml(G, tmp_path / "odd.graphml")
    with pytest.raises(InputError, match="node a: unknown role 'wizard'"):
        read_graph(tmp_path / "odd.graphml")


def test_directed_graph_is_read_as_undirected(tmp_path):
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.write_graphml(D, tmp_path / "d.graphml")
    G = read_graph(tmp_path / "d.graphml")
    assert not G.is_directed() and G.number_of_edges() == 2


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("new")
        raise RuntimeError("boom")
    assert target.read_text() == "old" and len(list(tmp_path.iterdir())) == 1
    with atomic_write(target) as fh:
        fh.write("new")
    assert target.read_text() == "new" and len(list(tmp_path.iterdir())) == 1
