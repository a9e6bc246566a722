"""The comparison's figures: one style per what-if in both, nothing covering the points."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import diffusion
from diffusion.comparison_plots import plot_comparison, plot_comparison_over_time
from diffusion.plotting import what_if_styles

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def comparison():
    base = diffusion.load_scenario()
    push = diffusion.load_scenario(SCENARIOS / "top-down-push.toml")
    secretary = diffusion.load_scenario(SCENARIOS / "new-secretary-supportive.toml")
    return diffusion.compare(base, {"push": push, "secretary": secretary}, runs=6, seed=3)


def test_twelve_what_ifs_get_twelve_different_styles():
    styles = what_if_styles([f"w{k}" for k in range(12)])
    looks = {(s.colour, s.marker) for s in styles.values()}
    assert len(looks) == 12
    assert len({(s.colour, s.line) for s in styles.values()}) == 12
    # the first eight differ in colour alone: a plain comparison needs no legend decoding
    assert len({styles[f"w{k}"].colour for k in range(8)}) == 8


def test_both_figures_draw_each_what_if_in_the_same_colour(comparison):
    styles = what_if_styles(comparison.what_ifs)
    fig = plot_comparison(comparison)
    for ax in fig.axes:
        for container, name in zip(ax.containers, comparison.what_ifs, strict=True):
            assert container.lines[0].get_color() == styles[name].colour
    over = plot_comparison_over_time(comparison)
    (ax,) = over.axes
    drawn = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert {name: drawn[name] for name in comparison.what_ifs} == {
        name: styles[name].colour for name in comparison.what_ifs
    }


def test_the_legend_covers_no_panel(comparison):
    fig = plot_comparison(comparison)
    canvas = FigureCanvasAgg(fig)  # the figure belongs to no pyplot backend: lay it out
    canvas.draw()
    renderer = canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert [t.get_text() for t in legend.get_texts()] == list(comparison.what_ifs)
    for ax in fig.axes:
        assert not box.overlaps(ax.get_tightbbox(renderer)), ax.get_title()
    for a, b in itertools.combinations(fig.axes, 2):  # nor do panels overlap each other
        assert not a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer))


def test_each_panel_plots_every_outcome_of_its_family_at_the_last_date(comparison):
    fig = plot_comparison(comparison)
    by_title = {ax.get_title(): ax for ax in fig.axes}
    working = by_title[f"working at {comparison.settings.dates[-1].isoformat()}"]
    rows = [
        r
        for r in comparison.outcomes
        if r.family == "working" and r.outcome.endswith(comparison.settings.dates[-1].isoformat())
    ]
    names = list(dict.fromkeys(r.outcome for r in rows))
    assert len(working.get_yticklabels()) == len(names)
    push = working.containers[0].lines[0].get_xdata()
    np.testing.assert_allclose(
        push,
        [next(r.difference for r in rows if r.what_if == "push" and r.outcome == n) for n in names],
    )
