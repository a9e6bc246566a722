"""The parameter screen: which parameters move Table 1's patterns."""

from __future__ import annotations

from diffusion.calibration.screen import screen


def test_a_recruitment_parameter_moves_table_1_and_a_buddy_parameter_cannot(study, the_facts):
    ranges = {
        "model.params.buddy_weight": (1.0, 4.0),
        "model.params.nomination_presentation": (0.1, 30.0),
    }
    rows = screen(study, the_facts, ranges, n_runs=100, seed=3)
    by = {r["parameter"]: r for r in rows}
    assert [r["parameter"] for r in rows] == ["nomination_presentation", "buddy_weight"]
    # no buddy exists before 2018-10-01 in the baseline: the same runs to the last draw
    assert by["buddy_weight"]["largest_shift"] == 0.0
    assert by["buddy_weight"]["log_score_low"] == by["buddy_weight"]["log_score_high"]
    # strong talks fill department S (3.3 standard deviations at 1000 runs, seed 2015); at 100
    # runs the means' error is about 0.1 sd each, so a shift above 1.5 sd cannot be noise
    talks = by["nomination_presentation"]
    assert talks["largest_shift"] > 1.5 and talks["pattern"] in ("department:S", "share:top2")
    assert talks["log_score_low"] > talks["log_score_high"] + 5
