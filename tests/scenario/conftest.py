"""Shared fixtures: a small valid scenario and a writer for scenario files."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scenario._toml import dumps

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

#: a small valid scenario on the built-in organisation: two years, two cohorts, two events
SMALL: dict[str, Any] = {
    "name": "small",
    "runs": 5,
    "seed": 1,
    "organisation": {"builtin": "etten-leur", "seed": 0},
    "calendar": {"start": dt.date(2015, 1, 5), "end": dt.date(2016, 12, 31)},
    "cohorts": [
        {"name": "A", "date": dt.date(2015, 3, 1), "seats": 2},
        {"name": "B", "date": dt.date(2015, 9, 1), "seats": 3},
    ],
    "events": [
        {"kind": "top_down_push", "date": dt.date(2015, 6, 1), "strength": 1.0},
        {"kind": "taster_workshop", "date": dt.date(2015, 5, 1), "team": "T8", "reached": 5},
    ],
}


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh copy of :data:`SMALL` to change."""
    return copy.deepcopy(SMALL)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(data, name="s.toml")`` writes a scenario file into ``tmp_path``."""

    def _write(data: dict[str, Any] | str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else dumps(data), encoding="utf-8")
        return path

    return _write
