"""The plot of the advice: each choice's gain over nomination, run by run."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffusion.advisor.advice import Advice


def plot_gains(advice: Advice, path: Path) -> None:
    """Write a PNG.

    For each choice (the advice, the strategies), the distribution over the reporting runs of its
    paired difference from nomination (a violin), with the mean and its 90% interval.
    """
    import numpy as np

    from diffusion.io import save_figure
    from diffusion.plotting import new_figure

    rows = [r for r in advice.rows if r.key != "nominated"]
    fig = new_figure(9, 0.7 * len(rows) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    data = [r.differences for r in rows]
    if all(np.ptp(d) > 0 for d in data):
        ax.violinplot(data, positions=y, orientation="horizontal", showextrema=False)
    for k, r in enumerate(rows):
        ax.plot([r.gain.low, r.gain.high], [k, k], color="black", linewidth=2)
        ax.plot(r.gain.mean, k, "o", color="black")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, [r.label for r in rows], fontsize="small")
    ax.invert_yaxis()
    req = advice.request
    ax.set_xlabel(textwrap.fill(f"gain over nomination: {req.objective.name}", 90))
    ax.set_title(
        f"Cohort of {req.at}, {req.seats} seats: gain over nomination in each of "
        f"{req.n_runs} paired runs\n(dot and bar: mean and 90% interval)",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, path)
