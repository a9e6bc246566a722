"""Inputs shared by the sweep tests."""

from __future__ import annotations

from pathlib import Path

#: the shipped baseline, cut to one year so a point of 20 runs takes a few milliseconds
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "etten-leur-baseline.toml"
SHORT = ("calendar.end=2016-01-04",)
#: a 2 x 2 grid of the ideas model's adoption and leader-support parameters
PARAMS = ("model.params.p_adopt_per_week=0.01:0.04:2", "model.params.leader_effect=[0.2, 0.8]")


def stored(store) -> dict:
    """Every array of a sweep store but the timings, as numpy arrays, by name."""
    from diffusion.sweeps.store import open_store

    ds = open_store(store)
    skip = {"computed_at", "seconds", "cpu_seconds"}
    return {name: ds[name].values for name in ds.data_vars if name not in skip}
