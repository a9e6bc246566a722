"""Read an organisation graph from a file of any supported format; write GraphML."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import networkx as nx

from diffusion.errors import InputError, clean, excerpt
from diffusion.io import atomic_write
from diffusion.org.graph import validate_graph
from diffusion.org.roster import read_roster

#: File suffixes :func:`read_graph` understands.
GRAPH_SUFFIXES: tuple[str, ...] = (".graphml", ".gexf", ".csv")


def ties_path_for(roster_path: str | PathLike[str]) -> Path:
    """Where the ties file of a roster lives: ``staff.csv`` -> ``staff-ties.csv``."""
    path = Path(roster_path)
    return path.with_name(f"{path.stem}-ties.csv")


def read_graph(path: str | PathLike[str]) -> nx.Graph:
    """Read an organisation graph, choosing the reader by the file's suffix.

    Parameters
    ----------
    path : path
        ``.graphml`` or ``.gexf`` (read by networkx, node ids as strings; a directed graph is
        made undirected), or ``.csv``, a roster read by
        :func:`~diffusion.org.roster.read_roster` together with its ties file
        (:func:`ties_path_for`) when that exists.

    Raises
    ------
    InputError
        Unknown suffix, missing or unreadable file, or attributes outside the project's
        vocabulary (see :func:`~diffusion.org.graph.validate_graph`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        ties = ties_path_for(path)
        return read_roster(path, ties if ties.exists() else None)
    if suffix not in GRAPH_SUFFIXES:
        raise InputError(
            path, "", f"unknown graph format {suffix!r}; use one of {', '.join(GRAPH_SUFFIXES)}"
        )
    if not path.exists():
        raise InputError(path, "", "no such file")
    _scan_xml(path)
    try:
        if suffix == ".graphml":
            G = nx.read_graphml(path, node_type=str)
        else:
            G = nx.read_gexf(path, node_type=str)
    except (ParseError, nx.NetworkXError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            path, "", f"cannot read it as {suffix[1:]}: {clean(str(exc), 120)}"
        ) from None
    if G.is_directed():
        G = G.to_undirected()
    G.graph.setdefault("name", path.stem)
    validate_graph(G, str(path))
    return G


def _scan_xml(path: Path) -> None:
    """Check what networkx reads without a word.

    Every ``<node>`` has an ``id`` (not given twice), every ``<edge>`` a ``source`` and a ``target``
    that differ.

    Raises
    ------
    InputError
        Naming the line of the first such element, or the XML error.
    """
    parser = expat.ParserCreate()
    seen: dict[str, int] = {}
    problem: list[tuple[int, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        line = parser.CurrentLineNumber
        if problem:
            return
        if tag == "node":
            node = attrs.get("id")
            if not node:
                problem.append((line, 'a <node> without an id; give every node id="..."'))
            elif node in seen:
                problem.append(
                    (
                        line,
                        f"a second node {excerpt(node)} (first on line {seen[node]}); "
                        "ids are unique",
                    )
                )
            else:
                seen[node] = line
        elif tag == "edge":
            u, v = attrs.get("source"), attrs.get("target")
            if not u or not v:
                problem.append((line, "an <edge> without a source or target; give both"))
            elif u == v:
                problem.append((line, f"a tie from {excerpt(u)} to itself; remove the edge"))

    parser.StartElementHandler = start
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise InputError(
            path, f"line {exc.lineno}", f"not valid XML: {expat.ErrorString(exc.code)}"
        ) from None
    except OSError as exc:
        raise InputError(path, "", f"cannot read it: {exc.strerror}") from None
    if problem:
        line, message = problem[0]
        raise InputError(path, f"line {line}", message)


def write_graphml(G: nx.Graph, path: str | PathLike[str]) -> None:
    """Write ``G`` as GraphML, atomically; :func:`read_graph` reads it back unchanged."""
    with atomic_write(path, "wb") as fh:
        nx.write_graphml(G, fh)
