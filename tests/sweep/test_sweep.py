"""Sweeps end to end: the store does not depend on the workers and equals each point run
directly through its Study; --resume completes a cut-short store without redoing points; a
point written twice is the same; a sweep killed mid-way leaves a readable store."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dask")
pytest.importorskip("xarray")
pytest.importorskip("zarr")

from click.testing import CliRunner

import diffusion
from diffusion.cli.sweep import sweep
from diffusion.executors import Executor
from diffusion.scenario import build_study, load_scenario
from diffusion.sweeps import store as st
from diffusion.sweeps.execute import run_dask, run_point
from diffusion.sweeps.plan import plan_sweep
from tests.sweep.common import BASELINE, PARAMS, SHORT, stored

RUNS = 20
SEED = 7


def plan(store, **kwargs):
    options = {"sets": SHORT, "runs": RUNS, "seed": SEED, "store": str(store)} | kwargs
    return plan_sweep(BASELINE, PARAMS, **options)


def create(p, store):
    offsets = np.array([t.run_offset for t in p.tasks])
    st.create_store(store, p.layout, p.params, offsets, p.overrides, p.attrs)


def same(a, b) -> None:
    """Every stored array of two stores is equal (NaN equal to NaN)."""
    x, y = stored(a), stored(b)
    assert x.keys() == y.keys()
    for name in x:
        np.testing.assert_array_equal(x[name], y[name], err_msg=name)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The sweep run in this process, one point after another: the reference store."""
    store = tmp_path_factory.mktemp("serial") / "sweep.zarr"
    diffusion.sweep(BASELINE, PARAMS, store=store, runs=RUNS, seed=SEED, overrides=SHORT)
    return store


def test_the_store_holds_bands_and_per_run_outcomes_by_default(serial):
    ds = st.open_store(serial)
    assert dict(ds.sizes) == {
        "point": 4,
        "run": RUNS,
        "date": 53,
        "group": 6,
        "state": 7,
        "measure": 3,
        "quantile": 3,
        "count_outcome": ds.sizes["count_outcome"],
        "value_outcome": ds.sizes["value_outcome"],
    }
    assert "counts" not in ds  # only with --keep-runs
    assert ds["completed"].values.all()
    assert list(ds["measure"].values) == ["trained", "adopters", "working"]
    assert list(ds["quantile"].values) == [0.05, 0.5, 0.95]
    assert list(ds["model.params.leader_effect"].values) == [0.2, 0.8, 0.2, 0.8]
    assert list(ds["model.params.p_adopt_per_week"].values) == [0.01, 0.01, 0.04, 0.04]
    assert not ds["run_offset"].values.any()
    assert ds.attrs["seed"] == SEED and ds.attrs["runs"] == RUNS and ds.attrs["design"] == "grid"
    assert ds.attrs["scenario"]["calendar"]["end"] == "2016-01-04"
    assert ds["outcome_counts"].dtype == np.uint16  # people as integers
    assert ds["band"].dims == ("point", "measure", "date", "group", "quantile")
    names = list(ds["count_outcome"].values)
    assert "adopters all 2016-01-04" in names and "working O 2016-01-04" in names
    assert "years to 25% of staff working from the intent" in ds["value_outcome"].values
    # the bands are ordered, and working = trained + adopters in every run
    band = ds["band"].values
    assert (band[..., 0] <= band[..., 1]).all() and (band[..., 1] <= band[..., 2]).all()
    people = ds["outcome_counts"].values.astype(np.int64)
    col = {n: i for i, n in enumerate(names)}
    end = "all 2016-01-04"
    assert np.array_equal(
        people[:, :, col[f"working {end}"]],
        people[:, :, col[f"trained {end}"]] + people[:, :, col[f"adopters {end}"]],
    )


def test_each_point_equals_its_scenario_run_directly_through_the_study(serial):
    """The store's bands and outcomes are those of the point's runs simulated directly
    (diffusion.results.band and diffusion.comparison.outcome_values of the same runs)."""
    from diffusion.comparison import outcome_values
    from diffusion.results import band

    ds = st.open_store(serial)
    groups = ["department", "kind"]
    settings = plan(serial).layout.reduction.settings
    for p in range(ds.sizes["point"]):
        overrides = [*SHORT, *str(ds["overrides"].values[p]).split()]
        study = build_study(load_scenario(BASELINE, overrides).scenario, groupings=groups)
        results = study.simulate(RUNS, SEED, run_offset=int(ds["run_offset"].values[p]))
        adopters = results.by_group("adopter", "department")  # (runs, steps, departments)
        b = band(adopters, (0.05, 0.5, 0.95))
        stored_band = ds["band"].sel(measure="adopters").values[p, :, 1:]  # departments
        np.testing.assert_allclose(stored_band[..., 0], b.low, rtol=1e-6)  # float32 store
        np.testing.assert_allclose(stored_band[..., 2], b.high, rtol=1e-6)
        mean = ds["mean"].sel(measure="adopters", group="all").values[p]
        np.testing.assert_allclose(mean, results.series("adopter").mean(axis=0), rtol=1e-6)
        outcomes = outcome_values(results, study.calendar, settings)
        for kind, dim in (("outcome_counts", "count_outcome"), ("outcome_values", "value_outcome")):
            for j, name in enumerate(ds[dim].values):
                expected = outcomes[str(name)][1]
                np.testing.assert_array_equal(ds[kind].values[p, :, j], expected, err_msg=name)
    # and the points differ: the parameters matter
    assert not np.array_equal(ds["mean"].values[0], ds["mean"].values[3])


def test_keep_runs_stores_every_runs_counts_as_integers(serial, tmp_path):
    store = tmp_path / "runs.zarr"
    diffusion.sweep(
        BASELINE, PARAMS, store=store, runs=RUNS, seed=SEED, overrides=SHORT, keep_runs=True
    )
    ds = st.open_store(store)
    assert ds["counts"].dtype == np.uint16
    assert ds["counts"].dims == ("point", "run", "date", "group", "state")
    c = ds["counts"].values.astype(np.int64)
    staff = c.sum(axis=-1)[..., 0]  # everyone is in one state at every step
    assert (staff == staff[0, 0, 0]).all() and staff[0, 0, 0] > 100
    assert np.array_equal(c[:, :, :, 0], c[:, :, :, 1:].sum(axis=3))  # all = sum of departments
    adopter = list(ds["state"].values).index("adopter")
    mean = c[:, :, :, 0, adopter].mean(axis=1)
    np.testing.assert_allclose(ds["mean"].sel(measure="adopters", group="all"), mean, rtol=1e-6)
    for name, values in stored(serial).items():  # the rest as without --keep-runs
        np.testing.assert_array_equal(ds[name].values, values, err_msg=name)


def test_a_point_written_twice_is_the_same_and_marked_done_last(serial, tmp_path):
    """A retried task, or a worker lost after writing, writes a point again: same values.
    A point whose arrays were written but not its flag counts as not done."""
    from diffusion.sweeps.execute import simulate_point
    from diffusion.sweeps.store import reduce_point, write_point

    store = tmp_path / "twice.zarr"
    p = plan(store)
    create(p, store)
    task = p.tasks[1]
    data = reduce_point(simulate_point(task), task.reduction)
    xr = pytest.importorskip("xarray")
    region = {"point": slice(1, 2)}
    dims = {k: ("point", *st.DIMS[k]) for k in data}
    xr.Dataset({k: (dims[k], v[None]) for k, v in data.items()}).to_zarr(store, region=region)
    assert not st.completed(store).any()  # written, not flagged: --resume redoes it
    assert st.summary_rows(st.open_store(store)) == []
    run_point(task)
    run_point(task)
    write_point(store, 1, data, 0.0)
    ds = st.open_store(store)
    assert list(st.completed(store)) == [False, True, False, False]
    for name, values in stored(serial).items():
        np.testing.assert_array_equal(ds[name].values[1], values[1], err_msg=name)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_store_does_not_depend_on_the_number_of_workers(serial, tmp_path, workers):
    store = tmp_path / "sweep.zarr"
    p = plan(store)
    create(p, store)
    with Executor(workers).client(processes=False) as client:
        run_dask(p.tasks, client)
    same(store, serial)


@pytest.mark.slow
def test_a_sweep_on_worker_processes_gives_the_same_store(serial, tmp_path):
    """The command itself, on a local cluster of 2 worker processes."""
    store = tmp_path / "sweep.zarr"
    args = [str(BASELINE), *(f"--param={p}" for p in PARAMS), f"--set={SHORT[0]}"]
    args += ["--runs", str(RUNS), "--seed", str(SEED), "--out", str(store), "--workers", "2"]
    result = CliRunner().invoke(sweep, args)
    assert result.exit_code == 0, result.output
    same(store, serial)
    summary = (store / "summary.csv").read_text().splitlines()
    assert len(summary) == 1 + 4
    header = summary[0].split(",")
    assert header[:3] == ["point", "model.params.p_adopt_per_week", "model.params.leader_effect"]
    assert "adopters all 2016-01-04 mean" in header and "trained O 2015-07-06 q95" in header
    assert "years to 10% of staff working from the intent q05" in header
    # the summary's means are the means over runs of the stored outcomes
    ds = st.open_store(store)
    column = header.index("adopters all 2016-01-04 mean")
    means = [float(row.split(",")[column]) for row in summary[1:]]
    np.testing.assert_allclose(means, st.output_values(ds, "adopters all 2016-01-04"), atol=1e-4)


def test_resume_completes_an_interrupted_sweep_without_recomputing(serial, tmp_path):
    store = tmp_path / "sweep.zarr"
    p = plan(store)
    create(p, store)
    for task in (p.tasks[0], p.tasks[2]):  # a sweep cut short after two points
        run_point(task)
    before = st.open_store(store)["computed_at"].values.copy()
    assert list(st.completed(store)) == [True, False, True, False]

    args = [str(BASELINE), *(f"--param={q}" for q in PARAMS), f"--set={SHORT[0]}"]
    args += ["--runs", str(RUNS), "--seed", str(SEED), "--out", str(store), "--workers", "0"]
    result = CliRunner().invoke(sweep, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert "2 to compute" in result.output and "2 already done" in result.output
    after = st.open_store(store)["computed_at"].values
    assert after[0] == before[0] and after[2] == before[2]  # not recomputed
    assert np.isnan(before[[1, 3]]).all() and (after[[1, 3]] > before[[0, 2]].max()).all()
    same(store, serial)

    # the same store again: nothing left to do
    again = CliRunner().invoke(sweep, [*args, "--resume"])
    assert again.exit_code == 0 and "0 to compute" in again.output


def test_a_store_is_not_overwritten_or_resumed_by_another_sweep(serial, tmp_path):
    args = [str(BASELINE), *(f"--param={q}" for q in PARAMS), f"--set={SHORT[0]}"]
    args += ["--runs", str(RUNS), "--out", str(serial), "--workers", "0"]
    exists = CliRunner().invoke(sweep, [*args, "--seed", str(SEED)])
    assert exists.exit_code == 2 and "--resume" in exists.output
    other = CliRunner().invoke(sweep, [*args, "--seed", "8", "--resume"])
    assert other.exit_code == 2 and "differs in seed" in other.output
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    args[args.index(str(serial))] = str(tmp_path / "notes")
    foreign = CliRunner().invoke(sweep, [*args, "--overwrite"])
    assert foreign.exit_code == 2 and "not a sweep store" in foreign.output
    assert (tmp_path / "notes" / "todo.txt").read_text() == "mine"


def test_an_empty_folder_takes_the_store(serial, tmp_path):
    # as `run --out` writes into an empty folder, a sweep makes its store in one
    (tmp_path / "made").mkdir()
    args = [str(BASELINE), *(f"--param={q}" for q in PARAMS), f"--set={SHORT[0]}"]
    args += ["--runs", str(RUNS), "--seed", str(SEED), "--workers", "0"]
    result = CliRunner().invoke(sweep, [*args, "--out", str(tmp_path / "made")])
    assert result.exit_code == 0, result.output
    same(tmp_path / "made", serial)


def test_points_are_written_side_by_side_by_many_workers(tmp_path, client):
    """Eight points over two workers at once, each writing its own chunk: none is lost."""
    store = tmp_path / "sweep.zarr"
    p = plan_sweep(
        BASELINE,
        ["model.params.p_adopt_per_week=0.01:0.08:8"],
        sets=SHORT,
        runs=4,
        seed=SEED,
        store=str(store),
    )
    create(p, store)
    done = []
    run_dask(p.tasks, client, done.append)
    assert sum(done) == 8 and st.completed(store).all()
    finals = st.output_values(st.open_store(store), "working")
    assert finals.shape == (8,) and np.all(finals > 0)


@pytest.mark.slow
def test_a_sweep_killed_mid_way_leaves_a_readable_store_that_resume_completes(tmp_path):
    """SIGKILL (no chance to clean up) the command after its first point: the store opens,
    holds exactly the points marked done, and --resume completes it to the full sweep."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    store = tmp_path / "killed.zarr"
    params = ["--param=model.params.p_adopt_per_week=0.01:0.05:8"]
    args = [str(BASELINE), *params, "--set=calendar.end=2017-01-02", "--runs=40", "--seed=3"]
    args += ["--out", str(store), "--workers", "0"]
    command = [str(Path(sys.executable).parent / "diffusion"), "sweep", *args]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not (st.is_store(store) and st.completed(store).any()):
            assert proc.poll() is None, "the sweep ended before a point was seen done"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    done = st.completed(store)
    assert 0 < done.sum() < 8, done
    ds = st.open_store(store)
    rows = st.summary_rows(ds)
    assert [r["point"] for r in rows] == list(np.flatnonzero(done))
    assert np.isnan(st.output_values(ds, "adopters")[~done]).all()

    result = CliRunner().invoke(sweep, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert f"{8 - done.sum()} to compute" in result.output
    reference = tmp_path / "reference.zarr"
    fresh = CliRunner().invoke(sweep, [*args[:-4], "--out", str(reference), "--workers", "0"])
    assert fresh.exit_code == 0, fresh.output
    same(store, reference)
