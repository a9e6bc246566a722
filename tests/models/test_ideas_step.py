"""The ideas model's step as the engine sees it: its reported moves are every change.

The step reports who moved (``IdeasModel.reports_moves``) so that the engine need not
compare the states every week; these tests run the same simulation with the engine finding
the changes itself (a model that reports nothing) and ask for identical records, first
steps included, with events that change states between steps (cohorts, seeding, a taster,
``SetState``) and a re-prepare mid-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from diffusion.engine import simulate
from diffusion.models.ideas import IdeasModel, IdeasParams
from tests.models.test_ideas import _busy_events, assert_same, make_org


@dataclass(frozen=True)
class _Silent(IdeasModel):
    """The ideas model with its moves withheld: the engine compares the states instead."""

    reports_moves: ClassVar[bool] = False

    def step(self, *args: Any) -> None:  # type: ignore[override]
        super().step(*args)


def test_reported_moves_record_what_a_comparison_of_the_states_records():
    org = make_org()
    params = IdeasParams(p_adopt_per_week=0.2, p_lapse_per_week=0.05, p_resist_per_week=0.2)
    kwargs: dict[str, Any] = dict(n_runs=120, n_steps=40, seed=3, events=_busy_events(org))
    told = simulate(IdeasModel(params), org, batch_size=50, threads=2, **kwargs)
    found = simulate(_Silent(params), org, batch_size=120, threads=1, **kwargs)
    assert_same(told, found)
    for grouping in ("department", "team"):
        np.testing.assert_array_equal(told.counts[grouping], found.counts[grouping])
    # the comparison is not trivial: people moved in most weeks
    moved = np.abs(np.diff(found.total, axis=1)).sum(axis=(0, 2))
    assert (moved > 0).mean() > 0.5
