"""``diffusion sweep-plot``.

a sweep's response curve (one parameter) or heatmap (a grid of two), from its store.
"""

from __future__ import annotations

from pathlib import Path

import click

from diffusion.cli.common import clean_errors


@click.command("sweep-plot")
@click.argument("store", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--measure",
    default="adopters",
    show_default=True,
    help="A measure (adopters, trained, working) or a key outcome of summary.csv "
    "(its column without ' mean').",
)
@click.option("--group", default="all", show_default=True, help="all, or GROUPING:LABEL.")
@click.option("--at", default="end", show_default=True, help="Date of a measure, YYYY-MM-DD.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The figure, a new FILE.png (or .svg, .pdf); an existing file is never replaced.",
)
def sweep_plot(store: Path, measure: str, group: str, at: str, out: Path) -> None:
    """Plot a sweep STORE.

    The output's mean and band over one swept parameter, or a heatmap of its mean over a grid of
    two. Points not done yet are left out.
    """
    from diffusion.cli.sweep import require

    require("xarray", "zarr", extra="sweep")
    with clean_errors():
        from diffusion.outputs import check_new_file

        check_new_file(out, "--out")
        from diffusion.io import save_figure
        from diffusion.sweeps.plots import plot_sweep
        from diffusion.sweeps.store import open_store

        ax = plot_sweep(open_store(store), measure, group, at)
        save_figure(ax, out)
    click.echo(f"wrote {out}")
