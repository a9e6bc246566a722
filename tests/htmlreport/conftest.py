"""A small what-if report shared by the report tests: the baseline against a supportive new
secretary and a hard-side cohort, 8 runs each, simulated until the end of 2021."""

from __future__ import annotations

import pytest

from diffusion.htmlreport import build
from diffusion.scenario.load import load_all
from tests.scenario.conftest import SCENARIOS

FILES = [
    SCENARIOS / "etten-leur-baseline.toml",
    SCENARIOS / "new-secretary-supportive.toml",
    SCENARIOS / "next-cohort-hard-side.toml",
]
OVERRIDES = ["calendar.end=2021-12-31"]
RUNS = 8


@pytest.fixture(scope="session")
def simulated():
    loaded = load_all(FILES, OVERRIDES)
    return build.simulate_all(loaded, RUNS, 2015)


@pytest.fixture(scope="session")
def context(simulated):
    return build.build_context(simulated, command="pytest")


@pytest.fixture(scope="session")
def report_folder(context, simulated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    build.write_files(context, folder, simulated)
    return folder
