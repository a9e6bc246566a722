"""Plotting functions return the Axes they drew on, with the artists they promise."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from diffusion.calendar import Calendar
from diffusion.compare import Outcome
from diffusion.engine import simulate
from diffusion.plotting import (
    plot_differences,
    plot_heatmap,
    plot_org_state,
    plot_response,
    plot_spread,
    plot_spread_panels,
)
from tests.test_engine import Flip, tiny_org


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def results():
    return simulate(Flip(), tiny_org(), n_runs=50, n_steps=20, seed=1)


def test_plot_spread_draws_a_curve_and_band_per_group(results):
    ax = plt.figure().add_subplot()
    assert plot_spread(results, "on", "department", ax=ax) is ax
    assert [line.get_label() for line in ax.get_lines()] == ["A", "B"]
    assert len(ax.collections) == 2  # one band per group
    # the mean curve is the mean over runs of the group's count
    np.testing.assert_allclose(
        ax.get_lines()[0].get_ydata(), results.series("on", "department", "A").mean(axis=0)
    )


def test_plot_spread_share_and_dates(results):
    cal = Calendar(dt.date(2020, 1, 6), dt.date(2020, 5, 25))
    ax = plot_spread(results, "on", calendar=cal, share=True)
    assert ax.get_lines()[0].get_ydata().max() <= 1.0
    assert ax.get_xlabel() == "date"
    fig = plot_spread_panels(results, {"on": "on", "off": "off"}, calendar=cal)
    assert len(fig.axes) == 2


def test_plot_differences_has_one_errorbar_per_what_if():
    rows = [
        Outcome("a", "x", 1.0, 2.0, 1.0, 0.5, 1.5),
        Outcome("a", "y", 1.0, 0.0, -1.0, -1.5, -0.5),
        Outcome("b", "x", 1.0, 3.0, 2.0, 1.0, 3.0),
    ]
    ax = plot_differences(rows)
    assert len(ax.containers) == 2  # errorbar containers for what-ifs a and b
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    np.testing.assert_allclose(ax.containers[0].lines[0].get_xdata(), [1.0, -1.0])


def test_plot_response_and_heatmap():
    ax = plot_response([3, 1, 2], [30, 10, 20], [25, 5, 15], [35, 15, 25], log_x=True)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    assert ax.get_xscale() == "log" and len(ax.collections) == 1
    ax = plot_heatmap([1, 2, 3], [10, 20], np.arange(6).reshape(2, 3), label="z")
    mesh = ax.collections[0]
    np.testing.assert_array_equal(mesh.get_array().ravel(), np.arange(6))


def test_plot_org_state_colours_people_by_share_adopted(results):
    org = tiny_org()
    ax = plot_org_state(org, results, step=10)
    points = ax.collections[-1]
    expected = ((results.adopted_step >= 0) & (results.adopted_step <= 10)).mean(axis=0)
    np.testing.assert_allclose(points.get_array(), expected)
    assert len(ax.collections[0].get_segments()) == 12  # the ring's ties


def test_labels_groups_and_dates(results):
    ax = plot_spread(results, "on", label="base")
    plot_spread(results, "off", label="other", ax=ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["base", "other"]
    fig = plot_spread_panels(results, {"on": "on"}, "department", groups=["B"], share=True)
    (line,) = fig.axes[0].get_lines()
    assert line.get_label() == "B" and line.get_ydata().max() <= 1.0
    cal = Calendar(dt.date(2020, 1, 6), dt.date(2020, 5, 25))
    ax = plot_org_state(tiny_org(), results, step=2, calendar=cal)
    assert ax.get_title().endswith("by 2020-01-20")
