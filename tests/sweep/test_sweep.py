"""Sweeps end to end: the store does not depend on the workers and equals each point run
directly through its Study; --resume completes a cut-short store without redoing points."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dask")
pytest.importorskip("xarray")
pytest.importorskip("zarr")

from click.testing import CliRunner

from diffusion.cli.sweep import sweep
from diffusion.scenario import build_study, load_scenario
from diffusion.sweep import store as st
from diffusion.sweep.execute import dask_client, run_dask, run_local, run_point
from diffusion.sweep.plan import plan_sweep
from tests.sweep.common import BASELINE, PARAMS, SHORT

RUNS = 20
SEED = 7


def plan(store, **kwargs):
    options = {"sets": SHORT, "runs": RUNS, "seed": SEED, "store": str(store)} | kwargs
    return plan_sweep(BASELINE, PARAMS, **options)


def create(p, store):
    offsets = np.array([t.run_offset for t in p.tasks])
    st.create_store(store, p.layout, p.params, offsets, p.overrides, p.attrs)


def counts(store) -> np.ndarray:
    return np.asarray(st.open_store(store)["counts"].values)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The sweep run in this process, one point after another: the reference store."""
    store = tmp_path_factory.mktemp("serial") / "sweep.zarr"
    p = plan(store)
    create(p, store)
    run_local(p.tasks)
    return store


def test_the_plan_has_one_task_per_point_with_common_random_numbers(serial):
    ds = st.open_store(serial)
    assert dict(ds.sizes) == {"point": 4, "run": RUNS, "step": 53, "group": 6, "state": 7}
    assert ds["completed"].values.all()
    assert list(ds["model.params.leader_effect"].values) == [0.2, 0.8, 0.2, 0.8]
    assert list(ds["model.params.p_adopt_per_week"].values) == [0.01, 0.01, 0.04, 0.04]
    assert not ds["run_offset"].values.any()
    assert ds.attrs["seed"] == SEED and ds.attrs["runs"] == RUNS and ds.attrs["design"] == "grid"
    assert ds.attrs["scenario"]["calendar"]["end"] == "2016-01-04"
    assert ds["counts"].dtype == np.uint16
    # everyone is in one state at every step; "all" is the sum of the departments
    c = ds["counts"].values.astype(np.int64)
    staff = c[:, :, :, 0].sum(axis=-1)
    assert (staff == staff[0, 0, 0]).all() and staff[0, 0, 0] > 100
    assert np.array_equal(c[:, :, :, 0], c[:, :, :, 1:].sum(axis=3))


def test_each_point_equals_its_scenario_run_directly_through_the_study(serial):
    ds = st.open_store(serial)
    stored = ds["counts"].values
    for p in range(ds.sizes["point"]):
        overrides = [*SHORT, *str(ds["overrides"].values[p]).split()]
        study = build_study(load_scenario(BASELINE, overrides).scenario, groupings=["department"])
        results = study.simulate(RUNS, SEED, run_offset=int(ds["run_offset"].values[p]))
        expected = st.point_counts(results, ["department"], "uint16")
        assert np.array_equal(stored[p], expected), f"point {p}"
    # and the points differ: the parameters matter
    assert not np.array_equal(stored[0], stored[3])


@pytest.mark.parametrize("workers", [1, 2])
def test_the_store_does_not_depend_on_the_number_of_workers(serial, tmp_path, workers):
    store = tmp_path / "sweep.zarr"
    p = plan(store)
    create(p, store)
    with dask_client(workers=workers, processes=False) as client:
        run_dask(p.tasks, client)
    assert np.array_equal(counts(store), counts(serial))


def test_a_sweep_on_worker_processes_gives_the_same_store(serial, tmp_path):
    """The command itself, on a local cluster of 2 worker processes."""
    store = tmp_path / "sweep.zarr"
    args = [str(BASELINE), *(f"--param={p}" for p in PARAMS), f"--set={SHORT[0]}"]
    args += ["--runs", str(RUNS), "--seed", str(SEED), "--out", str(store), "--workers", "2"]
    result = CliRunner().invoke(sweep, args)
    assert result.exit_code == 0, result.output
    assert np.array_equal(counts(store), counts(serial))
    summary = (store / "summary.csv").read_text().splitlines()
    assert len(summary) == 1 + 4
    assert summary[0].startswith("point,model.params.p_adopt_per_week,model.params.leader_effect,")
    assert "adopters_end_mean" in summary[0] and "trained_2015-07-06_q95" in summary[0]


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
    assert np.array_equal(counts(store), counts(serial))

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
    args[args.index(str(serial))] = str(tmp_path / "notes")
    foreign = CliRunner().invoke(sweep, [*args, "--overwrite"])
    assert foreign.exit_code == 2 and "not a sweep store" in foreign.output


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
    finals = st.output_values(st.open_store(store), ["trained", "adopter"])
    assert finals.shape == (8,) and np.all(finals > 0)
