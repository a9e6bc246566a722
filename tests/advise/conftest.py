"""A small generated organisation and scenario, where exhaustive search is feasible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.scenario._toml import dumps

#: two departments (a soft and a hard one), two small teams each: about 20 staff
SPEC = """\
name = "Small"
seed = 3

[team_defaults]
size = [5, 6]
clusters = 2
policy_officer_share = 0.2

[[departments]]
name = "S"
side = "soft"
teams = [{ name = "T1" }, { name = "T2" }]

[[departments]]
name = "B"
side = "hard"
teams = [{ name = "T3" }, { name = "T4" }]

[tie_probabilities]
team = 0.5
department = 0.1
"""

#: two years; a first cohort by nomination in week 2; faster adoption than Etten-Leur's
#: defaults so a short calendar shows differences between choices. The nomination and
#: receptivity parameters are pinned (to the provisional values the documented greedy vs
#: exhaustive results were measured with), so a recalibration of the package's defaults does
#: not move these test cases.
SCENARIO: dict[str, Any] = {
    "name": "small-advise",
    "runs": 40,
    "seed": 11,
    "organisation": {"spec": "org.toml", "seed": 0},
    "model": {
        "params": {
            "p_adopt_per_week": 0.064,  # 0.08 x the regime damping 0.8 it was measured with
            "p_aware_per_week": 0.1,
            "nomination_word_of_mouth": 3.0,
            "nomination_presentation": 1.0,
            # the recruitment mechanisms added after the measurement, off (issue 12)
            "nomination_leader_effect": 0.0,
            "nomination_team_leader": 1.0,
            "nomination_top": 1.0,
            "hard_side_opening_per_year": 0.0,
            "p_resist_per_week": 0.0,
            "receptivity_hard": 0.35,
        }
    },
    "calendar": {"start": dt.date(2020, 1, 6), "end": dt.date(2021, 12, 31)},
    "cohorts": [{"name": "first", "date": dt.date(2020, 1, 20), "seats": 3}],
}
AT = dt.date(2020, 6, 1)
GOAL = dt.date(2021, 6, 30)


@pytest.fixture(scope="session")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder with ``org.toml`` and ``small.toml``; returns the scenario's path."""
    folder = tmp_path_factory.mktemp("advise")
    (folder / "org.toml").write_text(SPEC, encoding="utf-8")
    path = folder / "small.toml"
    path.write_text(dumps(SCENARIO), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_scenario(small_files: Path):
    from diffusion.scenario.load import load_scenario

    return load_scenario(small_files).scenario
