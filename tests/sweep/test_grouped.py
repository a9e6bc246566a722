"""Points that differ only in parameters the model takes per run are simulated as one batch,
and the store is the one of simulating each point alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

pytest.importorskip("dask")
pytest.importorskip("xarray")
pytest.importorskip("zarr")

from diffusion.sweeps import execute
from diffusion.sweeps import store as st
from diffusion.sweeps.execute import point_groups, run_dask, run_local, simulate_group
from diffusion.sweeps.plan import plan_sweep
from tests.advise.conftest import SPEC
from tests.scenario._toml import dumps
from tests.sweep.common import BASELINE, PARAMS, SHORT, stored

#: SIR on a small generated organisation; beta and gamma vary per run in the engine
SIR = {
    "name": "sir-sweep",
    "runs": 30,
    "seed": 5,
    "organisation": {"spec": "org.toml", "seed": 0},
    "model": {"name": "sir", "params": {"beta": 0.05, "gamma": 0.2, "initial_infected": 2}},
    "calendar": {"start": dt.date(2020, 1, 6), "end": dt.date(2020, 9, 28)},
}
SWEPT = ("model.params.beta=[0.03, 0.1, 0.3]", "model.params.gamma=[0.1, 0.4]")


@pytest.fixture(scope="module")
def sir_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sir")
    (folder / "org.toml").write_text(SPEC, encoding="utf-8")
    (folder / "sir.toml").write_text(dumps(SIR), encoding="utf-8")
    return folder / "sir.toml"


def make(plan):
    offsets = np.array([t.run_offset for t in plan.tasks])
    path = plan.tasks[0].store
    st.create_store(path, plan.layout, plan.params, offsets, plan.overrides, plan.attrs)
    return path


def test_sir_points_run_as_one_batch_give_each_points_runs(sir_file, tmp_path, monkeypatch):
    for design, extra in (("grid", {}), ("sobol", {"points": 2})):
        params = SWEPT if design == "grid" else ("model.params.beta=0.02:0.3",)
        plans = [
            plan_sweep(
                sir_file, params, design=design, store=str(tmp_path / f"{design}{k}"), **extra
            )
            for k in (0, 1)
        ]
        groups = point_groups(plans[0].tasks)
        assert [len(g) for g in groups] == [len(plans[0].tasks)]  # 6 (grid) or 8 (sobol)
        for task, results in zip(groups[0], simulate_group(groups[0]), strict=True):
            single = execute.simulate_point(task)
            np.testing.assert_array_equal(results.total, single.total)
            np.testing.assert_array_equal(results.adopted_step, single.adopted_step)
            np.testing.assert_array_equal(results.run_ids, single.run_ids)
            for g in single.counts:
                np.testing.assert_array_equal(results.counts[g], single.counts[g])
            assert results.provenance == single.provenance
        # the whole store: grouped, and one point at a time
        grouped = make(plans[0])
        run_local(plans[0].tasks)
        monkeypatch.setattr(execute, "GROUP_RUNS", 0)
        assert [len(g) for g in point_groups(plans[1].tasks)] == [1] * len(plans[1].tasks)
        alone = make(plans[1])
        run_local(plans[1].tasks)
        monkeypatch.undo()
        x, y = stored(grouped), stored(alone)
        assert x.keys() == y.keys()
        for name in x:
            np.testing.assert_array_equal(x[name], y[name], err_msg=name)


def test_groups_spread_over_workers_and_ideas_points_stay_alone(
    sir_file, tmp_path, client, monkeypatch
):
    plan = plan_sweep(sir_file, SWEPT, store=str(tmp_path / "grid"))
    assert [len(g) for g in point_groups(plan.tasks, parts=4)] == [2, 2, 2]
    # on the workers: 16 points, 8 groups of 2 for 4 parts a worker of 2 workers (with the
    # 6 points above every group would be one point and nothing would be grouped there)
    wide = ("model.params.beta=[0.03, 0.1, 0.2, 0.3]", "model.params.gamma=[0.1, 0.2, 0.3, 0.4]")
    plan = plan_sweep(sir_file, wide, store=str(tmp_path / "dask"))
    workers = len(client.scheduler_info()["workers"])
    assert [len(g) for g in point_groups(plan.tasks, parts=4 * workers)] == [2] * 8
    path = make(plan)
    run_dask(plan.tasks, client)
    assert st.completed(path).all()
    # the store the groups wrote on the workers is that of each point alone here
    monkeypatch.setattr(execute, "GROUP_RUNS", 0)
    local = plan_sweep(sir_file, wide, store=str(tmp_path / "local"))
    alone = make(local)
    run_local(local.tasks)
    monkeypatch.undo()
    x, y = stored(path), stored(alone)
    assert x.keys() == y.keys()
    for name in x:
        np.testing.assert_array_equal(x[name], y[name], err_msg=name)
    # the ideas model takes the leader effect as one value: one point a group
    ideas = plan_sweep(BASELINE, PARAMS, sets=SHORT, runs=5, store=str(tmp_path / "ideas"))
    assert [len(g) for g in point_groups(ideas.tasks)] == [1, 1, 1, 1]
    # and its recruitment parameters per run: the points of a grid of them are one group
    recruit = ("model.params.nomination_pair=[0.2, 0.8]", "model.params.receptivity_hard=[0.1, 1]")
    ideas = plan_sweep(BASELINE, recruit, sets=SHORT, runs=5, store=str(tmp_path / "recruit"))
    assert [len(g) for g in point_groups(ideas.tasks)] == [4]
    assert point_groups([]) == []  # nothing left to compute (a resumed, finished sweep)
