"""Build one self-contained HTML report from a base scenario and its what-ifs.

The flow: scenario files -> studies -> results (same seed and runs for every scenario,
gathered chunk by chunk: each scenario's exact bands and its outcomes' values per run, not
every run's counts) -> compared rows and pictures (:mod:`~diffusion.htmlreport.content`,
:mod:`~diffusion.htmlreport.figures`) -> one page rendered by Jinja2 from the package's
``templates/report.html.j2`` (styles and images inline, so the page needs no network).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from diffusion.htmlreport import content, figures
from diffusion.htmlreport.whatif import Change, changes, default_dates, question_of

if TYPE_CHECKING:
    from diffusion.calendar import Calendar
    from diffusion.comparison import OutcomeValues, RunValues, Settings
    from diffusion.executors import Executor
    from diffusion.results import Results
    from diffusion.scenario.load import LoadedScenario
    from diffusion.study import Study

#: confidence level of the report's intervals
LEVEL = 0.9
#: groupings the report needs recorded
GROUPINGS: tuple[str, ...] = ("department", "kind", "side")
#: the headline's measures, in order
HEADLINE: tuple[str, ...] = ("working", "working share", "trained")


@dataclass(frozen=True)
class Simulated:
    """One scenario of the report, simulated.

    ``results`` has the exact bands (a tally, or every run's counts), ``values`` every
    outcome's value and the staff working from the intent, per run, at the report's dates.
    """

    name: str
    loaded: LoadedScenario
    study: Study
    results: Results
    values: RunValues


def simulate_all(
    loaded: Sequence[LoadedScenario],
    runs: int,
    seed: int,
    *,
    dates: Sequence[dt.date] = (),
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Simulated]:
    """Simulate every scenario with the same ``runs`` and ``seed`` (common random numbers).

    In chunks of runs (on ``executor``'s workers if given; :mod:`diffusion.chunks`: the
    results do not depend on it), each reduced to what the report needs at its dates
    (``dates``, default :func:`report_dates`): exact bands and the outcomes' values per
    run, so memory grows with runs only by those values.

    Raises
    ------
    ValueError
        When a what-if's calendar differs from the base's.
    """
    from diffusion.chunks import simulate_values
    from diffusion.comparison import unique_names
    from diffusion.scenario.build import build_study

    names = unique_names([item.scenario.name for item in loaded])
    studies = [build_study(item.scenario, groupings=GROUPINGS) for item in loaded]
    for name, study in zip(names[1:], studies[1:], strict=True):
        if study.calendar != studies[0].calendar:
            raise ValueError(
                f"{name}: its calendar differs from the base's; a report needs the same calendar"
            )
    cal = studies[0].calendar
    chosen = sorted(dates) or _dates(loaded, cal)[0]
    settings = _settings(loaded[0], studies[0], chosen)
    # the what-ifs go on from the base's runs where their history is the base's; in chunks
    # of runs on the executor's workers if it has any, each reduced to its runs' values
    results, values = simulate_values(
        studies, runs, seed, settings, executor=executor, progress=progress
    )
    return [
        Simulated(*scenario)
        for scenario in zip(names, loaded, studies, results, values, strict=True)
    ]


def _settings(base: LoadedScenario, study: Study, dates: Sequence[dt.date]) -> Settings:
    """Return what the report gathers of every run: the base's measures, at ``dates``.

    The reach outcomes are made from the staff series when asked (:func:`content.outcomes`).
    """
    from diffusion.comparison import Settings, measures_for

    model = study.model
    return Settings(
        measures=measures_for(model.state_names, model.adopted_states),
        adopted=tuple(model.adopted_states),
        dates=tuple(dates),
        pass_share=base.scenario.outputs.pass_share,
        reach_shares=(),
        level=LEVEL,
    )


def calendar_steps(scenario: Any) -> int:
    """Return the steps a scenario's calendar simulates (for a progress total)."""
    from diffusion.scenario.build import calendar_of

    return calendar_of(scenario.calendar).n_steps


def report_dates(sims: Sequence[Simulated]) -> tuple[list[dt.date], dict[str, list[Change]]]:
    """Return the default report dates and each what-if's changes.

    The dates are the base's report dates after the earliest what-if change, and the
    calendar's end.
    """
    return _dates([sim.loaded for sim in sims], sims[0].study.calendar)


def _dates(
    loaded: Sequence[LoadedScenario], cal: Calendar
) -> tuple[list[dt.date], dict[str, list[Change]]]:
    """:func:`report_dates` of the scenarios ``loaded`` (the base first) on calendar ``cal``."""
    from diffusion.comparison import unique_names
    from diffusion.scenario.build import report_dates as base_dates

    names = unique_names([item.scenario.name for item in loaded])
    base = loaded[0]
    found = {
        name: changes(base.scenario, item.scenario, cal.end)
        for name, item in zip(names[1:], loaded[1:], strict=True)
    }
    dated = [c.date for items in found.values() for c in items if cal.start <= c.date <= cal.end]
    dates = default_dates(base_dates(base.scenario, cal), min(dated, default=None), cal.end)
    return dates, found


def markers_of(items: Sequence[Change], calendar: Calendar, limit: int = 6) -> list[tuple]:
    """Plot markers for a what-if's changes inside the calendar (the first ``limit``)."""
    inside = [c for c in items if calendar.start <= c.date <= calendar.end]
    return [(c.date, c.label) for c in inside[:limit]]


def judge(
    sims: Sequence[Simulated],
    date: dt.date,
    n_draws: int,
    *,
    level: float = LEVEL,
    progress: Callable[[int], None] | None = None,
) -> dict[tuple[str, str, str, str], Any]:
    """Judge every what-if's outcomes on ``date`` under ``n_draws`` parameter sets.

    (:mod:`diffusion.robustness`: the fit's posterior and the documented plausible ranges,
    the same runs and seed as the report).

    Returns
    -------
    dict
        ``(whatif, measure, group, date) -> Robustness``, keyed like ``comparison.csv``.
    """
    from diffusion.comparison import Settings, compare_values, measures_for
    from diffusion.robustness import default_draws, robustness

    base = sims[0]
    model = base.study.model
    settings = Settings(
        measures=measures_for(model.state_names, model.adopted_states),
        adopted=tuple(model.adopted_states),
        dates=(date,),
        pass_share=base.loaded.scenario.outputs.pass_share,
        reach_shares=tuple(base.loaded.scenario.outputs.reach_shares),
        level=level,
    )
    cal = base.study.calendar
    staff = content.n_staff(base.results)
    mine = _at(content.outcomes(base.values, cal, settings, staff), date)
    rows = []
    for sim in sims[1:]:
        theirs = _at(content.outcomes(sim.values, cal, settings, staff), date)
        rows += compare_values(mine, theirs, level, sim.name)
    seed, runs = base.results.seed, base.results.n_runs
    draws = default_draws(n_draws, seed, model=model.name)
    judged = robustness(
        base.loaded,
        [(sim.name, sim.loaded) for sim in sims[1:]],
        rows,
        draws,
        n_runs=runs,
        seed=seed,
        settings=settings,
        progress=progress,
    )
    return {(r.what_if, r.measure, r.group, r.date): r for r in judged}


def _at(outcomes: dict[str, OutcomeValues], date: dt.date) -> dict[str, OutcomeValues]:
    """Return the outcomes at ``date``, or of no date (years to reach a share)."""
    day = date.isoformat()
    return {k: o for k, o in outcomes.items() if o.date in (day, "")}


def _verdict_text(judged: Any, n_draws: int) -> str:
    """Return a robustness verdict in a manager's words."""
    share = f"sign holds in {round(100 * judged.sign_share)}% of {n_draws} parameter sets"
    if judged.verdict == "robust":
        return f"robust ({share})"
    if judged.verdict == "no clear effect":
        return "no clear effect at the defaults"
    decided = f"; decided by {', '.join(judged.deciders)}" if judged.deciders else ""
    return f"depends on assumptions ({share}{decided})"


def build_context(
    sims: Sequence[Simulated],
    *,
    dates: Sequence[dt.date] = (),
    reach_shares: Sequence[float] | None = None,
    level: float = LEVEL,
    command: str = "",
    judged: dict[tuple[str, str, str, str], Any] | None = None,
    n_draws: int = 0,
) -> dict[str, Any]:
    """Everything the template shows, as plain data (numbers already in words).

    With ``judged`` (:func:`judge`) the headline says how robust each answer is.
    """
    from diffusion import __version__
    from diffusion.comparison import departments
    from diffusion.plotting import group_names

    base = sims[0]
    cal = base.study.calendar
    chosen, found = report_dates(sims)
    if dates:
        chosen = sorted(dates)
    outside = [d for d in chosen if not cal.start <= d <= cal.end]
    if outside:
        raise ValueError(f"date {outside[0]} is outside the calendar ({cal.start} to {cal.end})")
    last = chosen[-1]
    staff = content.n_staff(base.results)
    record = base.results.record_of_step(cal.step_of(last))
    target = content.telling_share(base.values, record, staff)
    shares = tuple(sorted({*(reach_shares or base.loaded.scenario.outputs.reach_shares), target}))
    names = group_names(base.study.org, "department")
    depts = departments(base.results)
    base_label = "the baseline"
    sections, headline, tidy = [], [], []
    for k, sim in enumerate(sims[1:], start=1):
        rows = content.compare_rows(
            base.values,
            sim.values,
            cal,
            sim.name,
            chosen,
            depts,
            staff,
            reach_shares=shares,
            level=level,
        )
        tidy += rows
        markers = markers_of(found[sim.name], cal)
        at_last = [r for r in rows if r.date == last]
        head = [r for m in HEADLINE for r in at_last if r.measure == m and r.group == "all staff"]
        head += [r for r in at_last if r.measure == f"P(reach {round(100 * target)}%)"]
        for r in head:
            view = _row_view(r, base_label)
            found_judgement = (judged or {}).get((r.whatif, r.measure, r.group, r.date.isoformat()))
            view["robustness"] = _verdict_text(found_judgement, n_draws) if found_judgement else ""
            view["fragile"] = bool(found_judgement and found_judgement.verdict != "robust")
            headline.append(view)
        diff = content.over_time(base.values, sim.values, cal, level=level)
        sections.append(
            {
                "id": f"whatif-{k}",
                "name": sim.name,
                "question": question_of(sim.loaded.scenario, sim.loaded.file),
                "changes": [{"date": c.date.isoformat(), "text": c.text} for c in found[sim.name]],
                "by_date": [
                    _row_view(r, base_label)
                    for r in rows
                    if r.measure in ("working", "working share") and r.group == "all staff"
                ],
                "departments": [
                    _row_view(r, base_label, group=names.get(r.group, r.group))
                    for r in at_last
                    if r.measure in ("working", "trained") and r.group != "all staff"
                ],
                "reach": _reach_matrix(rows, chosen),
                "curves": figures.curves_figure(
                    base.results, sim.results, cal, (base.name, sim.name), markers
                ),
                "difference": figures.difference_figure(
                    diff, cal, sim.name, base.name, markers, level, sim.results.n_runs
                ),
                "difference_end": _row_view(
                    next(r for r in at_last if r.measure == "working" and r.group == "all staff"),
                    base_label,
                ),
                "spread": figures.departments_figure(sim.results, cal, sim.name, names, markers),
            }
        )
    return {
        "title": f"What if? {', '.join(s.name for s in sims[1:])} against {base.name}",
        "base": {
            "name": base.name,
            "question": question_of(base.loaded.scenario, base.loaded.file),
            "spread": figures.departments_figure(base.results, cal, base.name, names, []),
        },
        "headline_date": last.isoformat(),
        "headline": headline,
        "draws": n_draws if judged else 0,
        "ranking": _ranking(sims, cal, last, level),
        "sections": sections,
        "level": round(100 * level),
        "runs": base.results.n_runs,
        "seed": base.results.seed,
        "dates": [d.isoformat() for d in chosen],
        "staff": staff,
        "departments": [names.get(d, d) for d in depts],
        "manifest": {
            "version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command,
            "seed": base.results.seed,
            "runs": base.results.n_runs,
            "calendar": f"{cal.start} to {cal.end}, one step a week",
            "scenarios": [
                {
                    "name": s.name,
                    "role": "base" if i == 0 else "what-if",
                    "files": list(s.loaded.files),
                    "overrides": list(s.loaded.overrides),
                }
                for i, s in enumerate(sims)
            ],
        },
        "tidy": [r.tidy() for r in tidy],
    }


def _row_view(row: content.Row, base_label: str, group: str | None = None) -> dict[str, Any]:
    words = row.words or row.measure
    joint = "by" if row.unit == "probability" else "on"
    return {
        "whatif": row.whatif,
        "outcome": f"{words} {joint} {row.date.isoformat()}",
        "words": words,
        "group": group or row.group,
        "date": row.date.isoformat(),
        "base": row.value_text("base"),
        "whatif_value": row.value_text("whatif"),
        "sentence": row.sentence(base_label),
        "is_clear": row.clear,
        "direction": "up" if row.difference > 0 else "down",
    }


def _reach_matrix(rows: Sequence[content.Row], dates: Sequence[dt.date]) -> list[dict]:
    """Return the reach probabilities as one row per share with one cell per date.

    "base -> what-if" and the difference with its interval.
    """
    out = []
    for measure in dict.fromkeys(r.measure for r in rows if r.unit == "probability"):
        mine = {r.date: r for r in rows if r.measure == measure}
        cells = []
        for date in dates:
            r = mine[date]
            low, high = (content.number_text(v, 2, "+") for v in (r.low, r.high))
            cells.append(
                {
                    "probabilities": f"{r.value_text('base')} → {r.value_text('whatif')}",
                    "difference": f"{content.number_text(r.difference, 2, '+')} [{low}, {high}]",
                    "is_clear": r.clear,
                    "direction": "up" if r.difference > 0 else "down",
                }
            )
        out.append({"share": measure.removeprefix("P(reach ").rstrip(")"), "cells": cells})
    return out


def _ranking(sims: Sequence[Simulated], cal: Calendar, date: dt.date, level: float) -> list:
    """Which what-if matters more.

    For every two what-ifs, the size of one's effect on the people working from the intent at
    ``date`` minus the size of the other's.

    A what-if's effect in run ``i`` is its value minus the base's; its size is the effect
    signed by the direction of its mean (so a loss of 4 and a gain of 5 have sizes 4 and 5).
    All scenarios share their random numbers, so the difference of sizes pairs run by run
    and gets a t interval (:func:`~diffusion.results.paired_difference`).
    """
    from diffusion.results import paired_difference

    rec = sims[0].results.record_of_step(cal.step_of(date))
    base = sims[0].values.staff[:, rec].astype(float)
    effects = {s.name: s.values.staff[:, rec] - base for s in sims[1:]}
    sizes = {name: np.sign(e.mean()) * e for name, e in effects.items()}
    out = []
    names = list(effects)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = paired_difference(sizes[b], sizes[a], level)  # size of a - size of b
            clear = bool(d.low > 0 or d.high < 0)
            if clear and d.mean < 0:  # the larger effect first
                first, second, mean, low, high = b, a, -d.mean, -d.high, -d.low
            else:
                first, second, mean, low, high = a, b, d.mean, d.low, d.high
            num = content.number_text
            out.append(
                {
                    "clear": clear,
                    "first": first,
                    "second": second,
                    "detail": f"effects {num(effects[first].mean(), 1, '+')} and "
                    f"{num(effects[second].mean(), 1, '+')} people; the first's size minus the "
                    f"second's {num(mean, 1, '+')} [{num(low, 1, '+')}, {num(high, 1, '+')}]",
                }
            )
    return out


def render(context: dict[str, Any]) -> str:
    """Return the report page: the package's Jinja2 template filled with ``context``."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("diffusion.htmlreport", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**context)


def write_files(
    context: dict[str, Any], folder: Path, sims: Sequence[Simulated], *, pdf: bool = False
) -> list[Path]:
    """Write the report's files into ``folder``.

    The files report.html, comparison.csv (tidy), report.pdf with ``pdf``, and last the manifest
    (:func:`diffusion.outputs.write_manifest`).

    Raises
    ------
    RuntimeError
        With ``pdf`` when the browser cannot print the page.
    """
    from diffusion.io import atomic_write
    from diffusion.outputs import write_manifest
    from diffusion.tables import write_csv

    from .pdf import print_pdf

    folder = Path(folder)
    with atomic_write(folder / "report.html", "w", encoding="utf-8") as fh:
        fh.write(render(context))
    written = [folder / "report.html", write_csv(context["tidy"], folder / "comparison.csv")]
    if pdf:
        written.append(print_pdf(folder / "report.html", folder / "report.pdf"))
    manifest = context["manifest"]
    written.append(
        write_manifest(
            folder,
            {s.name: s.loaded for s in sims},
            manifest["runs"],
            manifest["seed"],
            command=manifest["command"] or None,
            base=sims[0].name,
            what_ifs=[s.name for s in sims[1:]],
            dates=context["dates"],
            level=context["level"] / 100,
        )
    )
    return written
