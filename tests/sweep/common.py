"""Inputs shared by the sweep tests."""

from __future__ import annotations

from pathlib import Path

#: the shipped baseline, cut to one year so a point of 20 runs takes a few milliseconds
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "etten-leur-baseline.toml"
SHORT = ("calendar.end=2016-01-04",)
#: a 2 x 2 grid of the ideas model's adoption and leader-support parameters
PARAMS = ("model.params.p_adopt_per_week=0.01:0.04:2", "model.params.leader_effect=[0.2, 0.8]")
