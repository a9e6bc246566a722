"""Bass diffusion under global mixing against its exact law and the discrete recursion."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion import graphs
from diffusion.engine import simulate
from diffusion.models.bass import Bass, BassParams
from tests.models._markov import count_chain_moments

N_SIGMA = 4.0


@pytest.fixture(scope="module")
def global_bass():
    n, p, q, n_runs, n_steps = 1000, 0.01, 0.4, 400, 30
    res = simulate(
        Bass(BassParams(p=p, q=q, mixing="global")),
        graphs.complete(n),
        n_runs=n_runs,
        n_steps=n_steps,
        seed=1,
        groupings=(),
    )
    adopted = res.total[:, :, Bass.code("adopted")].astype(float)
    return n, p, q, n_runs, n_steps, adopted


def test_global_mixing_matches_exact_chain(global_bass):
    # Under global mixing A' = A + Bin(n - A, p + q A / n): exact mean and sd for this n;
    # tolerance 4 SE with SE = sd / sqrt(R).
    n, p, q, n_runs, n_steps, adopted = global_bass
    mean, sd = count_chain_moments(n, 0, n_steps, lambda k: p + q * k / n)
    np.testing.assert_array_less(
        np.abs(adopted.mean(axis=0) - mean), N_SIGMA * sd / np.sqrt(n_runs) + 1e-9
    )


def test_global_mixing_follows_discrete_bass_recursion(global_bass):
    # The deterministic recursion f' = g(f) = p + (1 - p + q) f - q f^2 is the large-n limit.
    # For finite n, E[F'] = g(E[F]) - q Var(F) exactly (g is quadratic), so the gap
    # e_t = E[F_t] - f_t obeys |e_{t+1}| <= |g'| |e_t| + q Var(F_t) with |g'| <= 1 - p + q:
    # bias_t <= sum_{s<t} (1 - p + q)^(t-1-s) q Var(F_s), with Var(F_s) = O(1/n) taken from
    # the runs (x1.5 for its own sampling error). Tolerance: 4 SE + that bound.
    n, p, q, n_runs, n_steps, adopted = global_bass
    share = adopted / n
    f = [0.0]
    for _ in range(n_steps):
        f.append(p + (1 - p + q) * f[-1] - q * f[-1] ** 2)
    var = 1.5 * share.var(axis=0, ddof=1)
    bias = np.zeros(n_steps + 1)
    for t in range(1, n_steps + 1):
        bias[t] = (1 - p + q) * bias[t - 1] + q * var[t - 1]
    se = share.std(axis=0, ddof=1) / np.sqrt(n_runs)
    np.testing.assert_array_less(
        np.abs(share.mean(axis=0) - np.array(f)), N_SIGMA * se + bias + 1e-9
    )
    # and the continuous closed form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) is
    # the same S-curve: a step of one unit is coarse for p + q = 0.41, so only check that
    # the two reach half adoption within one step of each other
    t = np.arange(n_steps + 1)
    closed = (1 - np.exp(-(p + q) * t)) / (1 + (q / p) * np.exp(-(p + q) * t))
    assert abs(np.argmax(share.mean(axis=0) >= 0.5) - np.argmax(closed >= 0.5)) <= 1


def test_network_mixing_innovation_only_is_geometric():
    # With q = 0 neighbours do not matter: P(not adopted by t) = (1 - p)^t per person.
    # Binomial SE of the share over n * R people (independent with q = 0).
    n, p, n_runs, n_steps = 500, 0.1, 40, 5
    res = simulate(
        Bass(BassParams(p=p, q=0.0)),
        graphs.ring_lattice(n, 4),
        n_runs=n_runs,
        n_steps=n_steps,
        seed=2,
        groupings=(),
    )
    share = res.total[:, -1, Bass.code("adopted")].sum() / (n * n_runs)
    expected = 1 - (1 - p) ** n_steps
    assert abs(share - expected) < N_SIGMA * np.sqrt(expected * (1 - expected) / (n * n_runs))


def test_network_mixing_uses_the_share_of_ties():
    # Star: centre 0 adopted; leaves 1..4 see share 1 (their only tie) -> adopt with p + q = 1.
    org = graphs.from_edges(5, [0, 0, 0, 0], [1, 2, 3, 4])
    model = Bass(BassParams(p=0.0, q=1.0, initial_adopters=0, seed_nodes=(0,)))
    res = simulate(model, org, n_runs=2, n_steps=1, seed=0, groupings=())
    np.testing.assert_array_equal(res.adopted_step, np.tile([0, 1, 1, 1, 1], (2, 1)))


def test_params_validated():
    with pytest.raises(ValueError, match=r"q must be a probability"):
        BassParams(q=1.5)
    with pytest.raises(ValueError, match="mixing must be"):
        BassParams(mixing="everyone")
