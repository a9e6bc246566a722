"""What-ifs under parameter uncertainty: whether a difference keeps its sign.

A comparison at the default parameters (:mod:`diffusion.comparison`) carries its Monte Carlo
interval, but not the uncertainty of the parameters themselves: Table 1 pins down only a few
of them, and a what-if's answer may hang on one the data cannot see. This module repeats the
comparison under ``K`` parameter sets (*draws*): from the posterior of the fit for the
parameters the data move, and from a documented plausible range for those they do not. Within
each draw the base and every what-if run with the same seed and run indices (common random
numbers); the same seed is used in every draw, so draws differ by their parameters only.

For each what-if and outcome it reports

* the difference at the defaults with its Monte Carlo interval;
* the spread of the per-draw mean differences (their 5% and 95% quantiles);
* the share of draws in which the difference has the sign it has at the defaults;
* a verdict: ``robust`` (the sign holds in at least :data:`ROBUST_SHARE` of the draws),
  ``depends on assumptions`` (it does not), or ``no clear effect`` (the default run's interval
  contains 0, so there is no sign to keep);
* for an answer that depends on assumptions, the parameters that decide it, found by a shallow
  decision tree (scikit-learn) that predicts from the draw's parameters whether the sign
  holds: scenario discovery (Bryant and Lempert 2010) with a library learner, not a
  hand-written rule miner.

A draw sets a parameter in the base and in each what-if, except in a what-if that sets that
parameter itself (its resolved value differs from the base's): the what-if's own change is
what is being asked about, so it is kept.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from diffusion.comparison import Outcome, Settings
    from diffusion.errors import Problem
    from diffusion.scenario.load import LoadedScenario
    from diffusion.study import Study

#: share of draws in which a sign must hold for the answer to count as robust
ROBUST_SHARE = 0.9
#: quantiles of the per-draw differences reported as their spread
SPREAD = (0.05, 0.95)
#: depth of the decision tree that names the deciding parameters
TREE_DEPTH = 2

ROBUST, DEPENDS, UNCLEAR = "robust", "depends on assumptions", "no clear effect"


# ------------------------------------------------------------------------------ draws
@dataclass(frozen=True)
class Draws:
    """``K`` parameter sets to repeat a comparison under.

    Attributes
    ----------
    paths : tuple of str
        Scenario paths of the parameters, e.g. ``model.params.receptivity_hard``.
    values : float array ``(draws, parameters)``
        One row per draw.
    origin : dict of str to str
        Per path where its values come from: ``"posterior"`` or ``"plausible range"``.
    """

    paths: tuple[str, ...]
    values: np.ndarray
    origin: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.paths):
            raise ValueError(
                f"draws need values of shape (draws, {len(self.paths)}), got {values.shape}"
            )
        if not np.all(np.isfinite(values)):
            raise ValueError("draws must be finite numbers")
        object.__setattr__(self, "values", values)

    @property
    def n_draws(self) -> int:
        """Number of parameter sets ``K``."""
        return int(self.values.shape[0])

    def overrides(self, k: int) -> dict[str, float]:
        """Draw ``k`` as ``path -> value``."""
        return {p: float(v) for p, v in zip(self.paths, self.values[k], strict=True)}

    def join(self, other: Draws) -> Draws:
        """Both sets of parameters side by side (the same number of draws)."""
        if other.n_draws != self.n_draws:
            raise ValueError(f"cannot join {self.n_draws} draws with {other.n_draws}")
        clash = set(self.paths) & set(other.paths)
        if clash:
            raise ValueError(f"a parameter drawn twice: {sorted(clash)[0]}")
        return Draws(
            (*self.paths, *other.paths),
            np.hstack([self.values, other.values]),
            {**self.origin, **other.origin},
        )


def draws_from_ranges(ranges: Mapping[str, tuple[float, float]], n_draws: int, seed: int) -> Draws:
    """``n_draws`` Latin-hypercube draws, uniform in each ``(low, high)`` range.

    Parameters
    ----------
    ranges : mapping of str to (float, float)
        Path -> plausible range, ``low < high``.
    n_draws : int
        ``K``.
    seed : int
        Seed of the design (the same seed gives the same draws).

    Examples
    --------
    >>> d = draws_from_ranges({"model.params.x": (0.0, 1.0)}, 4, seed=1)
    >>> d.values.shape, bool(((d.values >= 0) & (d.values <= 1)).all())
    ((4, 1), True)
    >>> sorted(np.floor(d.values[:, 0] * 4).astype(int).tolist())  # one per quarter
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    if n_draws < 1:
        raise ValueError("give at least one draw")
    paths = tuple(ranges)
    for path, (low, high) in ranges.items():
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(
                f"{path}: a plausible range needs finite low < high, got {low}, {high}"
            )
    if not paths:
        return Draws((), np.empty((n_draws, 0)), {})
    unit = qmc.LatinHypercube(d=len(paths), seed=np.random.default_rng(seed)).random(n_draws)
    lows = np.array([ranges[p][0] for p in paths])
    highs = np.array([ranges[p][1] for p in paths])
    return Draws(paths, lows + unit * (highs - lows), dict.fromkeys(paths, "plausible range"))


def draws_from_posterior(
    samples: np.ndarray,
    paths: Sequence[str],
    n_draws: int,
    seed: int,
    weights: np.ndarray | None = None,
) -> Draws:
    """``n_draws`` parameter sets resampled (by weight) from posterior samples.

    Parameters
    ----------
    samples : float array ``(samples, parameters)``
    paths : sequence of str
        The parameters' scenario paths.
    n_draws : int
        ``K``.
    seed : int
        Seed of the resampling.
    weights : float array ``(samples,)``, optional
        Importance weights (default: equal).
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != len(paths) or len(samples) == 0:
        raise ValueError(f"posterior samples need shape (samples, {len(paths)})")
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(samples),) or not np.all(w >= 0) or w.sum() <= 0:
            raise ValueError("posterior weights must be non-negative, one per sample")
        p = w / w.sum()
    idx = np.random.default_rng(seed).choice(len(samples), size=n_draws, p=p)
    return Draws(tuple(paths), samples[idx], dict.fromkeys(paths, "posterior"))


def read_posterior_csv(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Read a posterior sample written by ``diffusion calibrate`` (``posterior.csv``).

    Columns are parameter names (``model.params.`` is added where missing) and an optional
    ``weight``. Returns ``(paths, samples (samples, parameters), weights (samples,))``.

    Raises
    ------
    InputError
        One line per problem, naming the file and the line: not readable, no samples, a row
        of the wrong length, a value that is not a finite number, a negative weight, or
        weights that are all 0.
    """
    from diffusion.errors import InputError, Problem

    fix = "give the posterior.csv that diffusion calibrate writes"
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = [(reader.line_num, row) for row in reader]
    except FileNotFoundError:
        raise InputError(path, "", f"no such file; {fix}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, "", f"cannot read it as CSV ({exc}); {fix}") from None
    columns = [c for c in header if c != "weight"]
    if not columns or not rows:
        raise InputError(path, "", f"no posterior samples; {fix}")
    problems: list[Problem] = []
    samples = np.zeros((len(rows), len(columns)))
    weights = np.ones(len(rows))
    for i, (line, row) in enumerate(rows):
        place = f"line {line}"
        if None in row or any(row.get(c) is None for c in header):
            problems.append(
                Problem(
                    str(path),
                    place,
                    f"not {len(header)} values as in the header; {fix}",
                    show_value=False,
                )
            )
            continue
        for j, name in enumerate([*columns, "weight"] if "weight" in header else columns):
            try:
                value = float(row[name])
            except ValueError:
                value = float("nan")
            if not math.isfinite(value) or (name == "weight" and value < 0):
                need = "a number >= 0" if name == "weight" else "a finite number"
                problems.append(Problem(str(path), f"{place}: {name}", f"not {need}", row[name]))
            elif name == "weight":
                weights[i] = value
            else:
                samples[i, j] = value
    if not problems and weights.sum() <= 0:
        problems.append(Problem(str(path), "weight", f"every weight is 0; {fix}", show_value=False))
    if problems:
        raise InputError.of(problems)
    paths = [c if "." in c else f"model.params.{c}" for c in columns]
    return paths, samples, weights


def plausible_ranges(model: str = "ideas") -> dict[str, tuple[float, float]]:
    """Return the documented plausible range of each parameter the data do not identify.

    Read from the ``"plausible"`` entry of a parameter's field metadata (the ideas model's
    parameters carry it where Table 1 does not pin a value down; a parameter fixed on purpose
    has none). Paths are ``model.params.<name>``.
    """
    import dataclasses

    from diffusion.models.registry import MODELS, default_params

    params = default_params(MODELS[model])
    return {
        f"model.params.{f.name}": tuple(f.metadata["plausible"])
        for f in dataclasses.fields(params)
        if "plausible" in f.metadata
    }


def shipped_posterior() -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """Return the posterior sample of the calibrated defaults shipped with the package.

    ``diffusion/data/posterior.csv``, or None when the package ships none.
    """
    from importlib import resources

    resource = resources.files("diffusion.data").joinpath("posterior.csv")
    if not resource.is_file():
        return None
    with resources.as_file(resource) as path:
        return read_posterior_csv(path)


def default_draws(
    n_draws: int,
    seed: int,
    *,
    model: str = "ideas",
    posterior: tuple[Sequence[str], np.ndarray, np.ndarray] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> Draws:
    """Return the draws a what-if is judged under.

    Posterior samples for the parameters the data move, plausible ranges for the others.

    Parameters
    ----------
    n_draws, seed : int
        ``K`` and the seed of the draws.
    model : str
        The model whose documented plausible ranges (:func:`plausible_ranges`) to use.
    posterior : (paths, samples, weights), optional
        A posterior sample (:func:`read_posterior_csv`); default: the shipped one, if any.
    ranges : mapping of str to (float, float), optional
        Plausible ranges that replace or add to the documented ones.

    Raises
    ------
    ValueError
        When there is nothing to draw (no posterior and no plausible range).
    """
    if posterior is None and model == "ideas":
        posterior = shipped_posterior()
    plausible = {**(plausible_ranges(model) if model in _models() else {}), **(ranges or {})}
    parts = []
    if posterior is not None:
        paths, samples, weights = posterior
        parts.append(draws_from_posterior(samples, paths, n_draws, seed, weights))
        plausible = {p: r for p, r in plausible.items() if p not in paths or p in (ranges or {})}
        if ranges:
            keep = [i for i, p in enumerate(paths) if p not in ranges]
            first = parts[0]
            parts[0] = Draws(
                tuple(first.paths[i] for i in keep),
                first.values[:, keep],
                {first.paths[i]: "posterior" for i in keep},
            )
    if plausible:
        parts.append(draws_from_ranges(plausible, n_draws, seed + 1))
    if not parts or sum(len(p.paths) for p in parts) == 0:
        raise ValueError(
            f"no parameter uncertainty is documented for model {model!r}: "
            "give plausible ranges (--vary PATH=LOW:HIGH) or a posterior (--posterior FILE)"
        )
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part)
    return out


def _models() -> list[str]:
    from diffusion.models.registry import MODELS

    return list(MODELS)


# ------------------------------------------------------------------------------ verdicts
@dataclass(frozen=True)
class Robustness:
    """One outcome of one what-if under the draws.

    Attributes
    ----------
    what_if, outcome : str
        As in :class:`diffusion.comparison.Outcome`.
    difference, low, high : float
        Paired difference at the defaults and its Monte Carlo interval.
    spread_low, spread_high : float
        5% and 95% quantiles of the per-draw mean differences.
    sign_share : float
        Share of draws whose mean difference has the sign of ``difference``.
    verdict : str
        ``robust``, ``depends on assumptions`` or ``no clear effect``.
    deciders : tuple of str
        For ``depends on assumptions``: the splits that decide the sign, e.g.
        ``"receptivity_hard <= 0.5"``, most important first.
    per_draw : float array ``(draws,)``
        The per-draw mean differences.
    measure, group, date : str
        The outcome's parts, as in ``comparison.csv``.
    """

    what_if: str
    outcome: str
    difference: float
    low: float
    high: float
    spread_low: float
    spread_high: float
    sign_share: float
    verdict: str
    deciders: tuple[str, ...] = ()
    per_draw: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    measure: str = ""
    group: str = ""
    date: str = ""

    def row(self) -> dict[str, object]:
        """Return the row of ``robustness.csv``, tidy like ``comparison.csv``.

        whatif, measure, group, date, then the judgement; ``per_draw`` is left out.
        """
        return {
            "whatif": self.what_if,
            "measure": self.measure,
            "group": self.group,
            "date": self.date,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "draws_low": self.spread_low,
            "draws_high": self.spread_high,
            "sign_share": self.sign_share,
            "verdict": self.verdict,
            "deciders": "; ".join(self.deciders),
        }


def sign_share(default: float, per_draw: np.ndarray) -> float:
    """Share of ``per_draw`` differences with the sign of ``default`` (0 counts as a sign).

    Examples
    --------
    >>> sign_share(2.0, np.array([1.0, 3.0, -0.5, 0.2]))
    0.75
    """
    per_draw = np.asarray(per_draw, dtype=np.float64)
    ok = ~np.isnan(per_draw)
    if not ok.any():
        return float("nan")
    return float(np.mean(np.sign(per_draw[ok]) == np.sign(default)))


def verdict(low: float, high: float, share: float) -> str:
    """Judge a difference: ``no clear effect``, ``robust`` or ``depends on assumptions``.

    ``no clear effect`` when ``[low, high]`` contains 0, else ``robust`` when the sign
    holds in at least :data:`ROBUST_SHARE` of the draws, else ``depends on assumptions``.
    """
    if not (low > 0 or high < 0):
        return UNCLEAR
    return ROBUST if share >= ROBUST_SHARE else DEPENDS


def deciders(draws: Draws, holds: np.ndarray, *, depth: int = TREE_DEPTH) -> tuple[str, ...]:
    """Return the parameter splits that best tell draws where the sign holds from the others.

    A decision tree of depth ``depth`` (scikit-learn) is fitted to ``holds`` ``(draws,)``
    from the draws' parameters; its splits are returned most important first, as
    ``"name <= threshold"``. Empty when the sign holds in all draws or in none.
    """
    holds = np.asarray(holds, dtype=bool)
    if holds.all() or not holds.any() or not draws.paths:
        return ()
    from sklearn.tree import DecisionTreeClassifier  # type: ignore[import-untyped]

    leaf = max(2, draws.n_draws // 10)
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=0)
    tree.fit(draws.values, holds)
    t = tree.tree_
    gains: dict[int, float] = {}
    for node in range(t.node_count):
        if t.children_left[node] == -1:
            continue
        left, right = t.children_left[node], t.children_right[node]
        gain = (
            t.weighted_n_node_samples[node] * t.impurity[node]
            - t.weighted_n_node_samples[left] * t.impurity[left]
            - t.weighted_n_node_samples[right] * t.impurity[right]
        )
        gains[node] = float(gain)
    out = []
    for node, gain in sorted(gains.items(), key=lambda kv: -kv[1]):
        if gain <= 0:
            continue
        name = draws.paths[t.feature[node]].removeprefix("model.params.")
        text = f"{name} <= {t.threshold[node]:.3g}"
        if text not in out:
            out.append(text)
    return tuple(out)


# ------------------------------------------------------------------------------ running
def _resolved_value(loaded: LoadedScenario, path: str) -> Any:
    node: Any = loaded.resolved()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def draw_overrides(
    base: LoadedScenario, what_if: LoadedScenario, draws: Draws, k: int
) -> tuple[list[str], list[str]]:
    """Return the ``--set`` overrides of draw ``k`` for the base and for a what-if.

    A what-if keeps a parameter it sets itself (its value differs from the base's).
    """
    from diffusion.scenario.overrides import Override

    base_overrides: list[str] = []
    what_if_overrides: list[str] = []
    for path, value in draws.overrides(k).items():
        origin = draws.origin.get(path, "drawn values")
        text = Override(f"{path}={value!r}", f"--draws: draw {k + 1} of the {origin}")
        base_overrides.append(text)
        if _resolved_value(what_if, path) == _resolved_value(base, path):
            what_if_overrides.append(text)
    return base_overrides, what_if_overrides


def check_draws(base: LoadedScenario, draws: Draws) -> None:
    """Refuse, before anything is simulated, a draw whose values the base scenario refuses.

    A value out of a parameter's range (a ``--vary`` range too wide, a posterior file's
    value) or a path that names no parameter; one line per problem, naming the draw
    (:class:`~diffusion.scenario.overrides.Override`). What-ifs take the same values.
    """
    for k in range(draws.n_draws):
        _reload(base, draw_overrides(base, base, draws, k)[0])


def check_ranges(base: LoadedScenario, ranges: Mapping[str, tuple[float, float]]) -> None:
    """Refuse a plausible range (``--vary PATH=LOW:HIGH``) whose ends the base scenario refuses.

    Draws lie between the ends, so both must be values the parameter takes. A problem names
    the range (:class:`~diffusion.scenario.overrides.Override`) and the refused end, not the
    first draw that happens to fall outside the parameter's valid values.
    """
    from diffusion.scenario.overrides import Override
    from diffusion.scenario.problems import ScenarioError

    problems: list[Problem] = []
    for path, (low, high) in ranges.items():
        origin = f"--vary {path}={low:g}:{high:g}"
        for end in (low, high):
            try:
                _reload(base, [Override(f"{path}={end!r}", origin)])
            except ScenarioError as exc:
                problems += exc.problems
    if problems:
        raise ScenarioError(problems)


def _reload(loaded: LoadedScenario, extra: Sequence[str]) -> LoadedScenario:
    """Return ``loaded`` with the ``--set`` overrides ``extra`` applied and checked again.

    Also a what-if made in Python, which has no file.
    """
    from diffusion.scenario.load import LoadedScenario, RawScenario, validate
    from diffusion.scenario.overrides import SET_FILE, apply_overrides
    from diffusion.scenario.problems import ScenarioError

    data = loaded.scenario.model_dump(exclude_none=True)
    origins: dict[tuple[str | int, ...], str] = {}
    for key in ("end", "years"):
        # a calendar shortened by an override leaves later dates out, not refused
        if any(o.partition("=")[0].strip() == f"calendar.{key}" for o in loaded.overrides):
            origins[("calendar", key)] = SET_FILE
    raw = RawScenario(data, origins, loaded.files)
    problems = apply_overrides(raw.data, raw.origins, extra)
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(validate(raw), raw.files, (*loaded.overrides, *extra))


def _draw_rows(
    base: LoadedScenario,
    what_ifs: Sequence[tuple[str, LoadedScenario]],
    draws: Draws,
    k: int,
    n_runs: int,
    seed: int,
    settings: Settings,
    threads: int | None = None,
) -> list[Outcome]:
    """Compare every what-if with the base under draw ``k`` (one seed: common random numbers)."""
    from diffusion.comparison import compare_results as compare
    from diffusion.scenario.build import build_study
    from diffusion.study import simulate_studies

    groupings = ("department", "kind")
    studies: list[Study] = []
    for _, what_if in what_ifs:
        base_set, what_if_set = draw_overrides(base, what_if, draws, k)
        if not studies:
            studies.append(build_study(_reload(base, base_set).scenario, groupings=groupings))
        studies.append(build_study(_reload(what_if, what_if_set).scenario, groupings=groupings))
    if not studies:
        return []
    # the what-ifs go on from the base's runs where their history is the base's
    base_results, *others = simulate_studies(studies, n_runs, seed, threads=threads)
    rows: list[Outcome] = []
    for (name, _), results in zip(what_ifs, others, strict=True):
        rows += compare(base_results, results, studies[0].calendar, settings, name)
    return rows


def robustness(
    base: LoadedScenario,
    what_ifs: Sequence[tuple[str, LoadedScenario]],
    default_rows: Sequence[Outcome],
    draws: Draws,
    *,
    n_runs: int,
    seed: int,
    settings: Settings,
    map_fn: Callable[..., Iterable[list[Outcome]]] = map,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Robustness]:
    """Repeat a comparison under every draw and judge each difference's sign.

    Parameters
    ----------
    base : LoadedScenario
        The base scenario.
    what_ifs : sequence of (str, LoadedScenario)
        The what-ifs by the names used in ``default_rows``.
    default_rows : sequence of Outcome
        The comparison at the defaults (:func:`diffusion.comparison.compare_results`), whose
        differences and Monte Carlo intervals are judged.
    draws : Draws
        The parameter sets.
    n_runs : int
        Runs per scenario and draw.
    seed : int
        Root seed, the same in every draw.
    settings : Settings
        What the comparison reports (dates, shares).
    map_fn : callable
        ``map``-like: ``map_fn(function, draw_indices)``; pass an executor's ``map`` to spread
        the draws over processes or a Dask cluster (results do not depend on it).
    threads : int, optional
        Engine threads per simulation (1 inside worker processes).
    progress : callable, optional
        Called with 1 after each draw.

    Returns
    -------
    list of Robustness
        One per row of ``default_rows``, in their order.
    """
    import functools

    job = functools.partial(
        _draw_rows,
        base,
        list(what_ifs),
        draws,
        n_runs=n_runs,
        seed=seed,
        settings=settings,
        threads=threads,
    )
    per_draw: dict[tuple[str, str], list[float]] = {}
    for rows in map_fn(job, range(draws.n_draws)):
        for row in rows:
            per_draw.setdefault((row.what_if, row.outcome), []).append(row.difference)
        if progress is not None:
            progress(1)
    out = []
    for row in default_rows:
        values = np.array(per_draw.get((row.what_if, row.outcome), []), dtype=np.float64)
        share = sign_share(row.difference, values)
        ok = values[~np.isnan(values)]
        lo, hi = np.quantile(ok, SPREAD) if ok.size else (math.nan, math.nan)
        judged = verdict(row.low, row.high, share)
        decide: tuple[str, ...] = ()
        if judged == DEPENDS and ok.size == draws.n_draws:
            decide = deciders(draws, np.sign(values) == np.sign(row.difference))
        out.append(
            Robustness(
                what_if=row.what_if,
                outcome=row.outcome,
                difference=row.difference,
                low=row.low,
                high=row.high,
                spread_low=float(lo),
                spread_high=float(hi),
                sign_share=share,
                verdict=judged,
                deciders=decide,
                per_draw=values,
                measure=getattr(row, "measure", ""),
                group=getattr(row, "group", ""),
                date=getattr(row, "date", ""),
            )
        )
    return out
