"""``diffusion fit-report``: how well a scenario reproduces Table 1's patterns."""

from __future__ import annotations

from pathlib import Path

import click

from diffusion.cli.common import (
    check_out,
    clean_errors,
    dask_options,
    overwrite_option,
)
from diffusion.cli.run import set_option


@click.command("fit-report")
@click.argument(
    "scenario", required=False, type=click.Path(dir_okay=False, path_type=Path), default=None
)
@set_option
@click.option(
    "--runs",
    type=click.IntRange(min=20),
    default=500,
    show_default=True,
    help="Runs of the model and of each null model.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Root seed [default: the scenario's].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for patterns.csv, nulls.csv and manifest.json.",
)
@dask_options(default_workers=0)
@overwrite_option
def fit_report(
    scenario: Path | None,
    overrides: tuple[str, ...],
    runs: int,
    seed: int | None,
    out_dir: Path,
    scheduler: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Compare every pattern of Table 1 with runs of SCENARIO to autumn 2018.

    SCENARIO defaults to the Etten-Leur baseline. Per pattern: observed value, simulated mean
    and 90% band, tail probability, share of runs reproducing it (patterns.csv); the share of
    runs reproducing all at once; and the log score of Table 1 under the model and two null
    recruitment models, seats filled uniformly or by side only (nulls.csv). See
    docs/calibration.md. With --workers or --scheduler the runs are simulated in chunks on
    Dask workers; the report is the same.
    """
    check_out(out_dir, overwrite)  # before any worker starts
    with clean_errors():
        from diffusion.api import fit_report as report_of
        from diffusion.executors import Executor

        executor = Executor.from_options(scheduler, workers, default_workers=0)
        executor.check_available()
        report = report_of(
            scenario,
            runs=runs,
            seed=seed,
            overrides=overrides,
            executor=executor,
            out=out_dir,
            overwrite=overwrite,
        )
    _print(report)
    click.echo(f"wrote {out_dir}/: patterns.csv nulls.csv manifest.json")


def _print(report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=110)
    rows = report.patterns.rows()
    inside = sum(r["inside"] for r in rows)
    t = Table(
        title=f"Table 1's patterns, {report.n_runs} runs: {inside} of {len(rows)} inside the 90% "
        f"band; {report.patterns.joint_share:.1%} of runs reproduce all "
        f"({report.patterns.joint_share_without_order:.1%} all but the order facts)"
    )
    for name in ("pattern", "observed", "mean", "90% band", "tail p", "reproduced"):
        t.add_column(name, justify="left" if name == "pattern" else "right")
    for r in rows:
        t.add_row(
            r["pattern"],
            f"{r['observed']:g}",
            f"{r['mean']:.2f}",
            f"[{r['low']:g}, {r['high']:g}]" + ("" if r["inside"] else " OUT"),
            f"{r['tail_probability']:.2f}",
            f"{r['reproduced_share']:.0%}" + (" fixed" if r["fixed"] else ""),
        )
    console.print(t)
    console.print(
        "fixed: the same in every run, set by the scenario (history it conditions on) or a "
        "fixed parameter; reported, not fitted",
        style="dim",
    )
    n = Table(title="log score of Table 1 (higher is better)")
    for name in (
        "model",
        "per-team vector",
        "cell sizes",
        "total",
        "vs model",
        "joint",
        "no order",
    ):
        n.add_column(name, justify="left" if name == "model" else "right")
    for r in report.null_rows():
        n.add_row(
            r["model"],
            f"{r['team_log_score']:.2f}",
            f"{r['cell_log_score']:.2f}",
            f"{r['log_score']:.2f}",
            f"{r['vs_model']:+.2f}",
            f"{r['joint_share']:.1%}",
            f"{r['joint_share_without_order']:.1%}",
        )
    console.print(n)
    for line in report.verdict():
        console.print(f"- {line}", highlight=False)


__all__ = ["fit_report"]
