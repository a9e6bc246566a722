"""``diffusion report``: one self-contained HTML report of what-ifs against a base."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

import click

from diffusion.cli.common import (
    clean_errors,
    dask_options,
    dates_option,
    memory_option,
    overwrite_option,
    progress,
)
from diffusion.cli.run import set_option


@click.command("report")
@memory_option
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument(
    "what_ifs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--runs",
    "n_runs",
    type=click.IntRange(min=2),
    default=None,
    help="Monte Carlo runs of every scenario (default: the base's runs).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Root seed shared by every scenario (default: the base's).",
)
@click.option(
    "--date",
    "dates",
    multiple=True,
    callback=dates_option,
    help="Report date, YYYY-MM-DD (repeatable; the headline is at the last; default: the "
    "base's report dates after the earliest what-if change, and the calendar's end).",
)
@set_option
@click.option("--pdf", is_flag=True, help="Also print report.pdf with headless Chromium.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/report"),
    show_default=True,
    help="Folder for report.html, comparison.csv and manifest.json.",
)
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=2),
    default=None,
    help="Also say, per headline answer, whether its direction holds under this many "
    "parameter sets the data allow (the fit's posterior and plausible ranges).",
)
@dask_options(default_workers=0)
@overwrite_option
def report(
    base: Path,
    what_ifs: tuple[Path, ...],
    n_runs: int | None,
    seed: int | None,
    dates: list[dt.date],
    overrides: tuple[str, ...],
    pdf: bool,
    out_dir: Path,
    n_draws: int | None,
    scheduler: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Simulate BASE and each WHAT_IF with the same seeds and write one report.html for a client.

    It shows the question each what-if asks, a headline table in plain words, the curves and
    the difference over time with the what-if's events marked, departments, the chance of
    reaching a share of the staff, what the model assumes, and how the report was made.

    The page has its images and styles inline: it opens from disk without network. With
    --workers or --scheduler the runs are simulated in chunks on Dask workers; the report
    is the same.
    """
    import diffusion
    from diffusion.executors import Executor
    from diffusion.scenario.build import calendar_of
    from diffusion.scenario.load import load_all

    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=0)
        loaded = load_all([base, *what_ifs], overrides)
        first = loaded[0].scenario
        n_runs = first.runs if n_runs is None else n_runs
        steps = n_runs * calendar_of(first.calendar).n_steps * len(loaded)
        label = f"{n_draws or 0} parameter draws x {len(loaded)} scenarios x {n_runs} runs"
        bar = progress(n_draws, label) if n_draws else contextlib.nullcontext(None)
        with (
            progress(steps, f"simulating {len(loaded)} scenarios x {n_runs} runs") as advance,
            bar as advance_draws,
        ):
            written = diffusion.report(
                loaded[0],
                loaded[1:],
                out=out_dir,
                runs=n_runs,
                seed=seed,
                dates=dates,
                draws=n_draws,
                executor=executor,
                pdf=pdf,
                overwrite=overwrite,
                command=" ".join(["diffusion", *sys.argv[1:]]),
                progress=advance,
                draw_progress=advance_draws,
            )
    click.echo(f"wrote {out_dir}/: {' '.join(p.name for p in written)}")
    click.echo(f"open {(out_dir / 'report.html').resolve().as_uri()}")
