"""The distance between simulated and observed statistics: a weighted, scaled Euclidean one.

``d(s) = sqrt(sum_k w_k ((s_k - o_k) / c_k)^2 / sum_k w_k)``

Scales ``c_k``
    The standard deviation of statistic ``k`` over the prior predictive (all simulations of
    the calibration's first stage, or a pilot), so that a statistic's typical spread counts
    as one unit whatever its own unit (people, shares, 0/1). A statistic that never varies
    under the prior (``c_k = 0``: in the built-in baseline the first cohort's 2 seats, T8's
    leader placed at LC3, a participant in every cohort) carries no information about the
    parameters; it is left out (``w_k = 0``) and reported as constant.
Weights ``w_k`` (:data:`BLOCK_WEIGHTS`)
    Each block of statistics gets a total weight, split evenly over its members where said:
    the 14 team counts together weigh 2 (the raw data of Table 1, but noisy one by one), the
    4 department counts 1, each concentration share 1, the team leaders, the hard-side team
    leaders, the teams whose first participant is their leader, the cells and the pairs 1
    each, T8's and T11's cells and pairs 1 together, the hard side's late entry 1, and the
    absence of cells of three, of heads and of policy officers 0.5 each, like each known-order
    fact (one anecdote each; a 0/1 statistic whose mismatch is several scales wide). The
    department counts and shares are functions of the team counts: their weight is the
    emphasis given to the soft/hard split and to clustering, which Table 1's text stresses.
    A key ending in ``:`` is a prefix; any other key is one statistic's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from diffusion.errors import InputError

#: statistic-name prefix -> (total weight of the block, split evenly)
BLOCK_WEIGHTS: dict[str, tuple[float, bool]] = {
    "team:": (2.0, True),
    "department:": (1.0, True),
    "share:": (1.0, False),
    "team_leaders": (1.0, False),
    "hard_team_leaders": (1.0, False),
    "leader_first": (1.0, False),
    "cells": (1.0, False),
    "pairs": (1.0, False),
    "cells_3plus": (0.5, False),
    "cells:": (0.5, True),
    "pairs:": (0.5, True),
    "heads_or_secretary": (0.5, False),
    "policy_officers": (0.5, False),
    "hard_from_2018": (1.0, False),
    "order:": (0.5, False),
}


def default_weights(names: Sequence[str]) -> np.ndarray:
    """Weights ``(statistics,)`` from :data:`BLOCK_WEIGHTS` (``True``: split over the block)."""
    out = np.zeros(len(names))
    for key, (total, split) in BLOCK_WEIGHTS.items():
        members = [
            i for i, n in enumerate(names) if (n.startswith(key) if key.endswith(":") else n == key)
        ]
        if members:
            out[members] = total / len(members) if split else total
    return out


@dataclass(frozen=True, eq=False)
class Distance:
    """A scaled, weighted Euclidean distance to the observed statistics.

    Attributes
    ----------
    names : tuple of str
        Statistic names.
    observed : float array ``(statistics,)``
    scale : float array ``(statistics,)``
        ``c_k``, in each statistic's unit; 0 for a constant statistic.
    weight : float array ``(statistics,)``
        ``w_k``; 0 for statistics left out.
    """

    names: tuple[str, ...]
    observed: np.ndarray
    scale: np.ndarray
    weight: np.ndarray

    @classmethod
    def fit(
        cls,
        names: Sequence[str],
        observed: np.ndarray,
        reference: np.ndarray,
        weights: Mapping[str, float] | None = None,
    ) -> Distance:
        """Scales from ``reference`` ``(simulations, statistics)`` (the prior predictive).

        ``weights`` overrides :func:`default_weights` by statistic name.

        Raises
        ------
        InputError
            When no statistic varies over ``reference`` (too few simulations).
        """
        reference = np.asarray(reference, dtype=np.float64).reshape(-1, len(names))
        scale = reference.std(axis=0)
        scale = np.where(scale > 1e-12, scale, 0.0)
        weight = default_weights(names)
        for name, w in (weights or {}).items():
            weight[list(names).index(name)] = w
        weight = np.where(scale > 0, weight, 0.0)
        if not weight.any():
            raise InputError(
                "--simulations", "", "no statistic varied over the simulations: give more"
            )
        return cls(tuple(names), np.asarray(observed, np.float64), scale, weight)

    def __call__(self, stats: np.ndarray) -> np.ndarray:
        """Distances ``(...)`` of statistics ``(..., statistics)`` to the observed ones."""
        used = self.weight > 0
        z = (np.asarray(stats, np.float64)[..., used] - self.observed[used]) / self.scale[used]
        return np.sqrt((self.weight[used] * z**2).sum(axis=-1) / self.weight[used].sum())

    @property
    def constant(self) -> tuple[str, ...]:
        """Statistics left out because they never varied under the prior."""
        return tuple(n for n, c in zip(self.names, self.scale, strict=True) if c == 0)

    def rows(self) -> list[dict[str, object]]:
        """One row per statistic: name, observed, scale, weight, used."""
        return [
            {
                "statistic": n,
                "observed": round(float(o), 4),
                "scale": round(float(c), 4),
                "weight": round(float(w), 4),
                "used": bool(w > 0),
            }
            for n, o, c, w in zip(self.names, self.observed, self.scale, self.weight, strict=True)
        ]
