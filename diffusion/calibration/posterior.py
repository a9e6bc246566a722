"""Posterior samples, their table, and the posterior predictive check per team.

* :class:`Posterior`: weighted samples ``(samples, parameters)`` from either method.
* :func:`posterior_table`: per parameter, the prior, the posterior mean and 90% interval, and
  how much the interval narrowed the prior's (a quick read of identifiability).
* :func:`predictive_check`: fresh simulations at parameter vectors drawn from the posterior;
  per team, the observed count against the simulated mean and 90% band, and whether it is
  inside (:func:`teams_inside`). Fresh draws, not the accepted runs: those were selected for
  being close to the data and would make the check look better than it is.
* :func:`plot_predictive_check`: that table as a plot on ``ax``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from diffusion.calibration.observed import Observed
from diffusion.calibration.priors import Prior

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from diffusion.calibration.simulator import Simulator

#: the interval of the tables: 90%, from the 5% to the 95% quantile
LEVEL = 0.9


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Return the quantiles ``q`` of samples ``x`` ``(n,)`` with weights ``w`` ``(n,)``.

    The inverse of the weighted empirical distribution function, interpolated at the midpoints.
    """
    order = np.argsort(x)
    x, w = np.asarray(x, np.float64)[order], np.asarray(w, np.float64)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


@dataclass(frozen=True, eq=False)
class Posterior:
    """Weighted posterior samples.

    Attributes
    ----------
    paths : tuple of str
        Parameter paths, ``model.params.<name>``.
    samples : float array ``(samples, parameters)``
    weights : float array ``(samples,)``
        Normalised to sum to 1.
    method : str
        ``"rejection"`` or ``"abc-smc"``.
    info : dict
        Budget and tolerance: simulations, runs per simulation, epsilon, effective size...
    """

    paths: tuple[str, ...]
    samples: np.ndarray
    weights: np.ndarray
    method: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ess(self) -> float:
        """Effective sample size ``(sum w)^2 / sum w^2``."""
        return float(self.weights.sum() ** 2 / (self.weights**2).sum())

    def mean(self) -> np.ndarray:
        """Posterior means ``(parameters,)``."""
        return self.weights @ self.samples

    def interval(self, level: float = LEVEL) -> np.ndarray:
        """Equal-tailed intervals ``(parameters, 2)``."""
        q = [(1 - level) / 2, (1 + level) / 2]
        return np.array(
            [weighted_quantile(self.samples[:, k], self.weights, q) for k in range(len(self.paths))]
        )

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` parameter vectors resampled by weight, ``(n, parameters)``."""
        idx = rng.choice(len(self.weights), size=n, p=self.weights)
        return self.samples[idx]

    def rows(self) -> list[dict[str, object]]:
        """Return the samples as rows: each parameter, then the weight."""
        names = [p.removeprefix("model.params.") for p in self.paths]
        return [
            {**{n: float(v) for n, v in zip(names, s, strict=True)}, "weight": float(w)}
            for s, w in zip(self.samples, self.weights, strict=True)
        ]


def posterior_table(
    post: Posterior, priors: Sequence[Prior], level: float = LEVEL
) -> list[dict[str, object]]:
    """Per parameter.

    Prior, posterior mean, ``level`` interval and the interval's width as a share of the prior's own
    ``level`` interval (on the log scale for a log-uniform prior): about 1 = nothing learnt from the
    data; well below 1 = identified.
    """
    means, intervals = post.mean(), post.interval(level)
    q = [(1 - level) / 2, (1 + level) / 2]
    rows = []
    for k, prior in enumerate(priors):
        lo, hi = prior.scipy().ppf(q)
        lo_p, hi_p = intervals[k]
        # a log-uniform prior is compared on the log scale, where it is flat
        f = np.log if prior.kind == "loguniform" else (lambda v: v)
        rows.append(
            {
                "parameter": prior.name,
                "prior": str(prior),
                "mean": float(means[k]),
                f"q{round(100 * q[0]):02d}": float(lo_p),
                f"q{round(100 * q[1]):02d}": float(hi_p),
                "width_vs_prior": float((f(hi_p) - f(lo_p)) / (f(hi) - f(lo))),
            }
        )
    return rows


def predictive_check(
    sim: Simulator,
    post: Posterior,
    observed: Observed,
    *,
    draws: int = 100,
    runs: int = 10,
    first_index: int | None = None,
    seed: int = 0,
    client: Any = None,
    level: float = LEVEL,
) -> tuple[list[dict[str, object]], np.ndarray]:
    """Posterior predictive check per team.

    Parameters
    ----------
    sim : Simulator
    post : Posterior
    observed : Observed
        The observed statistics (their team counts are the table's ``observed``).
    draws, runs : int
        Parameter vectors drawn from the posterior, and runs simulated at each.
    first_index : int, optional
        Global index of the first vector; default: just past the calibration's own vectors
        (``post.info["simulations"]``; far past them when that is unknown, as with pyabc's
        hashed offsets), so that the runs are fresh.
    seed : int
        Seed of the draws from the posterior.
    client : distributed.Client, optional
    level : float
        Width of the band.

    Returns
    -------
    rows : list of dict
        Per team: ``team``, ``department``, ``observed``, ``mean``, ``q05``, ``q95``, ``inside``.
    stats : float array ``(draws * runs, statistics)``
        The simulated statistics.
    """
    from diffusion.calibration.simulator import simulate_many

    thetas = post.draw(np.random.default_rng([seed, 1]), draws)
    if first_index is None:
        first_index = int(post.info.get("simulations", 1 << 30))
    stats = simulate_many(sim, thetas, runs, first_index=first_index, client=client)
    stats = stats.reshape(-1, stats.shape[-1])
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    dept_of = {t: d for d, ts in sim.layout.departments.items() for t in ts}
    rows = []
    for team in observed.teams:
        k = observed.names.index(f"team:{team}")
        values = stats[:, k]
        lo, hi = np.quantile(values, [lo_q, hi_q])
        obs = observed.values[k]
        rows.append(
            {
                "team": team,
                "department": dept_of.get(team, ""),
                "observed": round(float(obs)),
                "mean": round(float(values.mean()), 3),
                f"q{round(100 * lo_q):02d}": float(lo),
                f"q{round(100 * hi_q):02d}": float(hi),
                "inside": bool(lo <= obs <= hi),
            }
        )
    return rows, stats


def teams_inside(rows: Sequence[dict[str, object]]) -> int:
    """How many teams' observed counts fall inside their band."""
    return sum(bool(r["inside"]) for r in rows)


def plot_predictive_check(rows: Sequence[dict[str, object]], ax: Axes | None = None) -> Axes:
    """Observed participants per team (dots) against the simulated mean and band (bars).

    Parameters
    ----------
    rows : sequence of dict
        From :func:`predictive_check`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure's).

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    keys = [k for k in rows[0] if k.startswith("q")]
    x = np.arange(len(rows))
    mean = np.array([r["mean"] for r in rows], dtype=float)
    lo = np.array([r[keys[0]] for r in rows], dtype=float)
    hi = np.array([r[keys[1]] for r in rows], dtype=float)
    ax.bar(x, hi - lo, bottom=lo, width=0.6, color="C0", alpha=0.3, label="simulated band")
    ax.plot(x, mean, "_", color="C0", markersize=14, label="simulated mean")
    inside = np.array([bool(r["inside"]) for r in rows])
    obs = np.array([r["observed"] for r in rows], dtype=float)
    ax.plot(x[inside], obs[inside], "o", color="k", label="observed (inside)")
    ax.plot(x[~inside], obs[~inside], "o", color="C3", label="observed (outside)")
    ax.set_xticks(x, [f"{r['team']}\n{r['department']}" for r in rows])
    ax.set_ylabel("took the course by 2018-10")
    ax.set_title(f"posterior predictive check: {int(inside.sum())} of {len(rows)} teams inside")
    ax.legend(fontsize="small", ncol=2)
    return ax
