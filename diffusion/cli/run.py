"""``diffusion run``: simulate the Etten-Leur baseline and report trained and adopters."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from diffusion.cli.common import clean_errors, fail, output_folder, progress

#: measures reported by default: name -> states counted
MEASURES = {"trained": "trained", "adopters": "adopter"}


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@click.command("run")
@click.option(
    "--runs",
    "n_runs",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Monte Carlo runs.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2015,
    show_default=True,
    help="Root seed; run i depends only on (seed, i).",
)
@click.option(
    "--years",
    type=click.FloatRange(min=0.02, max=50),
    default=None,
    help="Years to simulate from the start (default: until 2030-12-31).",
)
@click.option("--until", callback=_date, default=None, help="Last date to simulate, YYYY-MM-DD.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/baseline"),
    show_default=True,
    help="Folder for the CSV, the plot, the results and manifest.json.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Runs simulated together (default: chosen from the organisation's size).",
)
def run(
    n_runs: int,
    seed: int,
    years: float | None,
    until: dt.date | None,
    out_dir: Path,
    batch_size: int | None,
) -> None:
    """Simulate the built-in Etten-Leur baseline: the observed cohorts of 2015-2018, the
    changes at the top in 2018, then a regular cohort cadence.

    Prints trained and adopters by department at a few dates with 90% bands over runs and
    writes series.csv (per-group series with bands), spread.png, results.npz and
    manifest.json into --out.
    """
    if years is not None and until is not None:
        fail("give --years or --until, not both")
    with clean_errors():
        _run(n_runs, seed, years, until, out_dir, batch_size)


def _run(n_runs, seed, years, until, out_dir, batch_size) -> None:
    from diffusion import __version__
    from diffusion.baseline import etten_leur_baseline
    from diffusion.report import band_table, series_rows, write_csv

    study = etten_leur_baseline(until=until, years=years)
    cal = study.calendar
    with progress(n_runs * cal.n_steps, f"simulating {n_runs} runs") as advance:
        results = study.simulate(n_runs, seed, batch_size=batch_size, progress=advance)
    dates = _report_dates(cal)
    rows = band_table(results, cal, MEASURES, dates, grouping="department")
    _print_table(rows, results.n_runs, study.name)

    with output_folder(out_dir) as tmp:
        write_csv(series_rows(results, cal, MEASURES), tmp / "series.csv")
        write_csv(_flatten(rows), tmp / "summary.csv")
        _plot(results, cal, tmp / "spread.png")
        results.save(tmp / "results.npz")
        manifest = {
            "command": " ".join(["diffusion", *sys.argv[1:]]),
            "study": study.name,
            "runs": n_runs,
            "seed": seed,
            "start": cal.start.isoformat(),
            "end": cal.end.isoformat(),
            "version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "provenance": results.provenance,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    click.echo(f"wrote {out_dir}/: series.csv summary.csv spread.png results.npz manifest.json")


def _report_dates(cal) -> list[dt.date]:
    """Mid-2016, mid-2018 (the report), then every few years to the end."""
    wanted = [dt.date(2016, 7, 1), dt.date(2018, 7, 1), dt.date(2020, 7, 1), dt.date(2025, 7, 1)]
    dates = [d for d in wanted if cal.start <= d <= cal.end]
    return [*dates, cal.date_of(cal.n_steps)]


def _flatten(rows: list[dict]) -> list[dict]:
    flat = []
    for row in rows:
        out = {"group": row["group"], "date": row["date"]}
        for measure in MEASURES:
            mean, low, high = row[measure]
            out |= {
                f"{measure}_mean": round(mean, 3),
                f"{measure}_q05": low,
                f"{measure}_q95": high,
            }
        flat.append(out)
    return flat


def _print_table(rows: list[dict], n_runs: int, name: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{name}: mean [90% band] over {n_runs} runs")
    table.add_column("department")
    table.add_column("date")
    for measure in MEASURES:
        table.add_column(measure, justify="right")
    last_group = None
    for row in rows:
        group = row["group"] if row["group"] != last_group else ""
        last_group = row["group"]
        cells = [f"{m:.1f} [{lo:.0f}, {hi:.0f}]" for m, lo, hi in (row[k] for k in MEASURES)]
        table.add_row(group, row["date"], *cells)
    Console(width=100).print(table)


def _plot(results, cal, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from diffusion.plotting import plot_spread_panels

    fig = plot_spread_panels(results, {"trained": "trained", "adopters": "adopter"}, calendar=cal)
    fig.savefig(path, dpi=110)
    plt.close(fig)
