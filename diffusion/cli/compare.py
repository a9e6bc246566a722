"""``diffusion compare``: what-if scenarios against a base, with common random numbers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from diffusion.cli.common import (
    NumberRange,
    check_out,
    clean_errors,
    dask_options,
    dates_option,
    fail,
    memory_option,
    overwrite_option,
    progress,
)
from diffusion.cli.run import set_option

if TYPE_CHECKING:
    from diffusion.comparison import Comparison, Outcome, Settings

#: confidence level of the intervals
LEVEL = 0.9
#: report dates used when --date is not given: the base's last few
DEFAULT_DATES = 3  # as diffusion.api.DEFAULT_DATES (checked by a test)


@click.command("compare")
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
    help=f"Date of the people counts and pass probabilities, YYYY-MM-DD (repeatable; "
    f"default: the base's last {DEFAULT_DATES} report dates).",
)
@click.option(
    "--share",
    type=NumberRange(min=0.0, max=1.0, min_open=True),
    default=None,
    help="Share of a department whose passing is asked the probability of "
    "(default: the base's outputs.pass_share, 0.25).",
)
@set_option
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=2),
    default=None,
    help="Also judge each difference under this many parameter sets: the fit's posterior "
    "for the parameters the data move, plausible ranges for the others (diffusion params); "
    "prints how often its sign holds and flags answers that depend on assumptions.",
)
@click.option(
    "--posterior",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --draws: the posterior.csv of a calibration to draw from (default: the "
    "package's fit).",
)
@click.option(
    "--vary",
    multiple=True,
    metavar="PATH=LOW:HIGH",
    help="With --draws: draw this parameter uniformly in [LOW, HIGH] (repeatable), e.g. "
    "--vary model.params.receptivity_hard=0.2:0.8. Both ends must be values the parameter "
    "takes.",
)
@click.option(
    "--report",
    "with_report",
    is_flag=True,
    help="Also write report.html: the client report of diffusion report, from these runs "
    "(with --draws, its headline says how robust each answer is).",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Print every outcome at every date (default: a headline, the outcomes at the last "
    "date for all staff and by department).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the differences.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),  # checked by diffusion.outputs: one line, exit 2
    default=Path("out/compare"),
    show_default=True,
    help="Folder for comparison.csv, comparison.png, difference-over-time.png and manifest.json.",
)
@dask_options(default_workers=0)
@overwrite_option
def compare(
    base: Path,
    what_ifs: tuple[Path, ...],
    n_runs: int | None,
    seed: int | None,
    dates: list[dt.date],
    share: float | None,
    overrides: tuple[str, ...],
    n_draws: int | None,
    posterior: Path | None,
    vary: tuple[str, ...],
    with_report: bool,
    show_all: bool,
    fmt: str,
    out_dir: Path,
    scheduler: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Compare each WHAT_IF scenario with BASE, every one run with the same seeds.

    For each what-if prints its difference from the base (mean over runs of the paired
    differences, with a 90% interval): trained and adopters by department at the dates,
    the probability that a department passes a share of people working from the intent,
    and the years until 10, 25 and 50% of the staff work from the intent (a run that never
    gets there counts as getting there at the end of the calendar, so those differences
    are bounds; "P(reach ...)" says how often it is reached). --set applies to every
    scenario. "working" counts the people working from the intent (trained + adopters), and
    "working share" their share of the staff.

    Prints a headline (the outcomes at the last date, all staff and by department; --all:
    every outcome) and writes comparison.csv (tidy: whatif, measure, group, date, base,
    whatif_value, difference, low, high), comparison.png, difference-over-time.png and
    manifest.json into --out.

    With --draws K every difference is also computed under K parameter sets (the fit's
    posterior and the documented plausible ranges, or --posterior and --vary), on the same
    seeds; the table says in what share of them its sign holds, flags answers whose sign
    holds in fewer than 90% as "depends on assumptions" with the parameters that decide
    it, and robustness.csv holds every outcome's verdict.

    With --workers or --scheduler each scenario's runs are simulated in chunks on Dask
    workers; the outcomes are the same.
    """
    from diffusion.executors import Executor

    check_out(out_dir, overwrite)
    ranges = _ranges(vary)
    if (posterior is not None or ranges) and n_draws is None:
        fail("--posterior and --vary go with --draws K")
    import diffusion
    from diffusion.comparison import unique_names
    from diffusion.comparison_files import file_names
    from diffusion.scenario.build import calendar_of
    from diffusion.scenario.load import load_all

    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=0)
        loaded = load_all([base, *what_ifs], overrides)
        names = unique_names([item.scenario.name for item in loaded])
        first = loaded[0].scenario
        n_runs = first.runs if n_runs is None else n_runs
        total = n_runs * calendar_of(first.calendar).n_steps * len(loaded)
        label = f"simulating {len(loaded)} scenarios x {n_runs} runs"
        draw_label = f"{n_draws or 0} parameter draws x {len(loaded)} scenarios x {n_runs} runs"
        bar = progress(n_draws, draw_label) if n_draws else contextlib.nullcontext(None)
        with progress(total, label) as advance, bar as advance_draws:
            result = diffusion.compare(
                loaded[0],
                dict(zip(names[1:], loaded[1:], strict=True)),
                runs=n_runs,
                seed=seed,
                dates=dates,
                pass_share=share,
                level=LEVEL,
                draws=n_draws,
                posterior=posterior,
                ranges=ranges or None,
                executor=executor,
                progress=advance,
                draw_progress=advance_draws,
                out=out_dir,
                overwrite=overwrite,
                report=with_report,
                command=" ".join(["diffusion", *sys.argv[1:]]),
            )
    every = show_all or fmt != "table"
    shown = list(result.outcomes) if every else result.headline()
    _print(shown, fmt, names[0], n_runs, result.settings, every=every)
    if result.robustness and fmt == "table":
        _print_robustness(result, {(r.what_if, r.outcome) for r in shown})
    written = file_names(result, report=with_report)
    click.echo(f"wrote {out_dir}/: {' '.join(written)}", err=fmt != "table")


def _ranges(vary: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``--vary PATH=LOW:HIGH`` options as ``path -> (low, high)``."""
    out: dict[str, tuple[float, float]] = {}
    for text in vary:
        path, _, span = text.partition("=")
        low, _, high = span.partition(":")
        try:
            bounds = (float(low), float(high))
        except ValueError:
            fail(f"--vary {text!r}: write PATH=LOW:HIGH, e.g. model.params.leader_effect=0.2:0.8")
        if not (math.isfinite(bounds[0]) and math.isfinite(bounds[1]) and bounds[0] < bounds[1]):
            fail(f"--vary {text!r}: give finite LOW < HIGH")
        out[path.strip()] = bounds
    return out


def _print_robustness(result: Comparison, shown: set[tuple[str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120, highlight=False)
    k = result.draws.n_draws
    table = Table(
        title=f"Under {k} parameter draws (posterior and plausible ranges): does the sign hold?",
        title_justify="left",
    )
    for column in (
        "what-if",
        "outcome",
        "difference",
        "spread over draws",
        "sign holds",
        "verdict",
    ):
        table.add_column(column)
    for r in result.robustness:
        if (r.what_if, r.outcome) not in shown:
            continue
        verdict = r.verdict + (f" ({', '.join(r.deciders)})" if r.deciders else "")
        table.add_row(
            r.what_if,
            r.outcome,
            f"{r.difference:+.2f}",
            f"[{r.spread_low:+.2f}, {r.spread_high:+.2f}]",
            f"{100 * r.sign_share:.0f}% of draws",
            verdict,
        )
    console.print(table)


# ------------------------------------------------------------------------------ output
def _print(
    rows: list[Outcome],
    fmt: str,
    base: str,
    n_runs: int,
    settings: Settings,
    *,
    every: bool = True,
) -> None:
    from diffusion.comparison import TIDY_COLUMNS

    if fmt == "json":
        click.echo(json.dumps([row.tidy() for row in rows], indent=2))
        return
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(TIDY_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row.tidy() for row in rows)
        return
    from rich.console import Console
    from rich.table import Table

    level = round(100 * settings.level)
    console = Console(width=120, highlight=False)
    when = "" if every else f" on {max(settings.dates)}"
    for what_if in dict.fromkeys(row.what_if for row in rows):
        table = Table(
            title=f"{what_if} - {base}{when}: mean difference [{level}% interval], "
            f"{n_runs} paired runs",
            title_justify="left",
        )
        columns = [("measure", "left"), ("group", "left")]
        if every:
            columns.append(("date", "left"))
        columns += [("base", "right"), ("what-if", "right"), ("difference", "right")]
        for column, justify in columns:
            table.add_column(column, justify=justify)
        for row in rows:
            if row.what_if != what_if:
                continue
            digits = 3 if row.family in ("probability", "years", "share") else 1

            def num(x: float, sign: str = "", digits: int = digits) -> str:
                return f"{round(x, digits) + 0.0:{sign}.{digits}f}"  # no "-0.0"

            cells = [row.measure, row.group] + ([row.date] if every else [])
            table.add_row(
                *cells,
                num(row.base),
                num(row.what_if_value),
                f"{num(row.difference, '+')} [{num(row.low, '+')}, {num(row.high, '+')}]"
                + (" *" if _excludes_zero(row) else ""),
            )
        console.print(table)
    console.print(
        f"* the {level}% interval excludes 0" + ("" if every else "; --all: every outcome")
    )


def _excludes_zero(row: Outcome) -> bool:
    return bool(row.low > 0 or row.high < 0)
