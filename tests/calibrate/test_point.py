"""The favoured point: posterior samples scored by Table 1's log score."""

from __future__ import annotations

import numpy as np
import pytest

import diffusion
from diffusion.calibration.point import favoured, score_points


def test_a_point_that_fits_table_1_scores_higher_and_is_favoured(study, the_facts):
    # nomination_presentation 0.1 against 30: talks that recruit strongly fill department S
    # (screened at 1000 runs, seed 2015: log score -38.1 against -52.1); 14 nats is far beyond
    # the Monte Carlo error of a log score over 100 runs (a few tenths of a nat)
    paths = ["model.params.nomination_presentation"]
    rows = score_points(study, the_facts, paths, np.array([[30.0], [0.1]]), n_runs=100, seed=3)
    assert [r["nomination_presentation"] for r in rows] == [30.0, 0.1]
    assert rows[1]["log_score"] > rows[0]["log_score"] + 5
    assert favoured(rows) == 1
    # the same score as the fit report of that point on the same runs
    report = diffusion.fit_report(
        runs=100, seed=3, overrides=["model.params.nomination_presentation=0.1"]
    )
    assert rows[1]["log_score"] == pytest.approx(report.scores["model"]["log_score"], abs=1e-9)
    assert rows[1]["joint_share"] == report.scores["model"]["joint_share"]


def test_favoured_needs_points():
    with pytest.raises(ValueError, match="no points"):
        favoured([])
