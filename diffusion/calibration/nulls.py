"""Null recruitment models.

What Table 1 would look like if seats were filled without the model's mechanisms.

Each null is the ideas model with its nomination weights replaced (everything else, the
spreading side and the scenario's events, is the same, so only recruitment differs):

* ``"uniform"``: every eligible staff member (not yet trained, not resistant) is equally
  likely; heads and the secretary included.
* ``"side"``: by soft/hard side only: a hard-side staff member weighs ``w_h`` against 1 on
  the soft side, with ``w_h`` set so that the expected share of participants from the soft
  side equals the observed one (28 of 34), its maximum-likelihood value for draws with
  replacement: ``w_h = N_soft (n - k) / (k N_hard)``, ``k`` soft of ``n`` participants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.calibration.observed import Observed
from diffusion.compile import CompiledOrg
from diffusion.models.base import State
from diffusion.models.ideas import IdeasModel, IdeasPrep, eligible_for_seats
from diffusion.study import Study


@dataclass(frozen=True)
class NullRecruitment(IdeasModel):
    """The ideas model with seats filled by side only (``hard_weight`` 1: uniformly).

    Attributes
    ----------
    hard_weight : float
        Nomination weight of a hard-side staff member; soft-side staff weigh 1.
    """

    hard_weight: float = 1.0

    def nomination_weights(self, org: CompiledOrg, prep: IdeasPrep, state: State) -> np.ndarray:
        """Weights ``(runs, nodes)``.

        ``hard_weight`` on the hard side, 1 elsewhere, for the eligible staff; 0 for everyone else.
        """
        weight = np.where(prep.hard > 0, self.hard_weight, 1.0)
        return np.where(eligible_for_seats(org, state), weight[None, :], 0.0)


def side_weight(org: CompiledOrg, hard: np.ndarray, observed: Observed) -> float:
    """``w_h`` of the ``"side"`` null from the observed soft share (module docstring)."""
    staff = org.is_staff.astype(bool)
    n_hard = int((staff & hard).sum())
    n_soft = int((staff & ~hard).sum())
    k = observed["share:soft"]
    if n_hard == 0 or k <= 0:
        return 1.0
    return float(n_soft * (1.0 - k) / (k * n_hard))


def null_models(study: Study, observed: Observed) -> dict[str, Any]:
    """Return the null models of ``study``'s ideas model, by name (``"uniform"``, ``"side"``).

    Raises
    ------
    ValueError
        When the study's model is not the ideas model.
    """
    model = study.model
    if not isinstance(model, IdeasModel):
        raise ValueError(f"null recruitment models need the ideas model, not {model.name!r}")
    hard = model.prepare(study.org).hard > 0
    return {
        "uniform": NullRecruitment(model.params),
        "side": NullRecruitment(model.params, side_weight(study.org, hard, observed)),
    }
