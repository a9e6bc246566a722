"""The calibration workflow as one function: what ``diffusion calibrate`` does.

:func:`calibrate` cuts the scenario's calendar at Table 1's cutoff, draws the parameters from
their priors, fits them to the observed summaries (rejection ABC or pyabc's ABC-SMC) and
checks the posterior on fresh runs (the posterior predictive check). Where the work runs is
an :class:`~diffusion.executors.Executor`; the result is a :class:`Calibration`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diffusion.baseline import BASELINE
from diffusion.calibration.distance import Distance
from diffusion.calibration.observed import observed_from_facts
from diffusion.calibration.posterior import (
    Posterior,
    posterior_table,
    predictive_check,
    teams_inside,
)
from diffusion.calibration.priors import Prior, parse_priors
from diffusion.calibration.simulator import Simulator
from diffusion.calibration.summaries import Layout, cutoff_override, load_to_cutoff
from diffusion.errors import InputError
from diffusion.executors import Executor
from diffusion.org.etten_leur import facts
from diffusion.scenario.build import build_study
from diffusion.scenario.load import LoadedScenario, load_scenario, packaged
from diffusion.study import Study

#: methods: rejection ABC (numpy) and ABC-SMC (pyabc)
METHODS: tuple[str, ...] = ("rejection", "abc-smc")
#: runs at each parameter vector when none are given: ABC-SMC accepts a particle on one
#: simulated data set; rejection keeps a share of all runs
DEFAULT_RUNS: dict[str, int] = {"rejection": 10, "abc-smc": 1}
#: runs of each posterior draw in the predictive check
CHECK_RUNS = 10
#: ABC-SMC's pilot: at most this many vectors to scale the distance
PILOT = 200


def check_offset(method: str, simulations: int) -> int:
    """Return the first parameter-vector index of the predictive check's draws.

    A vector ``f`` is simulated with the runs of ``(seed, f)``
    (:class:`~diffusion.calibration.simulator.Simulator`). The check must use fresh runs, not
    those the fit accepted: rejection ABC used vectors ``0 .. simulations - 1``, so the check
    starts after them; ABC-SMC's pilot used ``0 .. PILOT - 1`` and pyabc's samplers use
    offsets hashed from their particles, so the check starts at ``2**30``, past both.
    """
    return simulations if method == "rejection" else 1 << 30


@dataclass(frozen=True)
class Calibration:
    """A fitted posterior and its predictive check.

    Attributes
    ----------
    posterior : Posterior
        Weighted samples ``(samples, parameters)`` and the method's information.
    distance : Distance
        The distance's observed values, scales and weights (``rows()``).
    priors : tuple of Prior
    summary : list of dict
        Per parameter: prior, mean, 90% interval, its width relative to the prior's.
    check : list of dict
        Per team: observed participants and the simulated mean and 90% band.
    check_statistics : float array ``(draws x runs, statistics)``
        The summary statistics of every run of the predictive check, in the order of
        ``observed.names``.
    observed : Observed
        The observed summaries (Table 1).
    study : Study
        The scenario cut at the cutoff, as fitted.
    seed : int
    scenario : LoadedScenario
        The scenario as loaded and cut (its files and overrides, for the manifest).
    """

    posterior: Posterior
    distance: Distance
    priors: tuple[Prior, ...]
    summary: list[dict[str, Any]]
    check: list[dict[str, Any]]
    check_statistics: Any
    observed: Any
    study: Study
    seed: int
    scenario: LoadedScenario

    #: the files :meth:`save` writes (and ``abc.db`` for ABC-SMC), in order
    FILES = (
        "posterior.csv",
        "posterior_summary.csv",
        "predictive_check.csv",
        "predictive_check.png",
        "statistics.csv",
        "manifest.json",
    )

    def save(self, folder: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
        """Write the calibration's files into ``folder``, swapped in at once when done.

        ``posterior.csv`` (samples and weights), ``posterior_summary.csv`` (mean and 90%
        interval per parameter), ``predictive_check.csv`` and ``.png`` (observed against
        simulated per team), ``statistics.csv`` (observed values, scales and weights of the
        distance), ABC-SMC's ``abc.db`` (moved in) and, last, ``manifest.json``; a folder is
        replaced only if diffusion wrote it, or with ``overwrite``
        (:func:`diffusion.outputs.output_folder`).

        Returns
        -------
        list of Path
            The files written.
        """
        from diffusion.calibration.posterior import plot_predictive_check
        from diffusion.io import save_figure
        from diffusion.outputs import output_folder, write_manifest
        from diffusion.plotting import new_figure
        from diffusion.tables import write_csv

        post, names = self.posterior, list(self.FILES)
        with output_folder(folder, overwrite=overwrite) as tmp:
            write_csv(post.rows(), tmp / "posterior.csv")
            write_csv(self.summary, tmp / "posterior_summary.csv")
            write_csv(self.check, tmp / "predictive_check.csv")
            write_csv(self.distance.rows(), tmp / "statistics.csv")
            fig = new_figure(9, 4)
            plot_predictive_check(self.check, ax=fig.add_subplot())
            fig.tight_layout()
            save_figure(fig, tmp / "predictive_check.png")
            info = dict(post.info)
            if "database" in info:
                shutil.move(info["database"], tmp / "abc.db")
                info["database"] = str(Path(folder) / "abc.db")
                names.append("abc.db")
            write_manifest(
                tmp,
                {self.study.name: self.scenario},
                int(info["runs_per_simulation"]),
                self.seed,
                method=post.method,
                priors={p.path: str(p) for p in self.priors},
                calibration=info,
                constant_statistics=list(self.distance.constant),
                teams_inside_band=self.teams_inside,
                start=self.study.calendar.start.isoformat(),
                end=self.study.calendar.end.isoformat(),
            )
        return [Path(folder) / name for name in names]

    @property
    def teams_inside(self) -> int:
        """Teams whose observed participants lie inside their simulated 90% band."""
        return teams_inside(self.check)

    def to_pandas(self) -> Any:
        """Return the posterior samples and weights, one row per sample."""
        import pandas as pd

        return pd.DataFrame(self.posterior.rows())

    def to_xarray(self) -> Any:
        """Return the posterior as a :class:`xarray.Dataset`.

        ``samples`` (sample, parameter) and ``weights`` (sample).
        """
        import xarray as xr

        return xr.Dataset(
            {
                "samples": (("sample", "parameter"), self.posterior.samples),
                "weights": ("sample", self.posterior.weights),
            },
            coords={"parameter": list(self.posterior.paths)},
        )


def calibrate(
    scenario: LoadedScenario | str | os.PathLike[str] | None,
    priors: Sequence[str],
    *,
    method: str = "rejection",
    simulations: int = 2000,
    runs: int | None = None,
    accept: float = 0.02,
    population: int = 200,
    check_draws: int = 100,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    db: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> Calibration:
    """Fit parameters of a scenario to Table 1 and check the fit on fresh runs.

    Parameters
    ----------
    scenario : LoadedScenario, str, path-like or None
        The scenario (None: the Etten-Leur baseline); its calendar is cut at
        :data:`~diffusion.calibration.summaries.CUTOFF`.
    priors : sequence of str
        ``PATH=PRIOR`` (``"model.params.p_adopt_per_week=loguniform(0.001, 0.1)"``).
    method : {"rejection", "abc-smc"}
    simulations : int
        Parameter vectors simulated (abc-smc: the budget in all).
    runs : int, optional
        Runs at each vector (default: 10 for rejection; abc-smc takes 1).
    accept : float
        Rejection: share of all simulated runs kept.
    population : int
        ABC-SMC: particles per population.
    check_draws : int
        Posterior draws of the predictive check (:data:`CHECK_RUNS` runs each).
    seed : int, optional
        Seed of the draws and the runs (default: the scenario's).
    overrides : sequence of str
        ``path=value`` overrides of the scenario (when it is given as a file or None).
    executor : Executor, optional
        Where the simulations run (default: in this process).
    db : path, optional
        ABC-SMC: pyabc's database file (default: a temporary file).
    progress : callable, optional
        Rejection: called with 1 for every vector simulated.
    notify : callable, optional
        Called with one line saying what will be simulated where, once the inputs are
        checked and before any simulation.

    Returns
    -------
    Calibration

    Raises
    ------
    ScenarioError, InputError
        A scenario's problems; a prior that does not parse or names no parameter; runs
        other than 1 for abc-smc; a missing optional package.

    Examples
    --------
    >>> import diffusion
    >>> fit = diffusion.calibrate(
    ...     None,
    ...     ["model.params.nomination_word_of_mouth=loguniform(0.1, 30)"],
    ...     simulations=40, runs=2, accept=0.1, check_draws=4, seed=1,
    ... )
    >>> fit.posterior.method, fit.posterior.paths
    ('rejection', ('model.params.nomination_word_of_mouth',))
    >>> fit.summary[0]["q05"] <= fit.summary[0]["mean"] <= fit.summary[0]["q95"]
    True
    >>> 0 <= fit.teams_inside <= len(fit.check)
    True
    """
    if method not in METHODS:
        raise InputError("", "method", f"give one of {', '.join(METHODS)} (got {method!r})")
    if method == "abc-smc" and runs not in (None, 1):
        raise InputError(
            "",
            "--runs-per-simulation",
            "abc-smc accepts a particle on one simulated data set; "
            "give 1, or use --method rejection",
        )
    executor = executor or Executor()
    executor.check_available()
    if method == "abc-smc":
        from diffusion.sweeps.runner import require

        require("pyabc", extra="calibrate")
    n_runs = runs or DEFAULT_RUNS[method]
    if isinstance(scenario, LoadedScenario):
        cut = [cutoff_override()]
        loaded = load_scenario(scenario.file, [*scenario.overrides, *cut, *overrides])
    else:
        loaded = load_to_cutoff(packaged(BASELINE) if scenario is None else scenario, overrides)
    study = build_study(loaded.scenario)
    parsed = tuple(parse_priors(priors, study.model.params))
    root = loaded.scenario.seed if seed is None else seed
    the_facts = facts()
    layout = Layout.build(study, the_facts)
    observed = observed_from_facts(the_facts)
    sim = Simulator(study, layout, tuple(p.path for p in parsed), root)
    if notify is not None:
        where = executor.describe()
        notify(
            f"calibrate: {method}, {simulations} simulations x {n_runs} runs of {study.name} "
            f"({study.calendar.start} to {study.calendar.end}) "
            f"{where if where == 'in this process' else 'on ' + where}, seed {root}"
        )
    with executor.client() as client:
        if method == "rejection":
            from diffusion.calibration.rejection import rejection_abc

            post, distance = rejection_abc(
                sim,
                list(parsed),
                observed,
                n_simulations=simulations,
                runs_per_simulation=n_runs,
                seed=root,
                accept=accept,
                client=client,
                advance=progress,
            )
        else:
            import tempfile

            from diffusion.calibration.abc_smc import abc_smc

            if db is None:
                db = Path(tempfile.mkdtemp(prefix="diffusion-abc-")) / "abc.db"
            post, distance = abc_smc(
                sim,
                list(parsed),
                observed,
                population=population,
                max_simulations=simulations,
                db=Path(db),
                seed=root,
                pilot=min(PILOT, max(population, simulations // 5)),
                client=client,
            )
        rows, stats = predictive_check(
            sim,
            post,
            observed,
            draws=check_draws,
            runs=CHECK_RUNS,
            first_index=check_offset(method, simulations),
            seed=root,
            client=client,
        )
    summary = posterior_table(post, list(parsed))
    return Calibration(post, distance, parsed, summary, rows, stats, observed, study, root, loaded)
