"""One Python function per workflow of the command line, exposed at the top of the package.

``import diffusion`` and then:

* :func:`load_scenario`: read and check a scenario file (default: the Etten-Leur baseline);
* :func:`what_if`: a scenario with events or cohorts added, from Python;
* :func:`run`: simulate a scenario -> :class:`~diffusion.results.Results`;
* :func:`compare`: what-ifs against a base on the same seeds ->
  :class:`~diffusion.comparison.Comparison`.

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
from typing import Any

from diffusion.comparison import (
    GROUPINGS,
    Comparison,
    Outcome,
    Settings,
    compare_results,
    measures_for,
)
from diffusion.errors import InputError
from diffusion.results import Results
from diffusion.scenario.build import build_study, report_dates
from diffusion.scenario.load import LoadedScenario, RawScenario, packaged, validate
from diffusion.scenario.load import load_scenario as _load_file
from diffusion.scenario.overrides import SET_FILE, apply_overrides
from diffusion.scenario.problems import Problem, ScenarioError

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
    """A what-if: ``base`` with more events and cohorts, checked like a scenario file.

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
    progress: Progress | None = None,
) -> Results:
    """Simulate a scenario's Monte Carlo runs.

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
    progress : callable, optional
        Called with the number of run-steps done since the last call.

    Returns
    -------
    Results
        Counts per state per group per recorded week and run (``to_pandas()``,
        ``to_xarray()``), with the provenance to replay any run.

    Examples
    --------
    >>> import diffusion
    >>> base = diffusion.load_scenario(overrides=["calendar.end=2016-12-31"])
    >>> results = diffusion.run(base, runs=4, seed=1)
    >>> frame = results.to_pandas("department")
    >>> list(frame.columns), results.n_runs
    (['run', 'date', 'step', 'group', 'state', 'people'], 4)
    >>> results.to_xarray("department").dims
    ('run', 'date', 'group', 'state')
    """
    loaded = _loaded(scenario)
    sc = loaded.scenario
    study = build_study(sc, groupings=groupings)
    return study.simulate(
        _positive("runs", sc.runs if runs is None else runs),
        _seed(sc.seed if seed is None else seed),
        batch_size=batch_size,
        record_every=sc.outputs.record_every,
        progress=progress,
    )


def compare(
    base: ScenarioLike,
    what_ifs: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    *,
    runs: int | None = None,
    seed: int | None = None,
    dates: Sequence[dt.date] = (),
    pass_share: float | None = None,
    level: float = LEVEL,
    progress: Progress | None = None,
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
    progress : callable, optional
        Called with the number of run-steps done since the last call.

    Returns
    -------
    Comparison
        ``outcomes`` (``to_pandas()``: one row per what-if and outcome), the ``results``
        of every scenario (``to_xarray()``: dims scenario, run, date, group, state).

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
    studies = [build_study(item.scenario, groupings=GROUPINGS) for _, item in loaded]
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
            "dates",
            f"{outside[0]} is outside the calendar ({calendar.start} to {calendar.end})",
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
    results = {
        name: study.simulate(n_runs, root, progress=progress)
        for name, study in zip(names, studies, strict=True)
    }
    outcomes: list[Outcome] = []
    for name in names[1:]:
        outcomes += compare_results(results[names[0]], results[name], calendar, settings, name)
    return Comparison(names[0], tuple(outcomes), settings, calendar, results)


# ------------------------------------------------------------------------------ helpers
def _loaded(scenario: ScenarioLike) -> LoadedScenario:
    """A loaded scenario from what the functions accept."""
    if isinstance(scenario, LoadedScenario):
        return scenario
    return load_scenario(scenario)


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made unique by a suffix (comparing a scenario with itself)."""
    out: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in out:
            candidate, k = f"{name}#{k}", k + 1
        out.append(candidate)
    return out


def _positive(what: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("", what, f"give a positive integer (got {value!r})")
    return value


def _seed(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("", "seed", f"give a non-negative integer (got {value!r})")
    return value
