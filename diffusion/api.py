"""One Python function per workflow of the command line, exposed at the top of the package.

``import diffusion`` and then:

* :func:`load_scenario`: read and check a scenario file (default: the Etten-Leur baseline);
* :func:`what_if`: a scenario with events or cohorts added, from Python;
* :func:`run`: simulate a scenario -> :class:`~diffusion.results.Results`;
* :func:`compare`: what-ifs against a base on the same seeds ->
  :class:`~diffusion.comparison.Comparison`;
* :func:`sweep`: a scenario over a design of parameter values, into a store ->
  :class:`~diffusion.sweeps.runner.Sweep`;
* :func:`sensitivity`: Sobol or Morris indices with the dummy as noise floor;
* :func:`report`: one self-contained HTML report of what-ifs against a base, for a client;
* :func:`advise`: who to send on a cohort, against simple strategies ->
  :class:`~diffusion.advisor.advice.Advice`;
* :func:`calibrate`: fit parameters to Table 1 and check the fit ->
  :class:`~diffusion.calibration.pipeline.Calibration`;
* :func:`fit_report`: every pattern of Table 1 against the model's runs and two null
  recruitment models -> :class:`~diffusion.calibration.fit_report.FitReport`.

Each takes Python objects, returns a result object with ``to_pandas()`` and ``to_xarray()``,
and raises exceptions (:class:`~diffusion.scenario.problems.ScenarioError` for a scenario's
problems, :class:`~diffusion.errors.InputError`, a ValueError, for a wrong argument); none
prints or exits. The command line
(:mod:`diffusion.cli`) parses options, calls one of these and prints or writes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffusion.calibration.pipeline import Calibration, calibrate
from diffusion.chunks import chunk_sizes, run_bytes, simulate_values
from diffusion.comparison import (
    GROUPINGS,
    Comparison,
    Outcome,
    Settings,
    compare_values,
    measures_for,
    unique_names,
)
from diffusion.errors import InputError
from diffusion.executors import Executor
from diffusion.results import Results
from diffusion.robustness import (
    Draws,
    check_draws,
    check_ranges,
    default_draws,
    read_posterior_csv,
    robustness,
)
from diffusion.scenario.build import build_study, report_dates
from diffusion.scenario.load import LoadedScenario, RawScenario, load_all, packaged, validate
from diffusion.scenario.load import load_scenario as _load_file
from diffusion.scenario.overrides import SET_FILE, apply_overrides
from diffusion.scenario.problems import Problem, ScenarioError
from diffusion.sweeps.runner import Sweep, SweepRequest, execute_sweep, prepare_sweep, require

if TYPE_CHECKING:  # scipy.stats (about 1 s to import) only when a fit report is made
    from diffusion.calibration.fit_report import FitReport

#: what the functions accept as a scenario: a loaded one, a file, or None for the baseline
ScenarioLike = LoadedScenario | str | os.PathLike[str] | None
#: a progress callback: called with the number of run-steps just done
Progress = Callable[[int], None]

#: the packaged baseline's name (:mod:`diffusion.baseline`)
BASELINE = "etten-leur-baseline"
#: confidence level of a comparison's intervals
LEVEL = 0.9
#: report dates of a comparison when none are given: the base's last few
DEFAULT_DATES = 3


def load_scenario(
    path: str | os.PathLike[str] | None = None, overrides: Sequence[str] = ()
) -> LoadedScenario:
    """Read, merge (``extends``), override and check a scenario file.

    Parameters
    ----------
    path : str or path-like, optional
        A scenario file (TOML); None: the Etten-Leur baseline shipped with the package.
    overrides : sequence of str
        ``path=value`` overrides, as ``--set`` takes them (``"runs=200"``,
        ``"calendar.end=2020-12-31"``).

    Returns
    -------
    LoadedScenario
        ``.scenario`` (the validated, frozen scenario), ``.files`` and ``.overrides``.

    Raises
    ------
    ScenarioError
        Every problem found, one line each (``str(error)``), naming file and place.

    Examples
    --------
    >>> import diffusion
    >>> base = diffusion.load_scenario(overrides=["runs=20", "calendar.end=2019-12-31"])
    >>> base.scenario.name, base.scenario.runs, str(base.scenario.calendar.end)
    ('etten-leur-baseline', 20, '2019-12-31')
    """
    return _load_file(packaged(BASELINE) if path is None else path, overrides)


def what_if(
    base: ScenarioLike,
    name: str,
    *,
    events: Iterable[Mapping[str, Any]] = (),
    cohorts: Iterable[Mapping[str, Any]] = (),
    overrides: Sequence[str] = (),
) -> LoadedScenario:
    """Return a what-if: ``base`` with more events and cohorts, checked like a scenario file.

    The same as a file with ``extends`` pointing at the base and ``[[events_add]]`` and
    ``[[cohorts_add]]`` tables; the event kinds and their fields are those of scenario files
    (``scenarios/README.md``).

    Parameters
    ----------
    base : LoadedScenario, str, path-like or None
        The base scenario (None: the Etten-Leur baseline).
    name : str
        The what-if's name (a safe folder name: it names output folders).
    events, cohorts : iterable of mapping
        Events (each with ``kind`` and ``date``, a :class:`datetime.date`) and cohorts
        (``name``, ``date``, ``seats`` or ``quotas``) added to the base's.
    overrides : sequence of str
        ``path=value`` overrides applied after the additions.

    Raises
    ------
    ScenarioError
        Every problem of the additions (reported against ``<what-if NAME>``).

    Examples
    --------
    >>> import datetime as dt, diffusion
    >>> base = diffusion.load_scenario(overrides=["calendar.end=2019-12-31"])
    >>> new = diffusion.what_if(
    ...     base, "secretary", events=[{"kind": "new_secretary", "date": dt.date(2019, 1, 7)}]
    ... )
    >>> new.scenario.name, new.scenario.events[-1].kind, new.files[0]
    ('secretary', 'new_secretary', '<what-if secretary>')
    """
    loaded = _loaded(base)
    data = loaded.scenario.model_dump(exclude_none=True)
    data["name"] = name
    label = f"<what-if {name}>"
    origins: dict[tuple[str | int, ...], str] = {("name",): label}
    for key in ("end", "years"):
        # a calendar the base's overrides shortened leaves later dates out, not refused
        if any(o.partition("=")[0].strip() == f"calendar.{key}" for o in loaded.overrides):
            origins[("calendar", key)] = SET_FILE
    for key, items in (("events", events), ("cohorts", cohorts)):
        data[key] = list(data.get(key, ()))
        for item in items:
            origins[(key, len(data[key]))] = label
            data[key].append(dict(item))
    raw = RawScenario(data, origins, (label, *loaded.files))
    problems = apply_overrides(raw.data, raw.origins, overrides)
    try:
        scenario = validate(raw)
    except ScenarioError as exc:
        problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(scenario, raw.files, (*loaded.overrides, *overrides))


def run(
    scenario: ScenarioLike = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    groupings: Sequence[str] | None = None,
    batch_size: int | None = None,
    keep_runs: bool = False,
    executor: Executor | None = None,
    progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    org_picture: dt.date | None = None,
) -> Results:
    """Simulate a scenario's Monte Carlo runs (and write the files of ``diffusion run``).

    The runs are simulated in chunks (here, in forked worker processes when the work is
    large (:mod:`diffusion.processes`), or spread over ``executor``'s workers) and the
    bands and means of trained, adopters and working per group are gathered exactly as
    the chunks finish (:mod:`diffusion.chunks`), so memory does not grow with the runs;
    every run's counts are kept only with ``keep_runs``.

    Parameters
    ----------
    scenario : LoadedScenario, str, path-like or None
        The scenario (None: the Etten-Leur baseline).
    runs, seed : int, optional
        Runs and root seed (default: the scenario's); run ``i`` depends only on
        ``(seed, i)``.
    groupings : sequence of str, optional
        Groupings to count people by (default: the scenario's ``outputs.groupings``).
    batch_size : int, optional
        Runs simulated together (default: chosen from the organisation's size).
    keep_runs : bool
        Keep every run's counts (``series``, ``to_pandas()``, ``to_xarray()``: runs x
        records x groups x states); without it the results hold the exact bands and means
        (``results.spread(states, grouping, group)``) and each person's first adoption.
    executor : Executor, optional
        Where the chunks of runs are simulated (:class:`diffusion.executors.Executor`;
        default: in this process); the results do not depend on it.
    progress : callable, optional
        Called with the number of run-steps done since the last call.
    out : path, optional
        Also write ``series.csv`` (per-group series with bands), ``summary.csv`` (the
        :func:`diffusion.runfiles.summary` table), ``spread.png``, ``results.npz`` and
        ``manifest.json`` into this folder, swapped in at once when done, replacing only a
        folder diffusion wrote, or any with ``overwrite``
        (:func:`diffusion.outputs.output_folder`).
    overwrite : bool
        Replace ``out`` even if diffusion did not write it.
    org_picture : date, optional
        With ``out``: also draw the organisation on this date (``org-DATE.png``), each
        person coloured by the share of runs in which they work from the intent.

    Returns
    -------
    Results
        Counts per state per group per recorded week: their bands and means
        (``spread``), with ``keep_runs`` every run's (``to_pandas()``, ``to_xarray()``),
        and the provenance to replay any run.

    Raises
    ------
    ScenarioError
        A scenario file's problems.
    InputError
        Before simulating: runs, seed or ``org_picture`` that do not fit; ``out`` that may
        not be replaced.

    Examples
    --------
    >>> import diffusion
    >>> base = diffusion.load_scenario(overrides=["calendar.end=2016-12-31"])
    >>> results = diffusion.run(base, runs=4, seed=1)
    >>> band = results.spread("adopter", "department", "S").band((0.05, 0.95))
    >>> band.mean.shape == results.steps.shape, results.kept_runs
    (True, False)
    >>> kept = diffusion.run(base, runs=4, seed=1, keep_runs=True)
    >>> frame = kept.to_pandas("department")
    >>> list(frame.columns), kept.n_runs
    (['run', 'date', 'step', 'group', 'state', 'people'], 4)
    >>> kept.to_xarray("department").dims
    ('run', 'date', 'group', 'state')
    """
    from diffusion.chunks import simulate as simulate_chunks
    from diffusion.chunks import where

    loaded = _loaded(scenario)
    sc = loaded.scenario
    n_runs = _positive("runs", sc.runs if runs is None else runs)
    root = _seed(sc.seed if seed is None else seed)
    study = build_study(sc, groupings=groupings)
    cal = study.calendar
    if org_picture is not None and not cal.start <= org_picture <= cal.end:
        raise InputError(
            "",
            "",
            f"--org-picture {org_picture} is outside the calendar ({cal.start} to {cal.end})",
        )
    if out is not None:
        from diffusion.outputs import check_output_folder

        check_output_folder(out, overwrite=overwrite)
    executor = executor or Executor()
    executor.check_available()
    results = simulate_chunks(
        study,
        n_runs,
        root,
        measures=measures_for(study.model.state_names, study.model.adopted_states),
        keep_runs=keep_runs,
        executor=executor,
        batch_size=batch_size,
        record_every=sc.outputs.record_every,
        progress=progress,
    )
    if out is not None:
        from diffusion.outputs import output_folder
        from diffusion.runfiles import write_run

        with output_folder(out, overwrite=overwrite) as tmp:
            write_run(
                tmp,
                loaded,
                study,
                results,
                org_picture=org_picture,
                kept_runs=keep_runs,
                executor=where(study, n_runs, executor, keep_runs=keep_runs),
            )
    return results


def compare(
    base: ScenarioLike,
    what_ifs: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    *,
    runs: int | None = None,
    seed: int | None = None,
    dates: Sequence[dt.date] = (),
    pass_share: float | None = None,
    level: float = LEVEL,
    draws: int | Draws | None = None,
    posterior: str | os.PathLike[str] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    executor: Executor | None = None,
    groupings: Sequence[str] = (),
    progress: Progress | None = None,
    draw_progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    report: bool = False,
    command: str | None = None,
    keep_runs: bool = False,
) -> Comparison:
    """Compare what-ifs with a base, every scenario simulated with the same seed and runs.

    Run ``i`` of a what-if and of the base share their random numbers (common random
    numbers), so each difference is the what-if's mechanism, not noise: the outcomes are the
    mean paired differences with a t interval (:mod:`diffusion.comparison`).

    Parameters
    ----------
    base : LoadedScenario, str, path-like or None
        The base (None: the Etten-Leur baseline).
    what_ifs : sequence or mapping of scenarios
        The what-ifs; a mapping names them (else their scenarios' names, made unique).
    runs, seed : int, optional
        Runs and root seed of every scenario (default: the base's).
    dates : sequence of date
        Dates of the people counts and pass probabilities (default: the base's last three
        report dates).
    pass_share : float, optional
        Share of a department whose passing is asked the probability of (default: the
        base's ``outputs.pass_share``).
    level : float
        Confidence level of the intervals.
    draws : int or Draws, optional
        Also judge every difference under this many parameter sets (or these): the
        posterior of the fit for the parameters the data move and the documented plausible
        ranges for the others (:func:`diffusion.robustness.default_draws`), each draw with
        ``runs`` paired runs on the same seed. Fills ``Comparison.robustness``.
    posterior : path-like, optional
        A ``posterior.csv`` of ``diffusion calibrate`` to draw from instead of the shipped one.
    ranges : mapping of str to (float, float), optional
        Plausible ranges (scenario path -> (low, high)) that replace or add to the documented
        ones.
    executor : Executor, optional
        Where the runs are simulated, in chunks of whole runs (default: in this process);
        the outcomes do not depend on it.
    groupings : sequence of str
        More groupings to record besides departments and kinds (``"side"``, ``"role"``...),
        for questions the outcomes do not answer (``Comparison.results``).
    progress : callable, optional
        Called with the number of run-steps done since the last call.
    draw_progress : callable, optional
        Called with 1 after each parameter draw.
    out : path, optional
        Also write ``comparison.csv`` (tidy), ``robustness.csv`` (with ``draws``), the two
        figures and ``manifest.json`` into this folder
        (:func:`diffusion.comparison_files.write_comparison`), swapped in at once when done,
        replacing only a folder diffusion wrote, or any with ``overwrite``.
    overwrite : bool
        Replace ``out`` even if diffusion did not write it.
    report : bool
        With ``out``: also the client report of the same runs, ``report.html``.
    command : str, optional
        The command line, for the manifest (default: this process's arguments).
    keep_runs : bool
        Keep every run's counts of every scenario (``Comparison.results``: ``series``,
        ``to_xarray()``). Without it the runs are simulated in chunks and each chunk is
        reduced to what the outcomes and the report need (every outcome's value per run, the
        staff working from the intent per run and record: ``Comparison.values``) and to exact
        bands (``results[name].spread``), so memory hardly grows with ``runs``; the outcomes
        are the same either way. Runs that fit in one chunk
        (:func:`diffusion.chunks.chunk_sizes`) are kept anyway.

    Returns
    -------
    Comparison
        ``outcomes`` (``to_pandas()``: one row per what-if and outcome), the ``results``
        of every scenario (with ``keep_runs``, ``to_xarray()``: dims scenario, run, date,
        group, state), and with ``draws`` the ``robustness`` of each outcome.

    Raises
    ------
    ScenarioError
        The problems of every scenario given as a file, at once.
    InputError
        When a what-if's calendar differs from the base's, a date lies outside it, or there
        is no what-if.

    Examples
    --------
    >>> import datetime as dt, diffusion
    >>> base = diffusion.load_scenario(overrides=["calendar.end=2019-12-31"])
    >>> secretary = diffusion.what_if(
    ...     base, "secretary", events=[{"kind": "new_secretary", "date": dt.date(2019, 1, 7),
    ...                                 "support": 0.9}]
    ... )
    >>> result = diffusion.compare(
    ...     base, [secretary], runs=20, seed=3, dates=[dt.date(2019, 12, 31)]
    ... )
    >>> frame = result.to_pandas()
    >>> list(frame.columns[:5]), result.what_ifs
    (['what_if', 'outcome', 'base', 'what_if_value', 'difference'], ('secretary',))
    >>> row = result.outcome("secretary", "trained all 2019-12-31")
    >>> row.low <= row.difference <= row.high
    True
    """
    given = what_ifs.items() if isinstance(what_ifs, Mapping) else ((None, w) for w in what_ifs)
    problems: list[Problem] = []
    loaded: list[tuple[str | None, LoadedScenario]] = []
    for name, item in [(None, base), *given]:
        try:
            loaded.append((name, _loaded(item)))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    if len(loaded) < 2:
        raise InputError("", "", "compare needs at least one what-if")
    names = unique_names([name or item.scenario.name for name, item in loaded])
    first = loaded[0][1].scenario
    n_runs = _positive("runs", first.runs if runs is None else runs)
    if n_runs < 2:
        raise InputError("", "runs", "compare needs at least 2 runs for its intervals")
    root = _seed(first.seed if seed is None else seed)
    recorded = tuple(dict.fromkeys((*GROUPINGS, *groupings)))
    studies = [build_study(item.scenario, groupings=recorded) for _, item in loaded]
    calendar = studies[0].calendar
    for name, study in zip(names[1:], studies[1:], strict=True):
        if study.calendar != calendar:
            raise InputError(
                name, "calendar", "it differs from the base's; compare needs the same calendar"
            )
    chosen = tuple(dates) or tuple(report_dates(first, calendar)[-DEFAULT_DATES:])
    outside = [d for d in chosen if not calendar.start <= d <= calendar.end]
    if outside:
        raise InputError(
            "",
            "dates (--date)",
            f"{outside[0]} is outside the calendar ({calendar.start} to {calendar.end}); "
            "give dates within it",
        )
    model = studies[0].model
    settings = Settings(
        measures=measures_for(model.state_names, model.adopted_states),
        adopted=tuple(model.adopted_states),
        dates=chosen,
        pass_share=first.outputs.pass_share if pass_share is None else pass_share,
        reach_shares=tuple(first.outputs.reach_shares),
        level=level,
    )
    per_run = sum(run_bytes(study, calendar.n_steps + 1) for study in studies)
    sizes = chunk_sizes(n_runs, per_run)
    # runs that fit in one chunk are held anyway: kept (their tally would take more)
    keep = keep_runs or len(sizes) == 1
    _check_held(studies, n_runs if keep else max(sizes), calendar.n_steps, recorded)
    if out is not None:
        from diffusion.outputs import check_output_folder

        check_output_folder(out, overwrite=overwrite)
    chosen_draws = None
    if draws is not None:  # their values are checked before anything is simulated
        check_ranges(loaded[0][1], ranges or {})
        chosen_draws = _draws(draws, root, first.model.name, posterior, ranges)
        check_draws(loaded[0][1], chosen_draws)
    # the what-ifs go on from the base's runs where their history is the base's; in chunks
    # of runs (on the executor's workers if it has any), each reduced to its runs' values
    simulated, gathered = simulate_values(
        studies, n_runs, root, settings, keep_runs=keep, executor=executor, progress=progress
    )
    results = dict(zip(names, simulated, strict=True))
    values = dict(zip(names, gathered, strict=True))
    outcomes: list[Outcome] = []
    for name in names[1:]:
        base_values, what_if = values[names[0]].outcomes, values[name].outcomes
        outcomes += compare_values(base_values, what_if, settings.level, name)
    if chosen_draws is None:
        comparison = Comparison(
            names[0], tuple(outcomes), settings, calendar, results, values=values
        )
        return _written(comparison, loaded, names, out, overwrite, report, command)
    judged = robustness(
        loaded[0][1],
        [(name, item) for name, (_, item) in zip(names[1:], loaded[1:], strict=True)],
        outcomes,
        chosen_draws,
        n_runs=n_runs,
        seed=root,
        settings=settings,
        progress=draw_progress,
    )
    comparison = Comparison(
        names[0],
        tuple(outcomes),
        settings,
        calendar,
        results,
        tuple(judged),
        chosen_draws,
        values,
    )
    return _written(comparison, loaded, names, out, overwrite, report, command)


def _written(
    comparison: Comparison,
    loaded: Sequence[tuple[str | None, LoadedScenario]],
    names: Sequence[str],
    out: str | os.PathLike[str] | None,
    overwrite: bool,
    report: bool,
    command: str | None,
) -> Comparison:
    """Return ``comparison``, its files written into ``out`` first when given."""
    if out is not None:
        from diffusion.comparison_files import write_comparison
        from diffusion.outputs import output_folder

        scenarios = {name: item for name, (_, item) in zip(names, loaded, strict=True)}
        with output_folder(out, overwrite=overwrite) as tmp:
            write_comparison(tmp, comparison, scenarios, report=report, command=command)
    return comparison


def _check_held(
    studies: Sequence[Any], n_runs: int, n_steps: int, groupings: Sequence[str]
) -> None:
    """Refuse a comparison whose runs held together (all, or a chunk's) would not fit in memory.

    Each simulation alone is checked by the engine.
    """
    import numpy as np

    from diffusion.budget import check, simulation_bytes

    org, model = studies[0].org, studies[0].model
    tracked = [g for g in groupings if len(org.group_labels[g]) > 1]
    one = simulation_bytes(
        runs=n_runs,
        records=n_steps + 1,
        groups=sum(len(org.group_labels[g]) for g in tracked) + 1,
        states=len(model.state_names),
        people=org.n_nodes,
        batch=0,
        largest_group=max((int(np.bincount(org.groups[g]).max()) for g in tracked), default=0),
        steps=n_steps,
    )
    check(
        len(studies) * one,
        f"{len(studies)} scenarios x {n_runs} runs of {org.n_nodes} people, held together",
        ["compare fewer what-ifs at once", "simulate fewer runs (--runs)"],
    )


def _draws(
    draws: int | Draws,
    seed: int,
    model: str,
    posterior: str | os.PathLike[str] | None,
    ranges: Mapping[str, tuple[float, float]] | None,
) -> Draws:
    """Return the parameter sets of ``compare(..., draws=...)``."""
    if isinstance(draws, Draws):
        return draws
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 2:
        raise InputError("", "draws", f"give 2 or more parameter draws (got {draws!r})")
    sample = read_posterior_csv(posterior) if posterior is not None else None
    try:
        return default_draws(draws, seed, model=model, posterior=sample, ranges=ranges)
    except ValueError as exc:
        raise InputError("", "draws", str(exc)) from None


def report(
    base: ScenarioLike,
    what_ifs: Sequence[ScenarioLike],
    *,
    out: str | os.PathLike[str],
    runs: int | None = None,
    seed: int | None = None,
    dates: Sequence[dt.date] = (),
    overrides: Sequence[str] = (),
    level: float = LEVEL,
    draws: int | None = None,
    executor: Executor | None = None,
    pdf: bool = False,
    overwrite: bool = False,
    command: str = "",
    progress: Progress | None = None,
    draw_progress: Progress | None = None,
) -> list[Path]:
    """Write one self-contained HTML report for a client: what-ifs against a base.

    Every scenario is simulated with the same runs and seed (common random numbers); the
    page (:mod:`diffusion.htmlreport`) has the question each what-if asks, a headline table
    in plain words, the curves and the difference over time with the what-if's events
    marked, departments, the chance of reaching a share of the staff and how it was made;
    its images and styles are inline, so it opens from disk without network.

    Parameters
    ----------
    base : LoadedScenario, str, path-like or None
        The base (None: the Etten-Leur baseline).
    what_ifs : sequence of scenarios
        The what-ifs (loaded, or files); each needs the base's calendar.
    out : path
        Folder for ``report.html``, the tidy ``comparison.csv`` and ``manifest.json`` (and
        ``report.pdf``); swapped in at once when done, and only replacing a folder
        diffusion wrote, or any with ``overwrite`` (:func:`diffusion.outputs.output_folder`).
    runs, seed : int, optional
        Monte Carlo runs of every scenario and their root seed (default: the base's).
    dates : sequence of date
        Report dates (default: the base's report dates after the earliest what-if change,
        and the calendar's end); the headline is at the last.
    overrides : sequence of str
        ``path=value`` overrides of every scenario given as a file (as ``--set``).
    level : float
        Confidence level of the intervals (0.9: 90%).
    draws : int, optional
        Also say, per headline answer, whether its direction holds under this many parameter
        sets the data allow (the fit's posterior and the plausible ranges;
        :mod:`diffusion.robustness`).
    executor : Executor, optional
        Where the runs are simulated, in chunks (default: in this process); the report does
        not depend on it.
    pdf : bool
        Also print ``report.pdf`` with a headless Chromium or Chrome.
    overwrite : bool
        Replace ``out`` even if diffusion did not write it.
    command : str
        The command line, for the manifest.
    progress : callable, optional
        Called with the number of run-steps simulated since its last call (in all
        ``runs x calendar steps x scenarios``).
    draw_progress : callable, optional
        Called with 1 after each parameter draw.

    Returns
    -------
    list of Path
        The files written, in ``out``.

    Raises
    ------
    ScenarioError
        The problems of every scenario file, at once.
    InputError
        Before simulating: ``out`` may not be replaced, a date lies outside the calendar,
        no what-if, fewer than 2 runs, ``pdf`` without a browser; a what-if's calendar
        differs from the base's.

    Examples
    --------
    >>> import datetime as dt, diffusion, tempfile, pathlib
    >>> base = diffusion.load_scenario(overrides=["calendar.end=2019-12-31"])
    >>> secretary = diffusion.what_if(
    ...     base, "secretary", events=[{"kind": "new_secretary", "date": dt.date(2019, 1, 7)}]
    ... )
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> [p.name for p in diffusion.report(base, [secretary], out=folder, runs=3)]
    ['report.html', 'comparison.csv', 'manifest.json']
    """
    from diffusion.htmlreport import build, find_browser
    from diffusion.outputs import check_output_folder, output_folder
    from diffusion.scenario.build import calendar_of

    if pdf and find_browser() is None:
        raise InputError(
            "", "", "--pdf needs Chromium or Chrome installed (e.g. apt-get install chromium)"
        )
    check_output_folder(out, overwrite=overwrite)
    items = [packaged(BASELINE) if s is None else s for s in (base, *what_ifs)]
    loaded = load_all(items, overrides)
    if len(loaded) < 2:
        raise InputError("", "", "a report needs at least one what-if")
    first = loaded[0].scenario
    n_runs = _positive("runs", first.runs if runs is None else runs)
    if n_runs < 2:
        raise InputError("", "runs", "a report needs at least 2 runs for its intervals")
    root = _seed(first.seed if seed is None else seed)
    cal = calendar_of(first.calendar)
    outside = [d for d in dates if not cal.start <= d <= cal.end]
    if outside:
        raise InputError(
            "", "", f"date {outside[0]} is outside the calendar ({cal.start} to {cal.end})"
        )
    try:
        sims = build.simulate_all(
            loaded, n_runs, root, dates=dates, executor=executor, progress=progress
        )
    except ValueError as exc:
        raise InputError("", "", str(exc)) from None
    judged = None
    if draws:
        last = max(dates) if dates else build.report_dates(sims)[0][-1]
        judged = build.judge(sims, last, draws, level=level, progress=draw_progress)
    context = build.build_context(
        sims, dates=dates, level=level, command=command, judged=judged, n_draws=draws or 0
    )
    with output_folder(out, overwrite=overwrite) as tmp:
        try:
            names = [p.name for p in build.write_files(context, tmp, sims, pdf=pdf)]
        except RuntimeError as exc:  # the browser could not print
            raise InputError("", "", str(exc)) from None
    return [Path(out) / name for name in names]


def fit_report(
    scenario: ScenarioLike = None,
    *,
    runs: int = 500,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    command: str | None = None,
) -> FitReport:
    """Compare every pattern of Table 1 with runs of ``scenario`` to autumn 2018.

    The scenario is simulated to Table 1's cut-off (``calendar.end`` set to it), with two
    null recruitment models beside it (seats filled uniformly among staff, or by side
    only), all on the same seeds (:mod:`diffusion.calibration.fit_report`).

    Parameters
    ----------
    scenario : LoadedScenario, str, path-like or None
        The scenario (None: the Etten-Leur baseline); its model must be the ideas model.
    runs : int
        Runs of the model and of each null model.
    seed : int, optional
        Root seed (default: the scenario's).
    overrides : sequence of str
        ``path=value`` overrides (as ``--set``), applied before the cut-off.
    executor : Executor, optional
        Where the runs are simulated, in chunks (default: in this process); the report does
        not depend on it.
    out : path, optional
        Folder for ``patterns.csv``, ``nulls.csv`` and ``manifest.json``; swapped in at once
        when done, and only replacing a folder diffusion wrote, or any with ``overwrite``.
    overwrite : bool
        Replace ``out`` even if diffusion did not write it.
    command : str, optional
        The command line, for the manifest.

    Returns
    -------
    FitReport
        Per pattern the observed value, simulated mean, 90% band, tail probability and share
        of runs reproducing it (``patterns``), the joint share, and the log scores of the
        model and the nulls (``null_rows()``).

    Raises
    ------
    ScenarioError
        The scenario's problems.
    InputError
        Before simulating: ``out`` may not be replaced, fewer than 2 runs.

    Examples
    --------
    >>> import diffusion
    >>> fit = diffusion.fit_report(runs=20, seed=1)
    >>> [row["model"] for row in fit.null_rows()]
    ['model', 'uniform', 'side']
    """
    from diffusion.calibration.fit_report import fit_report as report_of
    from diffusion.calibration.summaries import cutoff_override, load_to_cutoff
    from diffusion.org.etten_leur import facts
    from diffusion.outputs import check_output_folder, output_folder, write_manifest

    if out is not None:
        check_output_folder(out, overwrite=overwrite)
    if _positive("runs", runs) < 2:
        raise InputError("", "runs", "a fit report needs at least 2 runs for its bands")
    if isinstance(scenario, LoadedScenario):
        cut = [cutoff_override(), *overrides]
        loaded = what_if(scenario, scenario.scenario.name, overrides=cut)
    else:
        loaded = load_to_cutoff(packaged(BASELINE) if scenario is None else scenario, overrides)
    root = _seed(loaded.scenario.seed if seed is None else seed)
    fit = report_of(
        build_study(loaded.scenario), facts(), n_runs=runs, seed=root, executor=executor
    )
    if out is not None:
        with output_folder(out, overwrite=overwrite) as tmp:
            fit.write(tmp)
            write_manifest(
                tmp,
                {loaded.scenario.name: loaded},
                runs,
                root,
                command=command,
                joint_share=fit.patterns.joint_share,
                joint_share_without_order=fit.patterns.joint_share_without_order,
                beats_nulls=fit.beats_nulls,
            )
    return fit


def sweep(
    scenario: str | os.PathLike[str],
    params: Sequence[str],
    *,
    store: str | os.PathLike[str],
    design: str = "grid",
    points: int | None = None,
    runs: int = 100,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    resume: bool = False,
    overwrite: bool = False,
    record_every: int | None = None,
    groupings: Sequence[str] = ("department",),
    keep_runs: bool = False,
    progress: Progress | None = None,
) -> Sweep:
    """Simulate a scenario at every point of a design over parameter values, into a store.

    Every point is validated before any work; every point uses the same root seed, so grid
    and Latin-hypercube points share their random numbers (common random numbers). Results
    do not depend on the executor (:mod:`diffusion.sweeps.runner`).

    Parameters
    ----------
    scenario : path
        The scenario file.
    params : sequence of str
        ``PATH=SPEC`` swept values: ``a:b:n``, ``log:a:b:n`` or ``[x, y, z]``
        (``"model.params.leader_effect=0:0.8:5"``).
    store : path
        The zarr store to create (or complete with ``resume``, or replace with
        ``overwrite``); ``summary.csv`` is written into it.
    design : {"grid", "lhs", "sobol", "morris"}
    points : int, optional
        Points of an ``lhs`` design, base samples of ``sobol``, trajectories of ``morris``.
    runs : int
        Runs per point.
    seed : int, optional
        Root seed (default: the scenario's).
    overrides : sequence of str
        Fixed ``path=value`` overrides of every point.
    executor : Executor, optional
        Where the points run (:class:`diffusion.executors.Executor`; default: here).
    resume, overwrite : bool
        Complete an existing store of the same sweep, or replace it.
    record_every, groupings, keep_runs
        Weeks between records, groupings stored besides everyone, every run's counts kept.
    progress : callable, optional
        Called with 1 for every point done.

    Returns
    -------
    Sweep
        ``to_pandas()``: one row per point and key outcome (the point's parameter values,
        the outcome, its mean and band over runs); ``to_xarray()``: the store's dataset
        (dims ``point, run, date, group, state`` for every run's counts).

    Raises
    ------
    ScenarioError, InputError
        Before any work: the scenario's or a point's problems; a store that is not this
        sweep's; a missing optional package (``pip install 'diffusion[dask,sweep]'``).

    Examples
    --------
    >>> import diffusion, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> result = diffusion.sweep(
    ...     diffusion.api.packaged("etten-leur-baseline"),
    ...     ["model.params.leader_effect=[0.2, 0.8]"],
    ...     store=folder / "sweep.zarr", runs=2, overrides=["calendar.end=2016-01-04"],
    ... )
    >>> frame = result.to_pandas()
    >>> list(frame.columns[:5]), result.computed
    (['point', 'model.params.leader_effect', 'outcome', 'mean', 'q05'], 2)
    >>> sorted(set(frame["model.params.leader_effect"]))
    [0.2, 0.8]
    """
    request = SweepRequest(
        scenario,
        tuple(params),
        store,
        sets=tuple(overrides),
        design=design,
        points=points,
        runs=runs,
        seed=seed,
        executor=executor,
        resume=resume,
        overwrite=overwrite,
        record_every=record_every,
        groupings=tuple(groupings),
        keep_runs=keep_runs,
    )
    return execute_sweep(prepare_sweep(request), progress)


def sensitivity(
    scenario: str | os.PathLike[str],
    params: Sequence[str],
    *,
    store: str | os.PathLike[str],
    method: str = "sobol",
    points: int | None = None,
    runs: int = 10,
    seed: int | None = None,
    measure: str = "adopters",
    at: str = "end",
    group: str = "all",
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Any:
    """Sobol or Morris indices of an output to parameter ranges, the dummy as noise floor.

    Runs a ``sobol`` (Saltelli) or ``morris`` design as a :func:`sweep` into ``store``, then
    analyses the output (:func:`diffusion.sweeps.sensitivity.analyze`).

    Parameters
    ----------
    scenario, params, store, points, runs, seed, overrides, executor, resume, overwrite,
    progress
        As :func:`sweep` (``params`` as ranges ``a:b`` or ``log:a:b``).
    method : {"sobol", "morris"}
    measure : str
        A measure (``adopters``, ``trained``, ``working``) or a key outcome of the store.
    at : str
        Date of a measure, ``YYYY-MM-DD``, or ``"end"``.
    group : str
        ``"all"`` or ``GROUPING:LABEL``.

    Returns
    -------
    SobolIndices or MorrisIndices
        ``rows()``, ``to_pandas()``: one row per parameter and the dummy last;
        ``noise_floor`` and ``above_noise``.

    Raises
    ------
    ScenarioError, InputError
        Before any point runs, also for an output the store will not hold.
    """
    from diffusion.sweeps.sensitivity import DEFAULT_POINTS, indices_of, output_check

    require("SALib", extra="sensitivity")
    request = SweepRequest(
        scenario,
        tuple(params),
        store,
        sets=tuple(overrides),
        design=method,
        points=DEFAULT_POINTS.get(method) if points is None else points,
        runs=runs,
        seed=seed,
        executor=executor,
        resume=resume,
        overwrite=overwrite,
    )
    job = prepare_sweep(request, check=output_check(measure, group))
    return indices_of(execute_sweep(job, progress), measure, at, group)


def advise(
    scenario: ScenarioLike,
    at: dt.date,
    seats: int,
    *,
    objective: str = "adopters",
    runs: int = 500,
    seed: int | None = None,
    quotas: Sequence[str] = (),
    required: Sequence[str] = (),
    excluded: Sequence[str] = (),
    candidates: int = 30,
    method: str = "celf",
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Any:
    """Recommend who to send on a cohort of ``seats`` at ``at``, against simple strategies.

    Each choice is simulated as one more cohort and compared run by run, with the same
    random numbers, with the same seats filled by the scenario's own nomination; the
    recommendation is chosen greedily (CELF) among the best candidates by cheap scores, and
    its gain and the strategies' are reported with 90% intervals on fresh runs
    (:func:`diffusion.advisor.advice.advise`).

    Parameters
    ----------
    scenario : LoadedScenario, str, path-like or None
        The scenario (None: the Etten-Leur baseline).
    at : date
        The cohort's date.
    seats : int
        Its seats.
    objective : str
        ``[WEIGHT*]KIND[@DATE][:SHARE]`` terms joined by ``+`` (``"adopters"``,
        ``"working@2020-01-01"``, ``"departments:0.3"``, ``"isolated"``).
    runs, seed : int
        Runs per evaluation and the selection runs' seed (default: the scenario's).
    quotas : sequence of str
        ``GROUPING[:LABEL](<=|>=)N`` (``"team<=2"``, ``"side:hard>=1"``).
    required, excluded : sequence of str
        Ids of people to send, or not to send.
    candidates : int
        Candidates kept by the cheap scores for the greedy.
    method : {"celf", "greedy"}
    executor : Executor, optional
        Where the evaluations run (default: in this process).
    progress : callable, optional
        Called with 1 after each simulation.

    Returns
    -------
    Advice
        ``ids`` (the recommendation), ``table()`` and ``to_pandas()`` (the recommendation and
        every strategy with its gain and interval), ``people()``.

    Raises
    ------
    ScenarioError, InputError
        A scenario's problems; dates, ids, quotas or an objective that do not fit it.
    """
    from diffusion.advisor.advice import Request
    from diffusion.advisor.advice import advise as run_advice
    from diffusion.advisor.constraints import parse_quota
    from diffusion.advisor.evaluate import build_study_end, dask_map
    from diffusion.advisor.objectives import parse_objective

    sc = _loaded(scenario).scenario
    goal = parse_objective(objective, build_study_end(sc), sc.outputs.pass_share)
    request = Request(
        at=at,
        seats=_positive("seats", seats),
        objective=goal,
        n_runs=_positive("runs", runs),
        seed=_seed(sc.seed if seed is None else seed),
        quotas=tuple(parse_quota(q) for q in quotas),
        required=tuple(required),
        excluded=tuple(excluded),
        n_candidates=_positive("candidates", candidates),
        method=method,
    )
    with (executor or Executor()).client() as client:
        mapper = None if client is None else dask_map(client)
        return run_advice(sc, request, mapper=mapper, progress=progress)


# ------------------------------------------------------------------------------ helpers
def _loaded(scenario: ScenarioLike) -> LoadedScenario:
    """Return a loaded scenario from what the functions accept."""
    if isinstance(scenario, LoadedScenario):
        return scenario
    return load_scenario(scenario)


def _positive(what: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("", what, f"give a positive integer (got {value!r})")
    return value


def _seed(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("", "seed", f"give a non-negative integer (got {value!r})")
    return value


__all__ = [
    "Calibration",
    "Comparison",
    "Sweep",
    "advise",
    "calibrate",
    "compare",
    "load_scenario",
    "report",
    "run",
    "sensitivity",
    "sweep",
    "what_if",
]
