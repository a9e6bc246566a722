"""How well a scenario reproduces Table 1's patterns, and whether it beats null recruitment.

:func:`fit_report` simulates a study to autumn 2018 (Table 1's cut-off) and compares every
pattern of :mod:`diffusion.calibration.summaries` with its observed value:

* the simulated mean and 90% band (5% and 95% quantiles over runs);
* the posterior-predictive tail probability ``2 min(P(X <= o), P(X >= o))`` (capped at 1):
  small when the observed value ``o`` is in either tail of the simulated ``X``;
* whether it is fixed (the same value in every run: history the scenario conditions on,
  such as who took LC1's two seats, or a fixed parameter, such as no seats for heads);
  such a pattern is reported, not fitted;
* whether a run *reproduces* the pattern: ``|X - o| <= tol`` with the tolerance of
  :data:`TOLERANCE` (0 for the 0/1 order facts, the absence of cells of three and of heads);
  the *joint share* is the share of runs that reproduce every pattern at once.

It also fits the same study with the null recruitment models of
:mod:`diffusion.calibration.nulls` (seats filled uniformly at random among eligible staff; by
soft/hard side only) and scores each model by the predictive log-likelihood of the observed
Table 1 (a proper score, higher is better):

* **per-team vector**: the log-probability of the observed 14 counts under a
  Dirichlet-multinomial whose mean is the simulated mean share of each team (smoothed with
  half a person per team) and whose concentration is the method-of-moments estimate from
  the simulated overdispersion, at the observed total;
* **cell sizes**: the sum over Table 1's 27 cells of the log-probability of the cell's size
  (1, 2, or 3 and more) under the pooled simulated cell sizes with a Jeffreys (add one half)
  smoothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from diffusion.calibration.observed import Observed, observed_from_facts
from diffusion.calibration.summaries import Layout
from diffusion.executors import Executor
from diffusion.study import Study

#: tolerance of each pattern (by name or name prefix) for a run to reproduce it
TOLERANCE: dict[str, float] = {
    "team:": 2.0,
    "department:": 3.0,
    "share:": 0.1,
    "team_leaders": 1.0,
    "hard_team_leaders": 1.0,
    "leader_first": 1.0,
    "cells": 3.0,
    "pairs": 2.0,
    "cells_3plus": 0.0,
    "cells:": 1.0,
    "pairs:": 1.0,
    "heads_or_secretary": 0.0,
    "policy_officers": 1.0,
    "hard_from_2018": 2.0,
    "order:": 0.0,
}
#: the joint share the fit aims above (issue 12: "well above the 2% it is today")
JOINT_GOAL = 0.02
#: the two quantiles of the band
BAND = (0.05, 0.95)


def tolerance(name: str) -> float:
    """Return the tolerance of pattern ``name`` (an exact name first, then the longest prefix)."""
    if name in TOLERANCE:
        return TOLERANCE[name]
    prefixes = [p for p in TOLERANCE if p.endswith(":") and name.startswith(p)]
    return TOLERANCE[max(prefixes, key=len)]


@dataclass(frozen=True, eq=False)
class PatternFit:
    """Simulated patterns against the observed ones.

    Attributes
    ----------
    names : tuple of str
    observed : float array ``(patterns,)``
    simulated : float array ``(runs, patterns)``
    """

    names: tuple[str, ...]
    observed: np.ndarray
    simulated: np.ndarray

    @property
    def reproduced(self) -> np.ndarray:
        """Bool ``(runs, patterns)``: the run is within the pattern's tolerance."""
        tol = np.array([tolerance(n) for n in self.names])
        return np.abs(self.simulated - self.observed) <= tol + 1e-9

    @property
    def joint_share(self) -> float:
        """Share of runs that reproduce every pattern at once."""
        return float(self.reproduced.all(axis=1).mean())

    @property
    def joint_share_without_order(self) -> float:
        """Share of runs that reproduce every pattern but the known-order facts (``order:``.

        Single anecdotes, each a 0/1 event of one cohort).
        """
        keep = [not n.startswith("order:") for n in self.names]
        return float(self.reproduced[:, keep].all(axis=1).mean())

    def chain(self) -> list[tuple[str, float, float]]:
        """Patterns added from the most to the least often reproduced, with the runs left.

        Fixed patterns are left out. Returns ``(name, share of runs reproducing it, share
        reproducing it and every pattern before it)`` per pattern: where the last share drops
        is where the joint share is lost.
        """
        reproduced, fixed = self.reproduced, self.fixed
        order = sorted(
            (i for i in range(len(self.names)) if not fixed[i]),
            key=lambda i: (-reproduced[:, i].mean(), self.names[i]),
        )
        together = np.ones(reproduced.shape[0], dtype=bool)
        out = []
        for i in order:
            together &= reproduced[:, i]
            out.append((self.names[i], float(reproduced[:, i].mean()), float(together.mean())))
        return out

    def tail_probability(self) -> np.ndarray:
        """``2 min(P(X <= o), P(X >= o))`` per pattern, capped at 1."""
        x, o = self.simulated, self.observed
        low = (x <= o + 1e-9).mean(axis=0)
        high = (x >= o - 1e-9).mean(axis=0)
        return np.minimum(1.0, 2 * np.minimum(low, high))

    @property
    def fixed(self) -> np.ndarray:
        """Bool ``(patterns,)``.

        The same in every run, so set by the scenario (a piece of history it conditions on, such as
        who took LC1's seats) or by a fixed parameter, not fitted.
        """
        return (self.simulated == self.simulated[:1]).all(axis=0)

    def rows(self) -> list[dict[str, Any]]:
        """One row per pattern.

        Observed, mean, band, inside, tail probability, reproduced, and whether it is the same in
        every run (``fixed``).
        """
        lo, hi = np.quantile(self.simulated, BAND, axis=0)
        tail = self.tail_probability()
        share = self.reproduced.mean(axis=0)
        return [
            {
                "pattern": n,
                "observed": round(float(o), 4),
                "mean": round(float(m), 4),
                "low": round(float(a), 4),
                "high": round(float(b), 4),
                "inside": bool(a - 1e-9 <= o <= b + 1e-9),
                "tail_probability": round(float(p), 4),
                "tolerance": tolerance(n),
                "reproduced_share": round(float(r), 4),
                "fixed": bool(f),
            }
            for n, o, m, a, b, p, r, f in zip(
                self.names,
                self.observed,
                self.simulated.mean(axis=0),
                lo,
                hi,
                tail,
                share,
                self.fixed,
                strict=True,
            )
        ]


def team_log_score(simulated_counts: np.ndarray, observed_counts: np.ndarray) -> float:
    """Predictive log-likelihood of the observed per-team vector (Dirichlet-multinomial).

    Parameters
    ----------
    simulated_counts : float array ``(runs, teams)``
    observed_counts : int array ``(teams,)``

    Returns
    -------
    float
        ``log P(observed)`` under a Dirichlet-multinomial with the simulated mean shares
        (each team smoothed by half a person) and the method-of-moments concentration.
    """
    x = np.asarray(simulated_counts, dtype=np.float64)
    obs = np.asarray(observed_counts, dtype=np.int64)
    n = int(obs.sum())
    k = x.shape[1]
    shares = x / np.maximum(x.sum(axis=1, keepdims=True), 1.0)
    p = (shares.sum(axis=0) * n + 0.5) / (len(x) * n + 0.5 * k)
    # Var(X_k) = n p_k (1 - p_k) rho, rho = (n + a0) / (1 + a0)
    rho = (shares * n).var(axis=0, ddof=1).sum() / (n * p * (1 - p)).sum()
    a0 = 1e6 if rho <= 1.0 + 1e-6 else max((n - rho) / (rho - 1.0), 1e-3)
    return float(stats.dirichlet_multinomial.logpmf(obs, a0 * p, n))


def cell_log_score(simulated_sizes: np.ndarray, observed_sizes: np.ndarray) -> float:
    """Predictive log-likelihood of the observed cells' sizes (1, 2, 3+), Jeffreys-smoothed.

    Parameters
    ----------
    simulated_sizes : array ``(runs, teams, cohorts)``
        Participants of each team in each cohort, every run.
    observed_sizes : array ``(teams, cells)``
        Table 1's cells (zeros where a team has fewer cells).
    """

    def histogram(sizes: np.ndarray) -> np.ndarray:
        s = np.asarray(sizes).reshape(-1)
        s = s[s > 0]
        return np.array([(s == 1).sum(), (s == 2).sum(), (s >= 3).sum()], dtype=np.float64)

    q = (histogram(simulated_sizes) + 0.5) / (histogram(simulated_sizes).sum() + 1.5)
    return float((histogram(observed_sizes) * np.log(q)).sum())


@dataclass(frozen=True, eq=False)
class FitReport:
    """The patterns of a model and its log scores against the null recruitment models.

    Attributes
    ----------
    patterns : PatternFit
        The model's patterns.
    scores : dict of str to dict
        Per model (``"model"`` and each null): ``team_log_score``, ``cell_log_score``,
        ``log_score`` (their sum), ``joint_share`` and ``joint_share_without_order``.
    n_runs, seed : int
    """

    patterns: PatternFit
    scores: dict[str, dict[str, float]]
    n_runs: int
    seed: int

    def null_rows(self) -> list[dict[str, Any]]:
        """One row per model, with its log-score margin over the model (negative: worse)."""
        best = self.scores["model"]["log_score"]
        return [
            {
                "model": name,
                **{k: round(v, 4) for k, v in s.items()},
                "vs_model": round(s["log_score"] - best, 4),
            }
            for name, s in self.scores.items()
        ]

    @property
    def beats_nulls(self) -> bool:
        """Whether the model's log score is above every null's."""
        best = self.scores["model"]["log_score"]
        return all(s["log_score"] < best for n, s in self.scores.items() if n != "model")

    def verdict(self, joint_goal: float = JOINT_GOAL) -> list[str]:
        """Return the report's findings against the fit's goals, one sentence each.

        The goals (issue 12): every observed pattern inside its 90% band; the model above
        every null recruitment model in log score (each margin given in nats and as a
        likelihood ratio, so the reader can judge it); a joint share of runs reproducing
        every pattern above ``joint_goal``. When the joint share misses its goal, the
        patterns reproduced least often are named, and where adding them (from the most to
        the least reproduced, :meth:`PatternFit.chain`) takes the share below the goal.
        """
        rows = self.patterns.rows()
        out_of_band = [r["pattern"] for r in rows if not r["inside"]]
        lines = [
            f"{len(rows) - len(out_of_band)} of {len(rows)} patterns inside their 90% band"
            + (f"; outside: {', '.join(out_of_band)}" if out_of_band else "")
        ]
        best = self.scores["model"]["log_score"]
        for name, s in self.scores.items():
            if name == "model":
                continue
            margin = best - s["log_score"]
            verb = "beats" if margin > 0 else "does NOT beat"
            lines.append(
                f"the model {verb} the {name} null by {margin:+.2f} nats of log score "
                f"(likelihood ratio {np.exp(margin):.3g})"
            )
        joint = self.patterns.joint_share
        if joint >= joint_goal:
            lines.append(f"joint share {joint:.1%}: above the goal of {joint_goal:.0%}")
            return lines
        chain = self.patterns.chain()
        least = sorted(chain, key=lambda c: c[1])[:3]
        lost = next((c for c in chain if c[2] < joint_goal), chain[-1])
        lines.append(
            f"joint share {joint:.1%}: below the goal of {joint_goal:.0%}; reproduced least "
            "often: "
            + ", ".join(f"{n} ({share:.0%} of runs)" for n, share, _ in least)
            + f"; adding patterns from the most to the least reproduced, fewer than "
            f"{joint_goal:.0%} of runs are left at {lost[0]} ({lost[2]:.1%}): the patterns "
            "are many small counts, each with its own Monte Carlo spread "
            "(docs/calibration.md, 'Why the joint share stays near 0')"
        )
        return lines

    def write(self, out_dir: Path) -> list[Path]:
        """Write ``patterns.csv`` and ``nulls.csv`` into ``out_dir``; returns the paths."""
        from diffusion.tables import write_csv

        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [out_dir / "patterns.csv", out_dir / "nulls.csv"]
        write_csv(self.patterns.rows(), paths[0])
        write_csv(self.null_rows(), paths[1])
        return paths


def simulate_patterns(
    study: Study,
    layout: Layout,
    n_runs: int,
    seed: int,
    run_offset: int = 0,
    client: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics ``(runs, patterns)`` and cell sizes ``(runs, teams, cohorts)`` of a study.

    With a Dask ``client`` (:meth:`diffusion.executors.Executor.client`) the runs are
    simulated in chunks on its workers (:func:`diffusion.chunks.simulate`; the same runs,
    the same first steps), from run 0.
    """
    from diffusion.calibration.summaries import MILESTONE, TOOK_COURSE
    from diffusion.engine import simulate

    if client is not None:
        from diffusion.chunks import simulate as simulate_chunks

        if run_offset:
            raise ValueError("runs on a Dask client start at run 0")
        first = simulate_chunks(
            dataclasses.replace(study, groupings=()),
            n_runs,
            seed,
            measures={},
            record_every=max(study.n_steps, 1),
            milestones={MILESTONE: TOOK_COURSE},
            client=client,
        ).first_step[MILESTONE]
        return layout.statistics(first), layout.parts(first).cell_sizes
    results = simulate(
        study.model,
        study.org,
        n_runs=n_runs,
        n_steps=study.n_steps,
        seed=seed,
        events=study.events,
        run_offset=run_offset,
        groupings=(),
        record_every=max(study.n_steps, 1),
        threads=1,
        milestones={MILESTONE: TOOK_COURSE},
    )
    first = results.first_step[MILESTONE]
    return layout.statistics(first), layout.parts(first).cell_sizes


def score(
    stats_: np.ndarray,
    cells: np.ndarray,
    observed: Observed,
    observed_cells: np.ndarray,
    names: tuple[str, ...],
) -> dict[str, float]:
    """Return the log scores and joint share of one model's simulations."""
    teams = [i for i, n in enumerate(names) if n.startswith("team:")]
    t = team_log_score(stats_[:, teams], np.round(observed.values[teams]).astype(int))
    c = cell_log_score(cells, observed_cells)
    fit = PatternFit(names, observed.values, stats_)
    return {
        "team_log_score": t,
        "cell_log_score": c,
        "log_score": t + c,
        "joint_share": fit.joint_share,
        "joint_share_without_order": fit.joint_share_without_order,
    }


def fit_report(
    study: Study,
    facts: Mapping[str, Any],
    *,
    n_runs: int = 200,
    seed: int = 2015,
    observed: Observed | None = None,
    observed_cells: np.ndarray | None = None,
    executor: Executor | None = None,
) -> FitReport:
    """Simulate ``study`` (ending at Table 1's cut-off) and its null recruitment models.

    Parameters
    ----------
    study : Study
        A scenario built to the cut-off (``calendar.end = 2018-10-01``); its model must be
        the ideas model.
    facts : mapping
        :func:`diffusion.org.etten_leur.facts` (teams, cohorts, Table 1).
    n_runs : int
        Runs per model.
    seed : int
        Root seed (the models share it: common random numbers).
    observed, observed_cells : optional
        Other observations in the place of Table 1 (to test the report on data the model made).
    executor : Executor, optional
        Where the runs are simulated, in chunks of runs (default: in this process); the
        report does not depend on it.

    Returns
    -------
    FitReport
    """
    from diffusion.calibration.nulls import null_models
    from diffusion.calibration.observed import observed_cells as table_1_cells

    layout = Layout.build(study, facts)
    observed = observed_from_facts(facts) if observed is None else observed
    cells_obs = table_1_cells(facts) if observed_cells is None else observed_cells
    names = layout.names
    with (executor or Executor()).client() as client:
        model_stats, model_cells = simulate_patterns(study, layout, n_runs, seed, client=client)
        scores = {"model": score(model_stats, model_cells, observed, cells_obs, names)}
        for name, model in null_models(study, observed).items():
            null = dataclasses.replace(study, model=model)
            s, c = simulate_patterns(null, layout, n_runs, seed, client=client)
            scores[name] = score(s, c, observed, cells_obs, names)
    return FitReport(PatternFit(names, observed.values, model_stats), scores, n_runs, seed)


__all__ = [
    "BAND",
    "TOLERANCE",
    "FitReport",
    "PatternFit",
    "cell_log_score",
    "fit_report",
    "team_log_score",
    "tolerance",
]
