"""The observed summary statistics: Table 1 of the field study, from the packaged facts.

The same statistics as :mod:`diffusion.calibrate.summaries` computes from simulations, made
by the same :func:`~diffusion.calibrate.summaries.assemble` from the facts
(:func:`diffusion.org.etten_leur.facts`): 34 participants in 14 teams, four team leaders,
two in the first cohort, participants in every listed cohort from 2017 on, T8's leader at LC3
and T11's first participant at LC8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.calibrate.summaries import OrderFacts, assemble, statistic_names


@dataclass(frozen=True, eq=False)
class Observed:
    """A vector of summary statistics to fit.

    Attributes
    ----------
    names : tuple of str
        Statistic names (:func:`~diffusion.calibrate.summaries.statistic_names`).
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


def observed_from_facts(facts: Mapping[str, Any]) -> Observed:
    """Table 1's statistics from the facts.

    Parameters
    ----------
    facts : mapping
        As returned by :func:`diffusion.org.etten_leur.facts`.

    Returns
    -------
    Observed
    """
    departments = {d: tuple(v["teams"]) for d, v in facts["departments"].items()}
    teams = tuple(t for ts in departments.values() for t in ts)
    soft = [i for i, v in enumerate(facts["departments"].values()) if v.get("side") == "soft"]
    obs = facts["observed"]
    order = OrderFacts.from_facts(facts)
    by_team = obs["trained_by_team"]
    values = assemble(
        np.array([by_team[t] for t in teams], dtype=np.float64),
        [[teams.index(t) for t in ts] for ts in departments.values()],
        soft,
        np.float64(sum(obs["team_leaders_trained"].values())),
        np.float64(order.first_cohort_participants),
        np.float64(1.0),  # "regular inflow from 2017": every listed cohort had participants
        np.ones(len(order.leader_at)),
        np.ones(len(order.first_at)),
    )
    return Observed(statistic_names(teams, departments, order), values, teams, "facts")


def pseudo_observed(like: Observed, values: np.ndarray, source: str) -> Observed:
    """Pseudo-observed data: simulated statistics ``(statistics,)`` in the place of ``like``'s
    (to test that a calibration recovers the parameters it was simulated with)."""
    return Observed(like.names, np.asarray(values, dtype=np.float64), like.teams, source)
