"""SI, SIR and SIS against exact and analytic results.

Tolerances come from the sampling error: a mean over ``R`` independent runs has standard
error ``SE = sd / sqrt(R)``; we allow 4 SE (a two-sided 4-sigma band: a correct model fails
one comparison with probability ~6e-5). Where the oracle is exact for the simulated ``n``
(the Markov chains of ``_markov``), ``sd`` is the exact one and nothing else is allowed;
where it is a large-``n`` limit, the allowance for the finite ``n`` is stated next to it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from diffusion import graphs
from diffusion.engine import simulate
from diffusion.models.epidemic import SI, SIR, SIS, SIParams, SIRParams
from tests.models._markov import count_chain_moments

N_SIGMA = 4.0


def test_params_validated_with_clear_errors():
    with pytest.raises(ValueError, match=r"beta must be a probability in \[0, 1\]"):
        SIParams(beta=1.5)
    with pytest.raises(ValueError, match="gamma"):
        SIRParams(gamma=-0.1)
    with pytest.raises(ValueError, match="initial_infected"):
        SIParams(initial_infected=-2)
    with pytest.raises(ValueError, match="fraction"):
        SIParams(initial_infected=1.5)


def test_si_complete_graph_matches_exact_chain_and_mean_field():
    # On K_n the SI count is a Markov chain: I' = I + Bin(n - I, 1 - (1 - beta)^I).
    n, beta, k0, n_runs, n_steps = 200, 0.005, 10, 1000, 15
    res = simulate(
        SI(SIParams(beta=beta, initial_infected=k0)),
        graphs.complete(n),
        n_runs=n_runs,
        n_steps=n_steps,
        seed=1,
        groupings=(),
    )
    infected = res.total[:, :, SI.code("infected")].astype(float)
    mean, sd = count_chain_moments(n, k0, n_steps, lambda k: 1 - (1 - beta) ** k)
    se = sd / np.sqrt(n_runs)
    np.testing.assert_array_less(np.abs(infected.mean(axis=0) - mean), N_SIGMA * se + 1e-9)
    # Mean-field (deterministic) recursion i' = i + (1 - i)(1 - (1 - beta)^(n i)): it ignores
    # Var(I), an O(1/n) effect on the share; with 10 initial cases the gap to the exact mean
    # stays below 2 people here, so allow 4 SE + 2 people.
    mf = [k0 / n]
    for _ in range(n_steps):
        mf.append(mf[-1] + (1 - mf[-1]) * (1 - (1 - beta) ** (n * mf[-1])))
    np.testing.assert_array_less(
        np.abs(infected.mean(axis=0) - n * np.array(mf)), N_SIGMA * se + 2.0
    )
    # SI never loses an infected person and runs keep their adoption step
    assert np.all(np.diff(infected, axis=1) >= 0)
    assert np.all((res.adopted_step >= 0).sum(axis=1) == infected[:, -1])


def test_sis_complete_graph_endemic_level():
    # Exact: I' = I - Bin(I, gamma) + Bin(n - I, 1 - (1 - beta)^I) on K_n.
    n, beta, gamma, k0, n_runs, n_steps = 200, 0.0025, 0.2, 20, 1000, 60
    res = simulate(
        SIS(SIRParams(beta=beta, gamma=gamma, initial_infected=k0)),
        graphs.complete(n),
        n_runs=n_runs,
        n_steps=n_steps,
        seed=2,
        groupings=(),
    )
    infected = res.total[:, :, SIS.code("infected")].astype(float)
    mean, sd = count_chain_moments(
        n, k0, n_steps, lambda k: 1 - (1 - beta) ** k, lambda k: np.full(k.shape, gamma)
    )
    se = sd / np.sqrt(n_runs)
    np.testing.assert_array_less(np.abs(infected.mean(axis=0) - mean), N_SIGMA * se + 1e-9)
    # Mean-field endemic level: gamma i = (1 - i)(1 - (1 - beta)^(n i)). Per-run time
    # averages over steps 30-60 are independent across runs, so their SE is their sd over
    # sqrt(R); the finite-n bias E[f(I)] - f(E[I]) is O(1) people (the exact chain's
    # stationary mean is 0.6 below n i* here), so allow 4 SE + 1.5 people.
    i_star = brentq(lambda i: gamma * i - (1 - i) * (1 - (1 - beta) ** (n * i)), 1e-6, 1.0)
    per_run = infected[:, 30:].mean(axis=1)
    se_avg = per_run.std(ddof=1) / np.sqrt(n_runs)
    assert abs(per_run.mean() - n * i_star) < N_SIGMA * se_avg + 1.5


def _final_size_configuration_model(degrees: np.ndarray, transmissibility: float) -> float:
    """Large-n attack rate of a large outbreak on a random graph with these degrees.

    With ``pk`` the degree distribution, ``G0(x) = sum pk x^k`` and ``G1 = G0' / <k>``: the
    probability ``u`` that a tie does not bring infection solves
    ``u = 1 - T + T G1(u)`` and the attack rate is ``1 - G0(u)``. For Poisson degrees this is
    ``z = 1 - exp(-<k> T z)``. Using the realised degrees removes the graph-to-graph
    fluctuation of the degree distribution from the comparison.
    """
    pk = np.bincount(degrees) / degrees.size
    k = np.arange(pk.size)
    mean_k = degrees.mean()
    g1 = lambda u: np.sum(k * pk * u ** np.maximum(k - 1, 0)) / mean_k  # noqa: E731
    u = brentq(lambda u: 1 - transmissibility + transmissibility * g1(u) - u, 0.0, 1 - 1e-12)
    return float(1 - np.sum(pk * u**k))


@pytest.mark.slow
def test_sir_final_size_on_erdos_renyi():
    # One infected person transmits over each tie with T = 1 - E[(1 - beta)^D], where
    # D ~ Geometric(gamma) on {1, 2, ...} is the number of steps they transmit:
    # T = beta / (1 - (1 - beta)(1 - gamma)).
    n, mean_degree, beta, gamma, seeds, n_runs = 20_000, 10.0, 0.05, 0.2, 10, 100
    transmissibility = beta / (1 - (1 - beta) * (1 - gamma))
    org = graphs.erdos_renyi(n, mean_degree, seed=7)
    degrees = np.diff(org.combined.indptr)
    z = _final_size_configuration_model(degrees, transmissibility)
    z_poisson = brentq(lambda z: 1 - np.exp(-mean_degree * transmissibility * z) - z, 1e-6, 1)
    assert abs(z - z_poisson) < 0.005  # the realised graph is close to the G(n, p) limit
    res = simulate(
        SIR(SIRParams(beta=beta, gamma=gamma, initial_infected=seeds)),
        org,
        n_runs=n_runs,
        n_steps=200,
        seed=3,
        groupings=(),
    )
    assert res.total[:, -1, SIR.code("infected")].max() == 0  # every run has ended
    final = 1 - res.total[:, -1, SIR.code("susceptible")] / n
    large = final[final > 0.3]  # large outbreaks (with 10 seeds, nearly all runs)
    assert large.size >= 0.9 * n_runs
    se = large.std(ddof=1) / np.sqrt(large.size)
    # Allowances besides 4 SE: the seeds are infected whatever happens (at most seeds / n)
    # and the large-n relation has O(1/n) corrections (allow 10 / n).
    assert abs(large.mean() - z) < N_SIGMA * se + (seeds + 10) / n
    # adoption steps agree with the counts: infected or recovered means adopted once
    adopted = (res.adopted_step >= 0).sum(axis=1)
    np.testing.assert_array_equal(adopted, n - res.total[:, -1, SIR.code("susceptible")])


def test_sir_explicit_seed_on_path_and_weighted_ties():
    # Path 0-1-2 with beta = 1, gamma = 1: infection moves one tie per step, then recovers.
    org = graphs.from_edges(3, [0, 1], [1, 2])
    res = simulate(
        SIR(SIRParams(beta=1.0, gamma=1.0, initial_infected=0, seed_nodes=(0,))),
        org,
        n_runs=3,
        n_steps=4,
        seed=0,
        groupings=(),
    )
    np.testing.assert_array_equal(res.adopted_step, np.tile([0, 1, 2], (3, 1)))
    np.testing.assert_array_equal(res.total[0, :, SIR.code("recovered")], [0, 1, 2, 3, 3])
    # A tie of weight w counts as w contacts: p = 1 - (1 - beta)^w. One step from a seed
    # over a single tie of weight 2 with beta = 0.3: p = 0.51; binomial SE over R runs.
    weighted = graphs.from_edges(3, [0, 0], [1, 2], weight=np.array([2.0, 1.0]))
    n_runs = 20_000
    res = simulate(
        SIR(SIRParams(beta=0.3, gamma=0.0, initial_infected=0, seed_nodes=(0,))),
        weighted,
        n_runs=n_runs,
        n_steps=1,
        seed=4,
        groupings=(),
    )
    hit = (res.adopted_step[:, 1:] == 1).mean(axis=0)
    expected = np.array([0.51, 0.3])
    se = np.sqrt(expected * (1 - expected) / n_runs)
    np.testing.assert_array_less(np.abs(hit - expected), N_SIGMA * se)


def test_same_seed_same_runs_and_finished_runs_kept():
    org = graphs.erdos_renyi(300, 4.0, seed=1)
    model = SIR(SIRParams(beta=0.2, gamma=0.5, initial_infected=2))
    a = simulate(model, org, n_runs=40, n_steps=30, seed=9, groupings=())
    b = simulate(model, org, n_runs=40, n_steps=30, seed=9, groupings=(), batch_size=7)
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.adopted_step, b.adopted_step)
    assert np.all(a.total.sum(axis=2) == 300)
