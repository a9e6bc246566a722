"""Plotting functions return the Axes they drew on, with the artists they promise."""

from __future__ import annotations

import datetime as dt
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from diffusion.calendar import Calendar
from diffusion.comparison import Outcome
from diffusion.engine import simulate
from diffusion.io import save_figure
from diffusion.plotting import (
    group_names,
    label_slots,
    mark_events,
    new_figure,
    plot_difference_over_time,
    plot_differences,
    plot_heatmap,
    plot_org_state,
    plot_response,
    plot_spread,
    plot_spread_panels,
    smooth_quantiles,
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
    ax = plot_org_state(tiny_org(), results, step=2, calendar=cal, milestone="adopted")
    assert "by the week of 2020-01-20" in ax.get_title() and "50 runs" in ax.get_title()


def sided_org():
    """The ring with sides: department A soft, B hard."""
    org = tiny_org()
    side = org.groups["department"].copy()
    return type(org)(
        node_ids=org.node_ids,
        weights=org.weights,
        groups={**org.groups, "side": side},
        group_labels={**org.group_labels, "side": ("soft", "hard")},
        workload=org.workload,
        manager=org.manager,
        is_staff=org.is_staff,
        name=org.name,
    )


def test_departments_get_names_with_sides_and_distinct_colours(results):
    names = group_names(sided_org())
    assert names == {"A": "A (soft)", "B": "B (hard)"}
    ax = plot_spread(
        results,
        "on",
        "department",
        names=names,
        scenario="ring-test",
        markers=[(5, "course")],
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A (soft)", "B (hard)"]
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len({line.get_color() for line in curves}) == 2
    # strong lines, light bands: the band's face is far more transparent than its line
    assert all(line.get_linewidth() >= 2 for line in curves)
    assert all(band.get_facecolor()[0][3] < 0.2 for band in ax.collections)
    assert ax.get_title().startswith("ring-test: people on") and "50 runs" in ax.get_title()
    assert ax.get_ylabel() == "people on"
    # the event marker: a vertical line at step 5 with its label
    assert any(list(line.get_xdata()) == [5, 5] for line in ax.get_lines())
    assert "course" in [t.get_text().strip() for t in ax.texts]


def test_label_slots_keep_the_order_and_apart_and_move_only_crowded_labels():
    gen = np.random.default_rng(4)
    at = np.sort(np.concatenate([gen.uniform(0.2, 0.3, 8), [0.05, 0.6, 0.9]]))
    slots = label_slots(at, 0.02)
    assert np.all(np.diff(slots) >= 0.02 - 1e-12)  # side by side, in their order
    for alone in (0.05, 0.6, 0.9):  # nothing near: not moved
        assert slots[np.flatnonzero(at == alone)[0]] == alone
    crowd = (at > 0.1) & (at < 0.5)  # packed around where they belong: the same mean
    assert abs(slots[crowd].mean() - at[crowd].mean()) < 1e-12


def test_labels_of_close_events_do_not_overlap():
    # the baseline's 2017-2018 changes, months apart on a 16-year axis: their labels were
    # drawn over each other
    cal = Calendar(dt.date(2015, 1, 5), dt.date(2030, 12, 30))
    fig = plt.figure(figsize=(7, 3.5))
    ax = fig.add_subplot()
    x = np.array([np.datetime64("2015-01-05"), np.datetime64("2030-12-30")])
    ax.plot(x, [0, 1])
    days = [800, 880, 970, 1200, 1200, 1270]
    names = ["network project", "leader backing", "forum starts", "alderman leaves"]
    names += ["network project", "new secretary"]
    start = dt.date(2015, 1, 5)
    events = [(start + dt.timedelta(days=d), n) for d, n in zip(days, names, strict=True)]
    mark_events(ax, events, calendar=cal)
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert len(boxes) == 5  # two events on one date share a label
    assert [t.get_text() for t in ax.texts][3] == "alderman leaves, network project"
    for a, b in itertools.pairwise(boxes):
        assert a.x1 <= b.x0 + 0.5, (a, b)  # side by side, left to right (half a pixel)


def test_working_from_the_intent_is_said_in_words():
    from diffusion.plotting import state_words

    assert state_words(("trained", "adopter")) == "working from the intent"
    assert state_words("trained") == "trained"


def test_smooth_quantiles_are_between_order_statistics_and_smooth():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 4, size=(40, 200))  # small counts: raw quantiles jump
    low, high = smooth_quantiles(values, (0.05, 0.95))
    assert np.all(low >= values.min(axis=0)) and np.all(high <= values.max(axis=0))
    assert np.all(low <= high)
    # Harrell-Davis is a weighted mean of order statistics: for a constant column it is it
    np.testing.assert_allclose(smooth_quantiles(np.full((40, 3), 2.0), (0.1, 0.9)), 2.0)
    # it takes more distinct values than the raw quantile's 4 integers (not blocky)
    assert len(np.unique(np.round(high, 6))) > 4
    # a large sample: near the exact quantiles of the uniform distribution on 0..1
    big = rng.random((4000, 1))
    np.testing.assert_allclose(smooth_quantiles(big, (0.05, 0.95))[:, 0], [0.05, 0.95], atol=0.02)


def test_heatmap_labels_cell_centres_values_and_runs():
    ax = plot_heatmap(
        [1, 2, 4], [10, 20], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], label="share", runs=50
    )
    np.testing.assert_array_equal(ax.get_xticks(), [1, 2, 4])
    np.testing.assert_array_equal(ax.get_yticks(), [10, 20])
    texts = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert ((4.0, 10.0), "0.300") in texts and ((1.0, 20.0), "0.400") in texts
    assert "50 runs per cell" in ax.get_title()


def test_org_picture_names_departments(results):
    ax = plot_org_state(sided_org(), results, step=10)
    assert {"A (soft)", "B (hard)"} <= {t.get_text() for t in ax.texts}


def test_difference_over_time_and_files_only_where_asked(tmp_path):
    fig = new_figure()
    ax = fig.add_subplot()
    x = np.arange(10)
    plot_difference_over_time(x, x * 0.5, x * 0.5 - 1, x * 0.5 + 1, markers=[(3, "x")], ax=ax)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), x * 0.5)
    assert len(list(tmp_path.iterdir())) == 0  # nothing written without a path
    path = save_figure(fig, tmp_path / "d.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
