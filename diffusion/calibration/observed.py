"""The observed patterns: Table 1 of the field study cell by cell, from the packaged facts.

The same statistics as :mod:`diffusion.calibration.summaries` computes from simulations, made
by the same :func:`~diffusion.calibration.summaries.assemble` from the facts
(:func:`diffusion.org.etten_leur.facts`): the cells of ``observed.cells_by_team`` give the
per-team counts, the team leaders, the cells and pairs; ``observed.patterns`` gives the two
numbers the text states (policy officers, hard-side entries of 2018); ``known_order`` the
order (two in LC1, both of T8; T8's leader at LC3; T11's first at LC8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.calibration.summaries import OrderFacts, Parts, assemble, statistic_names


@dataclass(frozen=True, eq=False)
class Observed:
    """A vector of summary statistics to fit.

    Attributes
    ----------
    names : tuple of str
        Statistic names (:func:`~diffusion.calibration.summaries.statistic_names`).
    values : float64 array ``(statistics,)``
    teams : tuple of str
        The teams, in the order of the ``team:`` statistics.
    source : str
        Where the values come from (``"facts"``, or ``"simulated at ..."`` for tests).
    """

    names: tuple[str, ...]
    values: np.ndarray
    teams: tuple[str, ...]
    source: str = "facts"

    def __getitem__(self, name: str) -> float:
        return float(self.values[self.names.index(name)])

    def team_counts(self) -> dict[str, int]:
        """Participants per team, ``{team: count}``."""
        return {t: round(self[f"team:{t}"]) for t in self.teams}


def parse_cell(cell: str) -> tuple[int, bool]:
    """People in one Table 1 cell and whether the team leader is among them.

    ``"mw"`` one employee, ``"mw*2"`` two, ``"tl+mw"`` the team leader and an employee; a
    name in brackets (``"tl(M)"``) is ignored.

    Examples
    --------
    >>> parse_cell("mw*2"), parse_cell("tl+mw"), parse_cell("tl(P)")
    ((2, False), (2, True), (1, True))
    """
    size, leader = 0, False
    for item in cell.split("+"):
        role, _, times = item.split("(")[0].partition("*")
        size += int(times) if times else 1
        leader |= role.strip() == "tl"
    return size, leader


def observed_cells(facts: Mapping[str, Any]) -> np.ndarray:
    """Table 1's cell sizes, float64 ``(teams, cells)`` (zeros after a team's last cell).

    Raises
    ------
    ValueError
        When the cells of a team do not add up to its count in ``trained_by_team``.
    """
    teams = [t for v in facts["departments"].values() for t in v["teams"]]
    obs = facts["observed"]
    cells = {t: [parse_cell(c)[0] for c in obs["cells_by_team"].get(t, [])] for t in teams}
    sizes = np.zeros((len(teams), max(len(c) for c in cells.values())))
    for k, t in enumerate(teams):
        sizes[k, : len(cells[t])] = cells[t]
        if sizes[k].sum() != obs["trained_by_team"][t]:
            raise ValueError(
                f"Table 1: the cells of {t} add up to {sizes[k].sum():g}, "
                f"its count is {obs['trained_by_team'][t]}"
            )
    return sizes


def observed_from_facts(facts: Mapping[str, Any]) -> Observed:
    """Table 1's patterns from the facts.

    Parameters
    ----------
    facts : mapping
        As returned by :func:`diffusion.org.etten_leur.facts`.

    Returns
    -------
    Observed

    Raises
    ------
    ValueError
        When the cells of a team do not add up to its count in ``trained_by_team``.
    """
    departments = {d: tuple(v["teams"]) for d, v in facts["departments"].items()}
    teams = tuple(t for ts in departments.values() for t in ts)
    soft = [i for i, v in enumerate(facts["departments"].values()) if v.get("side") == "soft"]
    hard_teams = {
        t for v in facts["departments"].values() if v.get("side") != "soft" for t in v["teams"]
    }
    obs = facts["observed"]
    order = OrderFacts.from_facts(facts)
    cells = {t: [parse_cell(c) for c in obs["cells_by_team"].get(t, [])] for t in teams}
    sizes = observed_cells(facts)
    led = [t for t in teams if any(tl for _, tl in cells[t])]
    values = assemble(
        Parts(
            team_counts=sizes.sum(axis=1),
            cell_sizes=sizes,
            team_leaders=np.float64(len(led)),
            hard_team_leaders=np.float64(len([t for t in led if t in hard_teams])),
            leader_first=np.float64(len([t for t in led if cells[t][0][1]])),
            heads_or_secretary=np.float64(0.0),  # Table 1 lists only employees and leaders
            policy_officers=np.float64(obs["patterns"]["policy_officers"]),
            hard_from_2018=np.float64(obs["patterns"]["hard_from_2018"]),
            first_cohort=np.float64(order.first_cohort_participants),
            regular_inflow=np.float64(1.0),  # "regular inflow from 2017": every cohort had some
            leader_at=np.ones(len(order.leader_at)),
            first_at=np.ones(len(order.first_at)),
        ),
        teams,
        [[teams.index(t) for t in ts] for ts in departments.values()],
        soft,
    )
    return Observed(statistic_names(teams, departments, order), values, teams, "facts")


def pseudo_observed(like: Observed, values: np.ndarray, source: str) -> Observed:
    """Pseudo-observed data.

    Simulated statistics ``(statistics,)`` in the place of ``like``'s (to test that a calibration
    recovers the parameters it was simulated with).
    """
    return Observed(like.names, np.asarray(values, dtype=np.float64), like.teams, source)
