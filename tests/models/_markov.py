"""Exact law of the count of people in one state, for well-mixed binomial chains.

Used as oracles: on a complete graph (or under global mixing) the SI, SIS and Bass models
are Markov chains on the count ``k`` of infected / adopted people, with
``k' = k - Binomial(k, loss(k)) + Binomial(n - k, gain(k))`` (the two draws independent given
``k``). Propagating the distribution gives the exact mean and standard deviation at every
step, for the finite ``n`` simulated, with no mean-field approximation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import binom


def count_chain_moments(
    n: int,
    k0: int,
    n_steps: int,
    gain: Callable[[np.ndarray], np.ndarray],
    loss: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean and sd ``(n_steps + 1,)`` of the count, starting from ``k0`` at step 0.

    ``gain(k)`` is the probability that each of the ``n - k`` others joins, ``loss(k)`` that
    each of the ``k`` leaves (default 0), both vectorised over ``k = 0..n``.
    """
    k = np.arange(n + 1)
    g = np.clip(gain(k), 0.0, 1.0)
    lo = np.zeros(n + 1) if loss is None else np.clip(loss(k), 0.0, 1.0)
    trans = np.zeros((n + 1, n + 1))
    for i in range(n + 1):
        up = binom.pmf(np.arange(n - i + 1), n - i, g[i])  # joiners
        down = binom.pmf(np.arange(i + 1), i, lo[i])  # leavers
        # new count = i - leavers + joiners, ranging over 0..n
        row = np.convolve(down[::-1], up)  # index m  <->  count i - i + m = m
        trans[i, : row.size] = row
    dist = np.zeros(n + 1)
    dist[k0] = 1.0
    means, sds = [], []
    for _ in range(n_steps + 1):
        mean = dist @ k
        means.append(mean)
        sds.append(np.sqrt(max(dist @ k**2 - mean**2, 0.0)))
        dist = dist @ trans
    return np.array(means), np.array(sds)
