"""``diffusion compare``: what-if scenarios against a base, with common random numbers."""

from __future__ import annotations

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
    output_folder,
    overwrite_option,
    progress,
)
from diffusion.cli.run import load, set_option
from diffusion.outputs import write_manifest

if TYPE_CHECKING:
    from diffusion.comparison import Comparison, Outcome, Settings
    from diffusion.scenario.load import LoadedScenario

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
    "--vary model.params.receptivity_hard=0.2:0.8.",
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
    with clean_errors():
        from diffusion.api import compare as compare_scenarios

        executor = Executor.from_options(scheduler, workers, default_workers=0)
        from diffusion.scenario.build import calendar_of

        loaded = _load_all([base, *what_ifs], overrides)
        names = _unique([item.scenario.name for item in loaded])
        first = loaded[0].scenario
        n_runs = first.runs if n_runs is None else n_runs
        seed = first.seed if seed is None else seed
        total = n_runs * calendar_of(first.calendar).n_steps * len(loaded)
        label = f"simulating {len(loaded)} scenarios x {n_runs} runs"
        draw_label = f"{n_draws or 0} parameter draws x {len(loaded)} scenarios x {n_runs} runs"
        with (
            progress(total, label) as advance,
            progress(n_draws or 0, draw_label) as advance_draws,
        ):
            result = compare_scenarios(
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
            )
    rows, settings = list(result.outcomes), result.settings
    shown = rows if show_all or fmt != "table" else headline(rows, settings)
    _print(shown, fmt, names[0], n_runs, settings, every=show_all or fmt != "table")
    if result.robustness and fmt == "table":
        _print_robustness(result, {(r.what_if, r.outcome) for r in shown})
    with output_folder(out_dir, overwrite) as tmp:
        from diffusion.comparison_plots import plot_comparison, plot_comparison_over_time
        from diffusion.io import save_figure
        from diffusion.tables import write_csv

        write_csv([row.tidy() for row in rows], tmp / "comparison.csv")
        if result.robustness:
            write_csv([r.row() for r in result.robustness], tmp / "robustness.csv")
        if with_report:
            _write_report(result, names, loaded, n_draws or 0, tmp / "report.html")
        save_figure(plot_comparison(result), tmp / "comparison.png")
        save_figure(plot_comparison_over_time(result), tmp / "difference-over-time.png")
        write_manifest(
            tmp,
            dict(zip(names, loaded, strict=True)),
            n_runs,
            seed,
            base=names[0],
            what_ifs=names[1:],
            dates=[d.isoformat() for d in settings.dates],
            pass_share=settings.pass_share,
            reach_shares=list(settings.reach_shares),
            level=settings.level,
            **_draws_manifest(result),
        )
    written = "comparison.csv robustness.csv" if result.robustness else "comparison.csv"
    written += " report.html" if with_report else ""
    click.echo(
        f"wrote {out_dir}/: {written} comparison.png difference-over-time.png manifest.json",
        err=fmt != "table",
    )


def _write_report(
    result: Comparison,
    names: Sequence[str],
    loaded: Sequence[LoadedScenario],
    n_draws: int,
    path: Path,
) -> None:
    """Return the client report (:mod:`diffusion.htmlreport`) of this comparison's runs."""
    from diffusion.comparison import GROUPINGS
    from diffusion.htmlreport import build
    from diffusion.io import atomic_write
    from diffusion.scenario.build import build_study

    sims = [
        build.Simulated(name, item, build_study(item.scenario, groupings=GROUPINGS), runs)
        for name, item, runs in zip(names, loaded, (result.results[n] for n in names), strict=True)
    ]
    judged = {(r.what_if, r.measure, r.group, r.date): r for r in result.robustness}
    context = build.build_context(
        sims,
        dates=result.settings.dates,
        level=result.settings.level,
        command=" ".join(["diffusion", *sys.argv[1:]]),
        judged=judged or None,
        n_draws=n_draws,
    )
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(build.render(context))


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


def _draws_manifest(result: Comparison) -> dict[str, object]:
    """Return the manifest's record of the parameter draws (empty without --draws)."""
    if result.draws is None:
        return {}
    return {
        "draws": result.draws.n_draws,
        "drawn_parameters": dict(result.draws.origin),
    }


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


def _load_all(files: Sequence[Path], overrides: Sequence[str]) -> list[LoadedScenario]:
    """Load every scenario, reporting the problems of all the files at once."""
    from diffusion.scenario.problems import ScenarioError

    loaded, problems = [], []
    for file in files:
        try:
            loaded.append(load(file, overrides))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return loaded


def _unique(names: list[str]) -> list[str]:
    """Names made unique by a suffix (comparing a scenario with itself)."""
    from diffusion.api import unique_names

    return unique_names(names)


# ------------------------------------------------------------------------------ output
def headline(rows: list[Outcome], settings: Settings) -> list[Outcome]:
    """Return the outcomes a table shows by default.

    Every measure and the share working at the last date, for all staff and by department.
    """
    last = max(settings.dates).isoformat()
    wanted = {*settings.measures, "working share"}
    return [r for r in rows if r.date == last and r.measure in wanted]


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
