"""A point the data favour: the posterior sample that scores Table 1 best, for the defaults.

The posterior (:mod:`diffusion.calibration.rejection`) says which parameter values are
compatible with Table 1; a model still needs one set of defaults. :func:`score_points`
simulates each of a few parameter vectors (drawn from the posterior) and scores it by the
predictive log-likelihood of the observed Table 1 that the fit report uses
(:func:`~diffusion.calibration.fit_report.team_log_score` of the per-team vector plus
:func:`~diffusion.calibration.fit_report.cell_log_score` of the cell sizes: a proper score,
higher is better); :func:`favoured` picks the best. Score the points on a seed other than the
fit report's, so that the report checks the chosen point on runs it was not chosen on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from diffusion.calibration.fit_report import score, simulate_patterns
from diffusion.calibration.observed import observed_cells, observed_from_facts
from diffusion.calibration.summaries import Layout
from diffusion.study import Study

#: the prefix of a parameter path
PREFIX = "model.params."


def score_points(
    study: Study,
    facts: Mapping[str, Any],
    paths: Sequence[str],
    thetas: np.ndarray,
    *,
    n_runs: int = 300,
    seed: int = 3,
) -> list[dict[str, Any]]:
    """Score each parameter vector by the log score of Table 1.

    Parameters
    ----------
    study : Study
        Built to Table 1's cut-off (``calendar.end = 2018-10-01``), the ideas model.
    facts : mapping
        :func:`diffusion.org.etten_leur.facts`.
    paths : sequence of str
        ``model.params.<name>`` of the columns of ``thetas``.
    thetas : float array ``(points, parameters)``
    n_runs : int
        Runs at each point (the same run indices at every point: common random numbers).
    seed : int
        Root seed of the runs.

    Returns
    -------
    list of dict
        One row per point, in order: the parameter values, ``team_log_score``,
        ``cell_log_score``, ``log_score`` and ``joint_share``.
    """
    layout = Layout.build(study, facts)
    observed = observed_from_facts(facts)
    cells = observed_cells(facts)
    names = [p.removeprefix(PREFIX) for p in paths]
    rows = []
    for theta in np.asarray(thetas, dtype=np.float64):
        values = {n: float(v) for n, v in zip(names, theta, strict=True)}
        at = dataclasses.replace(study, model=study.model.with_params(**values))
        stats, sizes = simulate_patterns(at, layout, n_runs, seed)
        rows.append({**values, **score(stats, sizes, observed, cells, layout.names)})
    return rows


def favoured(rows: Sequence[Mapping[str, Any]]) -> int:
    """Return the index of the row with the highest ``log_score`` (the first among equals)."""
    if not rows:
        raise ValueError("no points to choose from")
    return int(np.argmax([r["log_score"] for r in rows]))


__all__ = ["favoured", "score_points"]
