"""``sweep-plot``: a response curve for one swept parameter, a heatmap for a grid of two,
each showing the store's values at the right places."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

pytest.importorskip("xarray")

from click.testing import CliRunner

from diffusion.cli.sweep_plot import sweep_plot
from diffusion.errors import InputError
from diffusion.sweeps import store as st
from diffusion.sweeps.execute import run_local
from diffusion.sweeps.plan import plan_sweep
from diffusion.sweeps.plots import plot_sweep
from tests.sweep.common import BASELINE, PARAMS, SHORT


def make(store, params, done=None):
    p = plan_sweep(BASELINE, params, sets=SHORT, runs=6, seed=3, store=str(store))
    offsets = np.array([t.run_offset for t in p.tasks])
    st.create_store(store, p.layout, p.params, offsets, p.overrides, p.attrs)
    run_local([t for t in p.tasks if done is None or t.index in done])
    return st.open_store(store)


def test_one_parameter_gives_a_curve_through_each_done_point_with_its_band(tmp_path):
    ds = make(tmp_path / "s.zarr", ["model.params.p_adopt_per_week=log:0.01:0.09:3"], done={0, 2})
    ax = plot_sweep(ds, "adopters", "department:O")
    mean, low, high = st.measure_band(ds, "adopters", "end", "department:O")
    x = ds["model.params.p_adopt_per_week"].values
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_xydata(), np.c_[x[[0, 2]], mean[[0, 2]]])
    assert ax.get_xscale() == "log"
    (band,) = ax.collections  # the band's polygon passes through low and high at each x
    vertices = band.get_paths()[0].vertices
    for i in (0, 2):
        ys = vertices[np.isclose(vertices[:, 0], x[i]), 1]
        assert np.isclose(ys.min(), low[i]) and np.isclose(ys.max(), high[i])
    assert "adopters (department:O) at end" in ax.get_ylabel()
    plt.close(ax.figure)


def test_a_grid_of_two_gives_a_heatmap_with_one_cell_per_point(tmp_path):
    ds = make(tmp_path / "s.zarr", list(PARAMS))
    ax = plot_sweep(ds, "working", at="2015-10-01")
    mesh = ax.collections[0]
    cells = np.asarray(mesh.get_array()).reshape(2, 2)  # (leader_effect, p_adopt)
    mean = st.measure_band(ds, "working", "2015-10-01")[0]
    p_adopt = ds["model.params.p_adopt_per_week"].values
    leader = ds["model.params.leader_effect"].values
    for p in range(4):
        row = int(np.searchsorted([0.2, 0.8], leader[p]))
        col = int(np.searchsorted([0.01, 0.04], p_adopt[p]))
        assert cells[row, col] == pytest.approx(mean[p])
    assert ax.get_xlabel() == "model.params.p_adopt_per_week"
    plt.close(ax.figure)


def test_the_command_writes_a_png_and_refuses_what_it_cannot_draw(tmp_path):
    store = tmp_path / "s.zarr"
    make(store, ["model.params.p_adopt_per_week=0.01:0.04:2"])
    out = tmp_path / "plot.png"
    outcome = "years to 10% of staff working from the intent"
    result = CliRunner().invoke(sweep_plot, [str(store), "--measure", outcome, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    again = tmp_path / "again.png"
    bad = CliRunner().invoke(sweep_plot, [str(store), "--measure", "nope", "--out", str(again)])
    assert bad.exit_code == 2 and "no outcome 'nope'" in bad.output
    assert "Traceback" not in bad.output and not again.exists()
    # the figure it wrote is not replaced by the next command
    kept = out.read_bytes()
    twice = CliRunner().invoke(sweep_plot, [str(store), "--measure", outcome, "--out", str(out)])
    assert twice.exit_code == 2 and "exists; give a new file name" in twice.output
    assert out.read_bytes() == kept
    ds = make(tmp_path / "empty.zarr", ["model.params.p_adopt_per_week=0.01:0.04:2"], done=set())
    with pytest.raises(InputError, match="no point of the sweep is done"):
        plot_sweep(ds)
