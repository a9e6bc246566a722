"""A filled-in example roster: the starting point for a client's own organisation.

``diffusion org --template FILE`` writes :func:`template_rows` as a roster CSV, and
``examples/roster.csv`` is the same file: a fictional municipality of 40 people in two
departments (a soft, social one and a hard, physical one), four teams with clusters, a
secretary, two heads and four team leaders. Every column of the roster format
(``docs/roster.md``) appears in it, so a consultant can replace the rows and keep the
header.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

from diffusion.org.roster import OPTIONAL_COLUMNS, ROSTER_COLUMNS

#: the template's columns, required ones first
COLUMNS: tuple[str, ...] = ROSTER_COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if c != "kind")

#: (department, side, head's name, [(team, team leader's name, [(cluster, staff names)])])
_UNITS: tuple[tuple[str, str, str, tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]], ...]
_UNITS = (
    (
        "Social",
        "soft",
        "Hanna de Wit",
        (
            (
                "Youth",
                "Ravi Bakker",
                (
                    ("intake", "Sara Jansen,Tom Visser,Lotte Smit,Sven de Jong"),
                    ("care", "Ahmed Bos,Eva Mulder,Jan Hendriks,Kim Hoekstra"),
                ),
            ),
            (
                "Income",
                "Mila Dekker",
                (
                    ("benefits", "Noah Vos,Fleur Peters,Daan Kok,Iris Meijer,Omar El Amrani"),
                    ("debt", "Sem Koster,Anna Prins,Bram Veenstra,Lieke Wouters"),
                ),
            ),
        ),
    ),
    (
        "Physical",
        "hard",
        "Karel Brouwer",
        (
            (
                "Roads",
                "Lisa van Dijk",
                (
                    (
                        "maintenance",
                        "Tim de Graaf,Julia Kuipers,Luuk Schouten,Emma Post,Rik Jacobs",
                    ),
                    ("design", "Finn Willems,Nina Boer,Tess van der Berg"),
                ),
            ),
            (
                "Permits",
                "Joris Maas",
                (
                    ("building", "Sophie van Leeuwen,Mats Bosman,Roos Dijkstra,Zoë Verbeek"),
                    ("environment", "Lars Huisman,Yara Kramer,Ruben Vermeulen,Gijs Smits"),
                ),
            ),
        ),
    ),
)
#: people in each cluster who are policy officers (the rest are employees)
_POLICY_OFFICERS = frozenset({"Lotte Smit", "Bram Veenstra", "Nina Boer", "Ruben Vermeulen"})
#: workload of the busiest teams (the rest leave the column empty: the model's default)
_WORKLOAD = {"Income": "0.7", "Permits": "0.8"}


def template_rows() -> list[dict[str, Any]]:
    """Return the example roster, one dict per person with the keys of :data:`COLUMNS`.

    Returns
    -------
    list of dict
        40 people: ids ``p01`` to ``p40``, managers before their reports.

    Examples
    --------
    >>> rows = template_rows()
    >>> len(rows), rows[0]["role"], rows[0]["manager_id"]
    (40, 'secretary', '')
    >>> sorted({r["side"] for r in rows})
    ['hard', 'soft']
    """
    rows: list[dict[str, Any]] = []

    def add(name: str, **fields: str) -> str:
        pid = f"p{len(rows) + 1:02d}"
        row = dict.fromkeys(COLUMNS, "")
        row.update(id=pid, name=name, **fields)
        rows.append(row)
        return pid

    secretary = add(
        "Petra Willemsen", department="", team="", role="secretary", manager_id="", side="soft"
    )
    for department, side, head_name, teams in _UNITS:
        head = add(
            head_name, department=department, team="", role="head", manager_id=secretary, side=side
        )
        for team, leader_name, clusters in teams:
            leader = add(
                leader_name,
                department=department,
                team=team,
                role="team_leader",
                manager_id=head,
                side=side,
                workload=_WORKLOAD.get(team, ""),
            )
            for cluster, names in clusters:
                for name in names.split(","):
                    add(
                        name,
                        department=department,
                        team=team,
                        cluster=cluster,
                        role="policy_officer" if name in _POLICY_OFFICERS else "employee",
                        manager_id=leader,
                        side=side,
                        workload=_WORKLOAD.get(team, ""),
                    )
    return rows


def template_csv() -> str:
    r"""Return the example roster as CSV text (header first, ``\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(template_rows())
    return buffer.getvalue()


def write_template(path: str | os.PathLike[str]) -> None:
    """Write the example roster to ``path``, a new file (an existing one is never replaced).

    Raises
    ------
    FileExistsError
        When ``path`` exists.
    """
    with open(path, "x", encoding="utf-8", newline="") as fh:
        fh.write(template_csv())
