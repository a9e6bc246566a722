"""Shared fixtures: the Etten-Leur study on short calendars (built once per session)."""

from __future__ import annotations

import datetime as dt

import pytest

from diffusion.baseline import etten_leur_baseline
from diffusion.calibration.observed import observed_from_facts
from diffusion.calibration.summaries import CUTOFF, Layout
from diffusion.org.etten_leur import facts

#: a shorter calendar for the recovery test: cohorts LC1..LC15 (25 of the 34 seats) and none
#: of the 2018 events, ~0.13 s per engine call instead of ~0.2 s
SHORT_END = dt.date(2017, 12, 31)


@pytest.fixture(scope="session")
def the_facts() -> dict:
    return facts()


@pytest.fixture(scope="session")
def study():
    """The baseline to Table 1's cut-off (2018-10-01)."""
    return etten_leur_baseline(until=CUTOFF)


@pytest.fixture(scope="session")
def layout(study, the_facts) -> Layout:
    return Layout.build(study, the_facts)


@pytest.fixture(scope="session")
def observed(the_facts):
    return observed_from_facts(the_facts)
