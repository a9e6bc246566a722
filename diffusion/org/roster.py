"""Read and write an organisation as a roster CSV (one row per person) plus a ties CSV.

Roster columns
    Required: ``id``, ``department``, ``team``, ``role``, ``manager_id`` (empty for people
    without a manager: the secretary, the board, partners). Optional: ``cluster`` (a name
    local to the team), ``side`` (soft, hard, none; default ``soft`` for staff and ``none``
    for others: the roster does not say which departments are hard), ``name``, ``workload``
    (a number in [0, 1]; default: the compile step's), ``kind`` (staff, board, external;
    default ``staff``). Other columns are ignored.

Ties columns
    Required: ``source``, ``target``, ``kind``. Optional: ``weight`` (default: the kind's
    default weight), and for ``line`` rows ``weight_down`` and ``weight_up``. Line ties always
    come from ``manager_id``; a ``line`` row only sets the weights of an existing
    manager-report pair.

Derived ties
    With ``derive_ties`` (the default when no ties file is given) the roster's units give the
    ties: every pair in a cluster (``cluster``), every other pair in a team (``team``), every
    pair of the secretary and heads (``mt``), every pair of team leaders and heads who lead
    a team (``team_leaders_forum``), and the line ties. Department, cross-department, board
    and external ties are not derived (the roster cannot know them): list them in the ties
    file. Without ``derive_ties`` (the default when a ties file is given, as written by
    :func:`write_roster`) the ties file lists every tie but the line ties.
    When rules meet on one pair, :data:`diffusion.org.graph.TIE_PRECEDENCE` decides.

Every problem raises :class:`RosterError`, one line naming the file, the line and the fix.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterator, Mapping
from itertools import groupby
from os import PathLike
from pathlib import Path
from typing import Any

import networkx as nx

from diffusion.budget import check_organisation
from diffusion.errors import InputError, excerpt, together, warn
from diffusion.io import atomic_write
from diffusion.org.graph import add_clique, add_tie, managers, weight_problem
from diffusion.vocabulary import DEFAULT_TIE_WEIGHTS, GRAPH_TIE_KINDS, NODE_KINDS, ROLES, SIDES

ROSTER_COLUMNS: tuple[str, ...] = ("id", "department", "team", "role", "manager_id")
OPTIONAL_COLUMNS: tuple[str, ...] = ("cluster", "side", "name", "workload", "kind")
TIES_COLUMNS: tuple[str, ...] = ("source", "target", "kind")
TIES_WEIGHTS: tuple[str, ...] = ("weight", "weight_down", "weight_up")


class RosterError(InputError):
    """A roster or ties file is wrong."""


def read_roster(
    roster_csv: str | PathLike[str],
    ties_csv: str | PathLike[str] | None = None,
    *,
    derive_ties: bool | None = None,
    weights: Mapping[str, float] | None = None,
) -> nx.Graph:
    """Build an organisation graph from a roster CSV and an optional ties CSV.

    Parameters
    ----------
    roster_csv : path
        One row per person (columns in the module docstring).
    ties_csv : path, optional
        One row per tie.
    derive_ties : bool, optional
        Add cluster, team, MT and forum ties from the units; default: only when no ties
        file is given.
    weights : mapping, optional
        Weights per compiled tie kind for ties that do not give one; defaults to
        :data:`~diffusion.vocabulary.DEFAULT_TIE_WEIGHTS`.

    Returns
    -------
    networkx.Graph
        Nodes in roster order, with the attributes of :mod:`diffusion.org.graph`.

    Raises
    ------
    RosterError
        Missing column, empty or duplicate id, unknown role, kind or side, a workload that is
        not a number in [0, 1], unknown manager, a manager cycle; in the ties file: unknown
        person or tie kind, a weight that is not a number, a duplicate or self tie.
    """
    roster_csv = Path(roster_csv)
    w = DEFAULT_TIE_WEIGHTS | dict(weights or {})
    G = nx.Graph(name=roster_csv.stem)
    boss_of: dict[str, tuple[str, int]] = {}
    problems: list[InputError] = []
    columns: list[str] = []
    refused: set[str] = set()  # ids of rows with a problem of their own (said once)
    try:
        for line, row in _rows(roster_csv, ROSTER_COLUMNS, "the roster needs", columns):
            try:
                node, attrs, boss = _person(roster_csv, line, row, G)
            except RosterError as exc:
                problems.append(exc)
                refused.add(row.get("id", ""))
                continue
            G.add_node(node, **attrs)
            G.nodes[node]["_line"] = line
            if boss:
                boss_of[node] = (boss, line)
    except RosterError as exc:  # the file cannot be read on
        problems.append(exc)
    if not problems and G.number_of_nodes() == 0:
        raise RosterError(
            roster_csv,
            "line 2",
            "no people: the roster has a header but no rows; add a row per person",
        )
    problems += _check_managers(roster_csv, G, boss_of, refused)
    if problems:
        raise together(problems)
    _warn(roster_csv, G, columns)
    for node, (boss, _) in boss_of.items():
        add_tie(
            G,
            node,
            boss,
            "line",
            weight_down=w["line_down"],
            weight_up=w["line_up"],
            manager=boss,
        )
    for node in G:
        del G.nodes[node]["_line"]
    if derive_ties if derive_ties is not None else ties_csv is None:
        check_organisation(G.number_of_nodes(), _derived_ties(G), str(roster_csv))
        _derive(G, w)
    if ties_csv is not None:
        _read_ties(Path(ties_csv), G, w)
    return G


def _rows(
    path: Path, required: tuple[str, ...], need: str, columns: list[str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` of a CSV file after checking its header.

    The header's columns go into ``columns``. Commas, semicolons (as Excel writes CSV in
    many locales) and tabs separate the columns, as the header line shows; UTF-8 with or
    without a byte order mark is read, UTF-16 is refused with a message saying so.
    """
    try:
        with path.open("rb") as raw:
            head = raw.readline(1 << 16)
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(path, "", "no such file") from None
    except OSError as exc:
        raise RosterError(path, "", f"cannot read it: {exc.strerror}") from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        fh.close()
        raise RosterError(
            path,
            "line 1",
            "saved as UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8",
        )
    first = head.decode("utf-8", errors="replace")
    delimiter = next((d for d in ",;\t" if d in first), ",")
    with fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        try:
            header = reader.fieldnames
            if not header:
                raise RosterError(
                    path, "line 1", f"empty file; {need} a header line: {', '.join(required)}"
                )
            header = [h.strip() for h in header]
            reader.fieldnames = header
            if columns is not None:
                columns.extend(header)
            missing = [col for col in required if col not in header]
            if missing:
                names = ", ".join(excerpt(col) for col in missing)
                raise RosterError(
                    path,
                    "line 1",
                    f"missing column{'s' * (len(missing) > 1)} {names}; "
                    f"{need} columns {', '.join(required)}",
                )
            end = 1  # the last line of the row before
            for row in reader:
                start, end = end + 1, reader.line_num
                _check_fields(path, start, end, row, len(header))
                yield end, {k: (v or "").strip() for k, v in row.items() if k}
        except UnicodeDecodeError:
            line, text = _first_undecodable(path)
            raise RosterError(
                path, f"line {line}", f"not UTF-8 text ({text}); save the file as CSV UTF-8"
            ) from None
        except csv.Error as exc:
            raise RosterError(path, f"line {reader.line_num}", f"not a valid CSV: {exc}") from None


def _check_fields(
    path: Path, start: int, end: int, row: dict[str | None, Any], n_columns: int
) -> None:
    """Refuse a row whose values run over several lines or outnumber the header's columns.

    A quote without its closing quote makes the csv reader take the rest of the file as one
    value: the people after it would silently be lost.
    """
    values = [v for k, v in row.items() if k is not None] + list(row.get(None) or ())
    if end > start and any("\n" in v or "\r" in v for v in values if isinstance(v, str)):
        raise RosterError(
            path,
            f"line {start}",
            f"a quoted value runs on to line {end} (a quote without its closing quote?); "
            "close the quote or remove it",
        )
    extra = [v for v in row.get(None) or () if v.strip()]
    if extra:
        raise RosterError(
            path,
            f"line {start}",
            f"{n_columns + len(row[None])} values but the header has {n_columns} columns "
            f"(first extra: {excerpt(extra[0])}); quote values that hold the separator",
        )


def _first_undecodable(path: Path) -> tuple[int, str]:
    """Return the number of the first line of ``path`` that is not UTF-8, and an excerpt of it."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, excerpt(raw[max(exc.start - 8, 0) : exc.start + 4])
    return 1, "?"


def _person(
    path: Path, line: int, row: dict[str, str], G: nx.Graph
) -> tuple[str, dict[str, object], str]:
    place = f"line {line}"
    node = row["id"]
    if not node:
        raise RosterError(path, place, "empty id; give every person an id")
    if any(unicodedata.category(ch) == "Cc" for ch in node):  # line breaks, escapes, NUL
        raise RosterError(
            path,
            place,
            f"id {excerpt(node)} holds a control character; use letters, digits and punctuation",
        )
    if node in G:
        raise RosterError(
            path,
            place,
            f"duplicate id {excerpt(node)} (first on line {G.nodes[node]['_line']}); "
            "give every person a unique id",
        )
    kind = row.get("kind") or "staff"
    role = row["role"]
    side = row.get("side") or ("soft" if kind == "staff" else "none")
    for what, value, allowed in (
        ("kind", kind, NODE_KINDS),
        ("role", role, ROLES),
        ("side", side, SIDES),
    ):
        if value not in allowed:
            raise RosterError(
                path, place, f"unknown {what} {excerpt(value)}; use one of {', '.join(allowed)}"
            )
    attrs: dict[str, object] = {
        "kind": kind,
        "department": row["department"],
        "team": row["team"],
        "cluster": row.get("cluster", ""),
        "role": role,
        "side": side,
    }
    if row.get("name"):
        attrs["name"] = row["name"]
    if row.get("workload"):
        workload = _number(row["workload"])
        if workload is None or not 0.0 <= workload <= 1.0:
            raise RosterError(
                path,
                place,
                f"workload {excerpt(row['workload'])} is not a number in [0, 1]; "
                "write e.g. 0.5 or leave it empty",
            )
        attrs["workload"] = workload
    return node, attrs, row["manager_id"]


def _check_managers(
    path: Path, G: nx.Graph, boss_of: dict[str, tuple[str, int]], refused: set[str]
) -> list[RosterError]:
    """Every unknown manager and every manager cycle.

    A manager whose own row has a problem (in ``refused``) is not unknown: that row's
    problem is said, not one more for each of the people they manage.
    """
    problems = []
    for boss, line in boss_of.values():
        if boss not in G and boss not in refused:
            problems.append(
                RosterError(
                    path,
                    f"line {line}",
                    f"unknown manager_id {excerpt(boss)} (no person has that id); "
                    "use the id of a person in the roster, or leave it empty",
                )
            )
    done: set[str] = set()
    for start in boss_of:
        path_seen: list[str] = []
        node = start
        while node in boss_of and node not in done:
            if node in path_seen:
                cycle = [*path_seen[path_seen.index(node) :], node]
                problems.append(
                    RosterError(
                        path,
                        f"line {boss_of[node][1]}",
                        f"manager cycle {' -> '.join(cycle)}; every chain of manager_id must "
                        "end at a person with an empty manager_id",
                    )
                )
                break
            path_seen.append(node)
            node = boss_of[node][0]
        done.update(path_seen)
    return problems


#: most warnings of one kind printed for a roster
MAX_WARNINGS = 10


def _warn(path: Path, G: nx.Graph, columns: list[str]) -> None:
    """Warn about what is allowed but probably not meant.

    No side column (all staff soft), departments and teams of one person (often a misspelt name).
    """
    if "side" not in columns:
        warn(
            path,
            "line 1",
            "no side column: all staff are treated as the soft side; add a side column "
            "(soft or hard) to tell the hard side apart",
        )
    for grouping in ("department", "team"):
        members: dict[str, list[int]] = {}
        for _, d in G.nodes(data=True):
            if d["kind"] == "staff" and d[grouping]:
                members.setdefault(d[grouping], []).append(d["_line"])
        alone = [(name, lines[0]) for name, lines in members.items() if len(lines) == 1]
        for name, line in alone[:MAX_WARNINGS]:
            warn(
                path,
                f"line {line}",
                f"{grouping} {excerpt(name)} has one person; check the spelling of its name "
                f"(a one-person {grouping} has no colleagues in it to learn from)",
            )
        if len(alone) > MAX_WARNINGS:
            warn(path, "", f"and {len(alone) - MAX_WARNINGS} more one-person {grouping}s")


def _derived_ties(G: nx.Graph) -> int:
    """How many ties :func:`_derive` makes at most, before it makes them.

    Every pair in a team, of the management team and of the forum, and the line ties.
    """
    sizes: dict[str, int] = {}
    top = 0
    for _, d in G.nodes(data=True):
        if d["kind"] == "staff" and d["team"]:
            sizes[d["team"]] = sizes.get(d["team"], 0) + 1
        top += d["role"] in ("secretary", "head", "team_leader")
    pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    return pairs + top * (top - 1) // 2 + int(G.number_of_nodes())


def _derive(G: nx.Graph, w: Mapping[str, float]) -> None:
    """Add cluster, team, MT and forum ties from the units of the people in ``G``."""
    staff = [(d["team"], d["cluster"], n) for n, d in G.nodes(data=True) if d["kind"] == "staff"]
    staff.sort(key=lambda t: (t[0], t[1]))
    for _, grouped in groupby((s for s in staff if s[0]), key=lambda t: t[0]):
        members = list(grouped)
        for cluster, inside in groupby(members, key=lambda t: t[1]):
            if cluster:
                add_clique(G, (n for *_, n in inside), "cluster", w["cluster"])
        add_clique(G, (n for *_, n in members), "team", w["team"])
    roles = nx.get_node_attributes(G, "role")
    teams = nx.get_node_attributes(G, "team")
    mt = [n for n, r in roles.items() if r in ("secretary", "head")]
    forum = [n for n, r in roles.items() if r == "team_leader" or (r == "head" and teams[n])]
    add_clique(G, mt, "mt", w["mt"])
    add_clique(G, forum, "team_leaders_forum", w["team_leaders_forum"])


def _read_ties(path: Path, G: nx.Graph, w: Mapping[str, float]) -> None:
    first_line: dict[frozenset[str], int] = {}
    problems: list[InputError] = []
    try:
        for line, row in _rows(path, TIES_COLUMNS, "the ties file needs"):
            try:
                _tie(path, line, row, G, w, first_line)
            except RosterError as exc:
                problems.append(exc)
    except RosterError as exc:  # the file cannot be read on
        problems.append(exc)
    if problems:
        raise together(problems)


def _tie(
    path: Path,
    line: int,
    row: dict[str, str],
    G: nx.Graph,
    w: Mapping[str, float],
    first_line: dict[frozenset[str], int],
) -> None:
    """Add the tie of one row of a ties file."""
    place = f"line {line}"
    u, v, kind = row["source"], row["target"], row["kind"]
    for end, node in (("source", u), ("target", v)):
        if node not in G:
            raise RosterError(
                path,
                place,
                f"unknown {end} {excerpt(node)}; ties must join people of the roster",
            )
    if u == v:
        raise RosterError(path, place, f"a tie from {excerpt(u)} to itself; remove the row")
    if kind not in GRAPH_TIE_KINDS:
        raise RosterError(
            path,
            place,
            f"unknown tie kind {excerpt(kind)}; use one of {', '.join(GRAPH_TIE_KINDS)}",
        )
    given: dict[str, float] = {}
    for col in TIES_WEIGHTS:
        if row.get(col):
            value = _number(row[col])
            problem = weight_problem(value if value is not None else row[col])
            if problem is not None:
                raise RosterError(
                    path,
                    place,
                    f"{col} {problem}; write a number such as 0.5, "
                    "or leave it empty for the default",
                )
            given[col] = float(row[col])
    pair = frozenset((u, v))
    if pair in first_line:
        raise RosterError(
            path,
            place,
            f"a second tie between {excerpt(u)} and {excerpt(v)} "
            f"(first on line {first_line[pair]}); "
            "a pair has one tie: keep one row",
        )
    first_line[pair] = line
    if kind == "line":
        d = G.edges[u, v] if G.has_edge(u, v) else {}
        if d.get("kind") != "line":
            raise RosterError(
                path,
                place,
                f"{excerpt(u)} and {excerpt(v)} are not manager and report; "
                "line ties come from manager_id in the roster: fix manager_id or the kind",
            )
        d["weight_down"] = given.get("weight_down", given.get("weight", d["weight_down"]))
        d["weight_up"] = given.get("weight_up", given.get("weight", d["weight_up"]))
    else:
        directed = [col for col in ("weight_down", "weight_up") if col in given]
        if directed:
            raise RosterError(
                path,
                place,
                f"{directed[0]} is for line ties (a manager and their report), and this is a "
                f"{kind} tie; give its weight in the weight column",
            )
        add_tie(G, u, v, kind, given.get("weight", w[kind]))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def write_roster(
    G: nx.Graph, roster_path: str | PathLike[str], ties_path: str | PathLike[str]
) -> None:
    """Write ``G`` as a roster CSV and a ties CSV (each written atomically).

    The ties file lists every tie, line ties included (with their weights), so
    ``read_roster(roster_path, ties_path)`` gives back the same people and ties.
    """
    bosses = managers(G)
    columns = ROSTER_COLUMNS + OPTIONAL_COLUMNS
    with atomic_write(roster_path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        for n, d in G.nodes(data=True):
            person = {k: d.get(k, "") for k in columns}
            person["id"] = str(n)
            person["manager_id"] = str(bosses[n]) if n in bosses else ""
            if "workload" in d:
                person["workload"] = repr(float(d["workload"]))
            out.writerow([person[k] for k in columns])
    with atomic_write(ties_path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(TIES_COLUMNS + TIES_WEIGHTS)
        for u, v, d in G.edges(data=True):
            kind = d.get("kind", "team")
            if kind == "line":
                boss = str(d["manager"])
                report = v if str(u) == boss else u
                row = [boss, str(report), kind, ""]
                row += [repr(float(d["weight_down"])), repr(float(d["weight_up"]))]
            else:
                weight = d.get("weight")
                row = [str(u), str(v), kind, "" if weight is None else repr(float(weight)), "", ""]
            out.writerow(row)
