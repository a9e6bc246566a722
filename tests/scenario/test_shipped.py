"""Every scenario in scenarios/ validates and runs (small), and each what-if asks a question."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.scenario.build import build_study
from diffusion.scenario.load import load_scenario
from tests.scenario.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.toml"))
#: runs per shipped scenario in CI
N_RUNS = 20


def test_there_are_a_baseline_and_nine_what_ifs():
    assert len(FILES) == 10 and SCENARIOS / "etten-leur-baseline.toml" in FILES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_scenario_validates_and_runs(path):
    loaded = load_scenario(path)
    study = build_study(loaded.scenario, groupings=("department",))
    results = study.simulate(N_RUNS, seed=7)
    took = results.final(("trained", "dropped_out"))
    assert np.all(took >= 34)  # the observed 34, and the cadence after them


@pytest.mark.parametrize("path", [p for p in FILES if p.stem != "etten-leur-baseline"])
def test_what_ifs_extend_the_baseline_and_state_their_question(path):
    text = path.read_text()
    assert text.startswith("# Question: ")
    assert 'extends = "etten-leur-baseline.toml"' in text
