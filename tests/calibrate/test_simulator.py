"""A chunk of parameter vectors as one engine call gives each vector's statistics exactly.

The calibration's vectors become per-run parameter arrays (vector ``i``'s runs carry its
values) and run as one batch; the statistics must be those of simulating each vector alone
on the same runs, in this process and on Dask workers, however the vectors are chunked.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.calibration.priors import parse_priors
from diffusion.calibration.simulator import CHUNK, TASK_RUNS, Simulator, simulate_many
from diffusion.models.ideas_params import IdeasParams

#: three fitted parameters read in three places: nomination, receptivity, presentations
PRIORS = (
    "model.params.nomination_pair=uniform(0, 1)",
    "model.params.receptivity_hard=uniform(0.02, 1)",
    "model.params.audience_department=uniform(0.2, 0.8)",
)
THETAS = np.array(
    [[0.1, 0.9, 0.2], [0.9, 0.05, 0.8], [0.5, 0.5, 0.5], [0.0, 1.0, 0.3], [1.0, 0.02, 0.7]]
)
#: runs per vector: 65 runs in all, which the engine splits into 2 batches (its 2 threads)
#: across vector 2's runs, so a batch boundary falls inside a vector
RUNS = 13


def simulator(study, layout, priors=PRIORS, seed=6) -> Simulator:
    parsed = parse_priors(priors, IdeasParams())
    return Simulator(study, layout, tuple(p.path for p in parsed), seed=seed)


@pytest.fixture(scope="module")
def alone(study, layout) -> np.ndarray:
    """Each vector its own engine call on its own runs (first index 4)."""
    per_vector = dataclasses.replace(simulator(study, layout), batch=False)
    assert not per_vector.batched
    return per_vector.chunk(THETAS, RUNS, 4)


def test_a_chunk_in_one_call_gives_each_vectors_statistics(study, layout, alone):
    sim = simulator(study, layout)
    assert sim.batched
    np.testing.assert_array_equal(sim.chunk(THETAS, RUNS, 4), alone)
    # chunked otherwise, in this process with the engine's threads
    np.testing.assert_array_equal(simulate_many(sim, THETAS, RUNS, first_index=4), alone)
    np.testing.assert_array_equal(simulate_many(sim, THETAS, RUNS, first_index=4, chunk=2), alone)
    # the vectors differ: their statistics are not all one vector's
    assert len({a.tobytes() for a in alone}) == len(THETAS)


def test_chunks_on_dask_workers_give_the_same_statistics(study, layout, alone):
    pytest.importorskip("distributed")
    from diffusion.executors import Executor

    sim = simulator(study, layout)
    with Executor(2).client(processes=False) as client:
        got = simulate_many(sim, THETAS, RUNS, first_index=4, client=client)
    np.testing.assert_array_equal(got, alone)


def test_tasks_hold_about_task_runs_and_every_worker_gets_several(study, layout):
    sim = simulator(study, layout)
    assert sim.vectors_per_task(5000, 10) == TASK_RUNS // 10
    assert sim.vectors_per_task(5000, 10, workers=2) == TASK_RUNS // 10
    assert sim.vectors_per_task(40, 10, workers=2) == 5  # 8 tasks for 2 workers
    # a parameter the model takes as one value: one call per vector, as before
    fixed = simulator(study, layout, ("model.params.adopt_threshold=uniform(1, 2.5)",))
    assert not fixed.batched
    assert fixed.vectors_per_task(5000, 10) == CHUNK
    one = fixed.chunk(np.array([[1.8]]), 2, 0)
    np.testing.assert_array_equal(one[0], fixed.statistics([1.8], 2, 0))


@pytest.mark.slow
def test_local_worker_processes_keep_arrays_on_the_heap():
    """Dask's nanny would set MALLOC_TRIM_THRESHOLD_=65536 alone (every array an mmap)."""
    pytest.importorskip("distributed")
    import os

    from diffusion.executors import Executor

    with Executor(1).client() as client:
        env = client.run(
            lambda: {
                k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")
            }
        )
    assert list(env.values()) == [
        {"MALLOC_TRIM_THRESHOLD_": str(128 << 20), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
    ]
