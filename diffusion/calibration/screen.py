"""Which parameters can Table 1 see: each across its plausible range, the patterns' shift.

A parameter that moves no pattern of Table 1 cannot be fitted to it; one that does must be.
:func:`screen` simulates the scenario to Table 1's cut-off at the defaults and, one parameter
at a time, at the low and the high end of its range (the same runs: common random numbers),
and reports per parameter how far the patterns' means move between the two ends, in standard
deviations of each pattern over the runs at the defaults (the largest and the root mean
square over the patterns that vary), and the model's log score of Table 1 at each end
(:func:`~diffusion.calibration.fit_report.score`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from diffusion.calibration.fit_report import score, simulate_patterns
from diffusion.calibration.observed import observed_cells, observed_from_facts
from diffusion.calibration.summaries import Layout
from diffusion.study import Study

#: the prefix of a parameter path
PREFIX = "model.params."


def screen(
    study: Study,
    facts: Mapping[str, Any],
    ranges: Mapping[str, tuple[float, float]],
    *,
    n_runs: int = 1000,
    seed: int = 2015,
) -> list[dict[str, Any]]:
    """Shift of Table 1's patterns across each parameter's range.

    Parameters
    ----------
    study : Study
        Built to Table 1's cut-off (``calendar.end = 2018-10-01``), the ideas model.
    facts : mapping
        :func:`diffusion.org.etten_leur.facts`.
    ranges : mapping
        ``model.params.<name>`` -> ``(low, high)``, e.g.
        :func:`diffusion.robustness.plausible_ranges`.
    n_runs : int
        Runs at the defaults and at each end.
    seed : int
        Root seed (every arm the same runs).

    Returns
    -------
    list of dict
        One row per parameter, largest ``rms_shift`` first: ``parameter``, ``low``, ``high``,
        ``log_score_low``, ``log_score_high``, ``largest_shift`` (in standard deviations),
        ``pattern`` (the one that moves most), ``rms_shift``.
    """
    layout = Layout.build(study, facts)
    observed = observed_from_facts(facts)
    cells = observed_cells(facts)
    base, _ = simulate_patterns(study, layout, n_runs, seed)
    sd = base.std(axis=0)
    varies = sd > 0
    rows = []
    for path, (low, high) in ranges.items():
        name = path.removeprefix(PREFIX)
        means, scores = [], []
        for value in (low, high):
            at = dataclasses.replace(study, model=study.model.with_params(**{name: float(value)}))
            stats, sizes = simulate_patterns(at, layout, n_runs, seed)
            means.append(stats.mean(axis=0))
            scores.append(score(stats, sizes, observed, cells, layout.names)["log_score"])
        shift = np.abs(means[1] - means[0])[varies] / sd[varies]
        k = int(np.argmax(shift))
        rows.append(
            {
                "parameter": name,
                "low": float(low),
                "high": float(high),
                "log_score_low": scores[0],
                "log_score_high": scores[1],
                "largest_shift": float(shift[k]),
                "pattern": np.asarray(layout.names)[varies][k],
                "rms_shift": float(np.sqrt(np.mean(shift**2))),
            }
        )
    rows.sort(key=lambda r: -r["rms_shift"])
    return rows


__all__ = ["screen"]
