"""The library API (diffusion.load_scenario, what_if, run, compare): Python objects in, result
objects out, exceptions instead of exits."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

import diffusion
from diffusion.errors import InputError
from diffusion.scenario.problems import ScenarioError

SHORT = ["calendar.end=2018-12-31"]


@pytest.fixture(scope="module")
def base():
    return diffusion.load_scenario(overrides=SHORT)


def test_importing_the_package_pulls_in_nothing_heavy():
    code = (
        "import sys, diffusion; "
        "heavy = {'numpy', 'scipy', 'networkx', 'matplotlib', 'pydantic', 'pandas', 'numba'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_load_scenario_defaults_to_the_baseline_and_raises_the_problems(base):
    assert base.scenario.name == "etten-leur-baseline"
    assert base.scenario.calendar.end == dt.date(2018, 12, 31)
    with pytest.raises(ScenarioError, match="runs") as err:
        diffusion.load_scenario(overrides=["runs=-3"])
    assert "--set" in str(err.value)


def test_what_if_adds_events_checked_like_a_file(base):
    new = diffusion.what_if(
        base,
        "secretary-and-cohort",
        events=[{"kind": "new_secretary", "date": dt.date(2018, 7, 2), "support": 0.9}],
        cohorts=[{"name": "extra", "date": dt.date(2018, 9, 3), "seats": 12}],
    )
    assert new.scenario.events[-1].kind == "new_secretary"
    assert new.scenario.cohorts[-1].name == "extra"
    assert len(new.scenario.events) == len(base.scenario.events) + 1
    with pytest.raises(ScenarioError, match=r"<what-if bad>: events\[\d+\]\.kind"):
        diffusion.what_if(
            base, "bad", events=[{"kind": "new_secretry", "date": dt.date(2018, 1, 1)}]
        )


def test_run_is_reproducible_per_run_and_gives_tidy_tables(base):
    five = diffusion.run(base, runs=5, seed=7, keep_runs=True)
    three = diffusion.run(base, runs=3, seed=7, keep_runs=True)
    # run i depends only on (seed, i), however many runs are asked for
    np.testing.assert_array_equal(five.total[:3], three.total)
    frame = three.to_pandas("department")
    assert list(frame.columns) == ["run", "date", "step", "group", "state", "people"]
    assert frame["people"].dtype == np.int64
    # every person is in exactly one state: per run and date, the counts add up to everyone
    people = frame.groupby(["run", "date"])["people"].sum()
    assert (people == len(three.node_ids)).all()
    assert frame["date"].min() == np.datetime64("2015-01-05")
    array = three.to_xarray("department")
    assert array.dims == ("run", "date", "group", "state")
    assert int(array.sel(run=2, state="trained").sum()) == int(
        frame.query("run == 2 and state == 'trained'")["people"].sum()
    )
    with pytest.raises(InputError, match="positive integer"):
        diffusion.run(base, runs=0)


def test_compare_a_scenario_with_itself_differs_by_exactly_nothing(base):
    """Common random numbers: the same scenario on the same seeds gives the same runs."""
    result = diffusion.compare(base, [base], runs=4, seed=2, keep_runs=True)
    assert result.what_ifs == ("etten-leur-baseline#2",)
    frame = result.to_pandas()
    assert len(frame) == len(result.outcomes) > 10
    assert (frame["difference"] == 0).all() and (frame["low"] == 0).all()
    assert result.to_xarray().dims == ("scenario", "run", "date", "group", "state")


def test_compare_refuses_what_cannot_be_compared(base):
    longer = diffusion.load_scenario(overrides=["calendar.end=2019-06-30"])
    with pytest.raises(InputError, match="calendar"):
        diffusion.compare(base, {"longer": longer}, runs=2)
    with pytest.raises(InputError, match="outside the calendar"):
        diffusion.compare(base, [base], runs=2, dates=[dt.date(2020, 1, 1)])
    with pytest.raises(InputError, match="at least one what-if"):
        diffusion.compare(base, [], runs=2)


def test_the_command_line_shows_the_libraries_defaults():
    from diffusion import api
    from diffusion.cli import compare

    assert (compare.LEVEL, compare.DEFAULT_DATES) == (api.LEVEL, api.DEFAULT_DATES)


def test_sweep_into_a_store_resumes_and_refuses_another_sweeps_store(tmp_path):
    pytest.importorskip("zarr")
    from diffusion.api import packaged

    scenario = packaged("etten-leur-baseline")
    args = dict(store=tmp_path / "s.zarr", runs=2, overrides=["calendar.end=2016-01-04"])
    first = diffusion.sweep(scenario, ["model.params.leader_effect=[0.2, 0.8]"], **args)
    frame = first.to_pandas()
    assert first.computed == 2 and sorted(set(frame["point"])) == [0, 1]
    assert frame.groupby("point")["outcome"].nunique().eq(frame["outcome"].nunique()).all()
    assert first.to_xarray().sizes["point"] == 2
    with pytest.raises(InputError, match="give --resume"):
        diffusion.sweep(scenario, ["model.params.leader_effect=[0.2, 0.8]"], **args)
    again = diffusion.sweep(
        scenario, ["model.params.leader_effect=[0.2, 0.8]"], resume=True, **args
    )
    assert again.computed == 0  # every point was there
    with pytest.raises(InputError, match="made by another sweep"):
        diffusion.sweep(scenario, ["model.params.leader_effect=[0.3, 0.8]"], resume=True, **args)


@pytest.mark.slow
def test_advise_recommends_seats_people_and_reports_the_strategies(base):
    advice = diffusion.advise(base, dt.date(2018, 9, 3), 2, runs=20, seed=1, candidates=4)
    assert len(advice.ids) == 2
    frame = advice.to_pandas()
    assert {"choice", "gain", "low", "high", "people"} <= set(frame.columns)
    assert len(frame) == len(advice.rows) >= 2


def test_a_comparison_too_large_to_hold_is_refused_before_simulating(monkeypatch):
    import diffusion
    from diffusion.budget import BudgetError

    base = diffusion.load_scenario()
    # 20 runs of the baseline: about 2.4 MB of counts per scenario (16 years of weekly
    # records), so 6 MB holds two scenarios and not four
    monkeypatch.setenv("DIFFUSION_MAX_MEMORY", "6MB")
    monkeypatch.setattr(
        "diffusion.study.Study.simulate",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("simulated before the check")),
    )
    with pytest.raises(BudgetError, match=r"4 scenarios x 20 runs .* held together"):
        diffusion.compare(base, [base, base, base], runs=20, seed=1)
    with pytest.raises(AssertionError, match="simulated before the check"):
        diffusion.compare(base, [base], runs=20, seed=1)  # two fit: it gets to simulate


def test_fit_report_of_a_loaded_scenario_equals_that_of_its_file(tmp_path):
    # the loaded scenario ends in 2030; fit_report must cut it at Table 1's date as it does
    # the file, so the two reports agree pattern by pattern (same seed: same runs)
    loaded = diffusion.load_scenario()
    from_python = diffusion.fit_report(loaded, runs=20, seed=4)
    from_file = diffusion.fit_report(None, runs=20, seed=4, out=tmp_path / "fit")
    assert from_python.patterns.rows() == from_file.patterns.rows()
    assert sorted(p.name for p in (tmp_path / "fit").iterdir()) == [
        "manifest.json",
        "nulls.csv",
        "patterns.csv",
    ]
