"""The built-in Etten-Leur baseline.

the observed cohorts of 2015-2018, the 2018 changes at the top, then a regular cohort cadence to the
end of 2030.

There is one definition of the baseline: the scenario file shipped with the package,
``diffusion/data/scenarios/etten-leur-baseline.toml`` (a copy of
``scenarios/etten-leur-baseline.toml``, kept byte-identical by a test). Its choices (seats per
cohort, the cadence, the network project's teams, the new secretary's neutral support) are
explained in its comments and in ``scenarios/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from diffusion.study import Study

#: name of the packaged baseline scenario
BASELINE = "etten-leur-baseline"


def etten_leur_baseline(
    until: dt.date | None = None,
    years: float | None = None,
    seed: int = 0,
    groupings: Sequence[str] | None = None,
) -> Study:
    """Return the Etten-Leur baseline as a :class:`~diffusion.study.Study`.

    Parameters
    ----------
    until : date, optional
        Last date simulated (default: the scenario's end, 2030-12-31); events after it are
        left out.
    years : float, optional
        Or the number of years from the start (2015-01-05).
    seed : int
        Seed of the organisation graph (the simulation's own seed is given to ``simulate``).
    groupings : sequence of str, optional
        Groupings to count people by (default: the scenario's, department, team, role and
        side); add ``"kind"`` to tell staff from board members and partners.

    Raises
    ------
    ValueError
        When both ``until`` and ``years`` are given.
    """
    from diffusion.scenario.build import build_study
    from diffusion.scenario.load import load_scenario, packaged

    if until is not None and years is not None:
        raise ValueError("give until or years, not both")
    overrides = [f"organisation.seed={int(seed)}"]
    if until is not None:
        overrides.append(f"calendar.end={until.isoformat()}")
    if years is not None:
        overrides.append(f"calendar.years={float(years)}")
    scenario = load_scenario(packaged(BASELINE), overrides).scenario
    return build_study(scenario, groupings=groupings)
