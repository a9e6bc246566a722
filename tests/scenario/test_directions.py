"""Each shipped what-if moves its main outcome in the documented direction, on paired seeds.

Every what-if in ``scenarios/`` and the baseline run with the same seed and run indices
(common random numbers, as ``diffusion compare`` runs them: :func:`load_scenario`,
:func:`build_study`, ``Study.simulate``, :func:`check_paired`, :func:`paired_difference`),
on the calendar shortened to end at :data:`END` (``--set calendar.end=...``; the events
after it are left out). Expected directions (also in each scenario's ``# Expected:``
comment and in ``scenarios/README.md``):

============================== ========== =================================== ===== =====
what-if                        changes on main outcome at END                 dir.  runs
============================== ========== =================================== ===== =====
new-secretary-less-supportive  2018-07-01 working from the intent, all staff  down  200
new-secretary-supportive       2018-07-01 working from the intent, all staff  up    200
next-cohort-hard-side          2019-01-15 working from the intent, hard side  up    200
next-cohort-policy-officers    2019-01-15 working ..., policy officers        up    200
buddies                        2019-01-15 dropped out, all staff              down  500
taster-workshop                2019-03-01 took the course, department B       up    200
network-project-across-teams   2019-01-15 working ..., department B           up    200
environment-law-shock          2021-01-01 working from the intent, hard side  up    200
top-down-push                  2019-01-15 resistant, all staff                up    200
============================== ========== =================================== ===== =====

"Working from the intent" is ``trained + adopter``, "took the course" ``trained +
dropped_out``; the hard side is departments O and B; T12 and T13 (the project's hard-side
teams) are in B.

Two checks per what-if:

* **Direction.** The mean paired difference (what-if minus base) of the outcome lies beyond
  ``K = 4`` standard errors in the documented direction (a one-sided normal tail of 3e-5:
  no pass by noise). Measured with seed 2015 after issue 12's refit on every pattern, on the
  ideas step's random stream of issue 14 (2026-12-02; difference +- SE; z): less supportive
  -3.67 +- 0.23 (-15.7), supportive +2.02 +- 0.23 (+8.7), hard side +3.52 +- 0.29 (+12.1),
  policy officers +1.87 +- 0.079 (+23.6), buddies -0.29 +- 0.026 with 500 runs (-11.2),
  taster +1.14 +- 0.10 (+11.2), network project +0.91 +- 0.14 (+6.4), environment law +0.40
  +- 0.081 (+4.9), push +6.38 +- 0.26 (+24.2). The environment law's 4.9 and the network
  project's 6.4 are the closest to ``K``: a true effect of their size fails by bad luck of a
  seed with a chance of about 18% and 1% (the seed is fixed here, so the test is
  deterministic; with the defaults the hard side's receptivity, 0.1 x (1 + 1.7 x years),
  reaches its cap of 1 in 2020, so in 2021 doubling it moves only its policy officers,
  whose factor is 0.26).
* **Nothing before.** Before the date the what-if changes something, every recorded count
  (every state, every group) is exactly the baseline's: common random numbers make the two
  arms identical until they differ, so e.g. a less supportive secretary cannot change who
  took the course before she arrives.

The push's effect on the number working from the intent is not resolved (scenarios/README.md,
robustness table: no clear effect, its sign swinging across the draws; its boost to adoption
against the resistance it adds depends on parameters Table 1 cannot identify,
docs/ideas-model.md mechanism 10); the scenario's question is that risk, so only the
resistance is asserted.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pytest

from diffusion.results import Results, check_paired, paired_difference
from diffusion.scenario.build import build_study
from diffusion.scenario.load import load_scenario
from diffusion.study import Study
from tests.scenario.conftest import SCENARIOS

#: paired differences must exceed this many standard errors (see the module docstring)
K = 4.0
#: the shortened calendar's end, and the date the outcomes are read
END = dt.date(2021, 12, 31)
#: one seed for base and what-if (the scenarios' own)
SEED = 2015
#: groupings recorded (those the outcomes need; the "nothing before" check uses them all)
GROUPINGS = ("kind", "side", "department", "role")
BASE = "etten-leur-baseline"
WORKING = ("trained", "adopter")
TOOK = ("trained", "dropped_out")


@dataclass(frozen=True)
class Case:
    """A what-if and its expected direction.

    Attributes
    ----------
    stem : str
        The scenario file's name without ``.toml``.
    since : date
        The first date at which the what-if differs from the baseline.
    states : tuple of str
        States counted by the outcome.
    grouping, labels : str, tuple of str
        People counted: the groups ``labels`` of ``grouping`` (summed).
    sign : int
        +1: the what-if raises the outcome; -1: it lowers it.
    expect : str
        The words of the scenario's ``# Expected:`` comment.
    n_runs : int
        Runs of both arms.
    """

    stem: str
    since: dt.date
    states: tuple[str, ...]
    grouping: str
    labels: tuple[str, ...]
    sign: int
    expect: str
    n_runs: int = 200


CASES = (
    Case(
        "new-secretary-less-supportive",
        dt.date(2018, 7, 1),
        WORKING,
        "kind",
        ("staff",),
        -1,
        "fewer staff working from the intent",
    ),
    Case(
        "new-secretary-supportive",
        dt.date(2018, 7, 1),
        WORKING,
        "kind",
        ("staff",),
        +1,
        "more staff working from the intent",
    ),
    Case(
        "next-cohort-hard-side",
        dt.date(2019, 1, 15),
        WORKING,
        "side",
        ("hard",),
        +1,
        "more hard-side staff working from the intent",
    ),
    Case(
        "next-cohort-policy-officers",
        dt.date(2019, 1, 15),
        WORKING,
        "role",
        ("policy_officer",),
        +1,
        "more policy officers working from the intent",
    ),
    Case(
        "buddies",
        dt.date(2019, 1, 15),
        ("dropped_out",),
        "kind",
        ("staff",),
        -1,
        "fewer participants who dropped out",
        n_runs=500,
    ),
    Case(
        "taster-workshop",
        dt.date(2019, 3, 1),
        TOOK,
        "department",
        ("B",),
        +1,
        "more people of department B who took the course",
    ),
    Case(
        "network-project-across-teams",
        dt.date(2019, 1, 15),
        WORKING,
        "department",
        ("B",),
        +1,
        "more people of department B working from the intent",
    ),
    Case(
        "environment-law-shock",
        dt.date(2021, 1, 1),
        WORKING,
        "side",
        ("hard",),
        +1,
        "more hard-side staff working from the intent",
    ),
    Case(
        "top-down-push",
        dt.date(2019, 1, 15),
        ("resistant",),
        "kind",
        ("staff",),
        +1,
        "more resistant staff",
    ),
)


@functools.lru_cache(maxsize=4)
def _study(stem: str) -> Study:
    loaded = load_scenario(SCENARIOS / f"{stem}.toml", [f"calendar.end={END}"])
    return build_study(loaded.scenario, groupings=GROUPINGS)


@functools.lru_cache(maxsize=4)
def _base(n_runs: int) -> Results:
    """The baseline's results, shared by the what-ifs with as many runs (per process)."""
    return _study(BASE).simulate(n_runs, SEED)


def _outcome(results: Results, case: Case, record: int) -> np.ndarray:
    """The outcome per run at ``record``, float ``(runs,)``."""
    return sum(results.series(case.states, case.grouping, g)[:, record] for g in case.labels)


def test_every_shipped_what_if_has_a_case():
    stems = {p.stem for p in SCENARIOS.glob("*.toml")} - {BASE}
    assert stems == {case.stem for case in CASES}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_the_what_if_moves_its_outcome_in_the_documented_direction(case):
    text = (SCENARIOS / f"{case.stem}.toml").read_text(encoding="utf-8")
    assert f"# Expected: {case.expect}" in text
    study, base = _study(case.stem), _base(case.n_runs)
    assert study.calendar == _study(BASE).calendar
    other = study.simulate(case.n_runs, SEED)
    check_paired(base, other)
    # nothing before: every count of every state and group, at every step before `since`
    before = base.record_of_step(study.calendar.step_of(case.since))
    assert before > 0 and np.array_equal(base.total[:, :before], other.total[:, :before])
    for grouping in GROUPINGS:
        np.testing.assert_array_equal(
            base.counts[grouping][:, :before], other.counts[grouping][:, :before]
        )
    # the direction, at the end
    record = base.record_of_step(study.calendar.step_of(END))
    d = paired_difference(_outcome(base, case, record), _outcome(other, case, record))
    z = case.sign * d.mean / d.std_error
    assert z > K, (
        f"{case.stem}: {d.mean:+.3g} +- {d.std_error:.2g} (base {d.base_mean:.3g}) is not "
        f"{K} SE {'up' if case.sign > 0 else 'down'}"
    )
