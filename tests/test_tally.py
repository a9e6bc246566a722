"""Exact bands from histograms (diffusion.tally) and runs gathered chunk by chunk
(diffusion.chunks): the same numbers, bit for bit, as from every run's counts."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion import chunks
from diffusion.baseline import etten_leur_baseline
from diffusion.comparison import measures_for
from diffusion.results import Results, band
from diffusion.tally import Spread, Tally, TallyRecorder

#: quantiles at the ends, at gamma exactly 0 and 0.5 for some n, and the usual ones
QUANTILES = (0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 1.0, 1 / 3)


def _histogram(values: np.ndarray, size: int) -> np.ndarray:
    """``(records, size + 1)`` runs per value, counted independently of the code under test."""
    return np.stack([np.bincount(column, minlength=size + 1) for column in values.T])


@pytest.mark.parametrize("n_runs", [1, 2, 3, 7, 20, 101, 1000])
def test_histogram_quantiles_and_means_are_numpys_bit_for_bit(n_runs):
    rng = np.random.default_rng(n_runs)
    size = 40
    # counts bunched at a few values, as people counts are, and spread ones
    values = np.concatenate(
        [rng.binomial(size, 0.3, (n_runs, 30)), rng.integers(0, size + 1, (n_runs, 30))], axis=1
    )
    spread = Spread(histogram=_histogram(values, size))
    want = band(values, QUANTILES)  # numpy on the runs' values, as every table did before
    got = spread.band(QUANTILES)
    assert np.array_equal(got.mean, want.mean)  # exact, not close
    for q in QUANTILES:
        assert np.array_equal(got.quantiles[q], want.quantiles[q]), q
    # the smooth (Harrell-Davis) quantiles sum the same weights in another order: equal to
    # rounding (relative 1e-12 of counts up to 40)
    np.testing.assert_allclose(
        spread.smooth_quantiles((0.05, 0.95)),
        Spread(values=values).smooth_quantiles((0.05, 0.95)),
        rtol=1e-12,
        atol=1e-9,
    )


def _study():
    return etten_leur_baseline(years=3)


def _measures(study) -> dict[str, tuple[str, ...]]:
    return measures_for(study.model.state_names, study.model.adopted_states)


@pytest.fixture(scope="module")
def kept():
    """Every run's counts of 150 runs of three years of the baseline, in one simulation."""
    study = _study()
    return study, study.simulate(150, 5)


def _same_spreads(a: Results, b: Results, study) -> None:
    """Every measure in everyone and every group of every grouping: equal means and
    quantiles (exactly), first steps equal."""
    for states in _measures(study).values():
        pairs = [(None, None)] + [
            (g, label) for g in study.groupings for label in study.org.group_labels[g]
        ]
        for grouping, group in pairs:
            x, y = a.spread(states, grouping, group), b.spread(states, grouping, group)
            assert np.array_equal(x.mean(), y.mean()), (states, grouping, group)
            assert np.array_equal(x.quantiles(QUANTILES), y.quantiles(QUANTILES))
    for name in a.first_step:
        assert np.array_equal(a.first_step[name], b.first_step[name])


@pytest.mark.parametrize("chunk_runs", [150, 64, 17])
def test_runs_gathered_in_chunks_give_the_bands_of_every_run(kept, monkeypatch, chunk_runs):
    study, full = kept
    per_run = chunks.run_bytes(study, len(full.steps), counts=False)  # tallied as made
    # chunks of chunk_runs runs (the last one shorter): uneven chunks, one chunk
    monkeypatch.setattr(chunks, "CHUNK_BYTES", per_run * chunk_runs)
    monkeypatch.setattr(chunks, "MIN_CHUNK_RUNS", 1)
    lean = chunks.simulate(study, 150, 5, measures=_measures(study))
    assert not lean.kept_runs and lean.tally is not None
    with pytest.raises(ValueError, match="keep_runs=True"):
        lean.series("adopter")
    # both forms: everyone (150 runs, 319 bins) as values, departments and teams (750 and
    # 2,250 numbers a record, 323 and 333 bins) as histograms
    assert lean.tally.parts[("working", "")].values is not None
    assert lean.tally.parts[("working", "team")].hist is not None
    assert full.tally is None  # the engine's results: spreads from every run's counts
    _same_spreads(lean, full, study)
    assert lean.provenance["n_runs"] == 150 and lean.provenance["run_offset"] == 0
    assert np.array_equal(lean.group_sizes("team"), full.group_sizes("team"))


def test_kept_runs_are_the_engines_counts(kept, monkeypatch):
    study, full = kept
    monkeypatch.setattr(chunks, "CHUNK_BYTES", chunks.run_bytes(study, len(full.steps)) * 40)
    monkeypatch.setattr(chunks, "MIN_CHUNK_RUNS", 1)
    from diffusion.executors import Executor

    with_workers = chunks.simulate(
        study, 150, 5, measures=_measures(study), keep_runs=True, executor=Executor(workers=2)
    )
    assert np.array_equal(with_workers.total, full.total)
    for g in full.counts:
        assert np.array_equal(with_workers.counts[g], full.counts[g])
    _same_spreads(with_workers, full, study)


def test_tally_merges_in_any_order_and_survives_save_and_load(kept, tmp_path):
    study, full = kept
    codes = {k: [study.model.code(s) for s in v] for k, v in _measures(study).items()}
    sizes = {g: np.bincount(study.org.groups[g]) for g in study.groupings}
    whole = Tally(codes, sizes, len(full.steps), 150, study.org.n_nodes)
    whole.add(full)
    parts = []
    for lo, hi in ((100, 150), (0, 30), (30, 100)):  # out of order
        part = study.simulate(hi - lo, 5, run_offset=lo)
        t = Tally(codes, sizes, len(full.steps), 150, study.org.n_nodes, first_run=lo, span=hi - lo)
        t.add(part)
        parts.append(t)
    merged = Tally(codes, sizes, len(full.steps), 150, study.org.n_nodes)
    for t in parts:
        merged.merge(t)
    lean = Results(
        full.state_names, full.steps, {}, None, full.first_step, full.run_ids,
        full.node_ids, full.group_labels, full.provenance, merged,
    )  # fmt: skip
    back = Results.load(lean.save(tmp_path / "r.npz"))
    assert back.tally is not None and not back.kept_runs
    _same_spreads(back, full, study)


def test_a_measure_not_tallied_is_refused_by_name(kept):
    study, _ = kept
    lean = chunks.simulate(study, 10, 5, measures={"adopters": ("adopter",)})
    with pytest.raises(ValueError, match="tallied only the measures adopters"):
        lean.spread(("trained", "adopter"))


@pytest.mark.parametrize(("keep_runs", "batch_runs"), [(False, None), (True, None), (False, 25)])
def test_the_estimate_of_a_run_in_chunks_bounds_what_it_allocates(
    monkeypatch, keep_runs, batch_runs
):
    import tracemalloc

    from diffusion import budget

    study = etten_leur_baseline(years=1)
    seen: list[float] = []
    real_check = budget.check
    monkeypatch.setattr(
        budget,
        "check",
        lambda estimate, *a, **k: (seen.append(estimate), real_check(estimate, *a, **k)),
    )
    # 1,000 runs in chunks of 250 (with keep_runs in this process, one simulation of all):
    # the first steps of all, a chunk's counts and the tally
    monkeypatch.setattr(chunks, "CHUNK_BYTES", chunks.run_bytes(study, 54, counts=keep_runs) * 250)
    # one thread: with two, whether both batches' working memory is held at once depends on
    # how the threads happen to interleave (the peak varied from 31 to 33 MB under load)
    from diffusion import engine

    monkeypatch.setattr(engine, "default_threads", lambda: 1)
    if batch_runs:  # batches smaller than the chunks, as for a large organisation
        monkeypatch.setattr(type(study.model), "batch_cells", batch_runs * study.org.n_nodes)
    # numba and the compiled loops are loaded once per process, as numpy is: not the
    # simulation's memory (budget.USABLE_SHARE leaves room for them)
    import diffusion.jit  # noqa: F401

    tracemalloc.start()
    chunks.simulate(study, 1000, 3, measures=_measures(study), keep_runs=keep_runs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    estimate = seen[0]  # the whole run's, made before the first chunk (then each chunk's)
    # an upper bound that is not wildly above: the per-person working memory of a batch is
    # a rounded-up measurement, so the estimate may exceed the peak, but by less than 3 times
    assert peak <= estimate <= 3 * peak, (peak, estimate)


def test_the_median_is_the_runs_median_whatever_quantiles_are_asked():
    # skewed runs: the median (1) is far from the midpoint of the 5% and 95% quantiles
    # (the former fallback took the median of the asked quantiles' values: 4.5 here)
    values = np.array([0] * 10 + [1] * 50 + [9] * 41)[:, None] * np.ones((1, 2), dtype=int)
    hist = np.stack([np.bincount(values[:, r], minlength=10) for r in range(2)])
    for spread in (Spread(values=values), Spread(histogram=hist)):
        b = spread.band((0.05, 0.95))
        assert set(b.quantiles) == {0.05, 0.95}
        np.testing.assert_array_equal(b.median, [1.0, 1.0])
        np.testing.assert_array_equal(b.low, [0.0, 0.0])
        np.testing.assert_array_equal(b.high, [9.0, 9.0])
    np.testing.assert_array_equal(band(values, (0.1,)).median, np.median(values, axis=0))


def _same_tally(a: Tally, b: Tally) -> None:
    """Every part of two tallies holds the same histograms or values, and the same runs."""
    assert a.gathered == b.gathered == a.span
    for key, part in a.parts.items():
        other = b.parts[key]
        if part.hist is not None:
            assert other.hist is not None and np.array_equal(part.hist, other.hist), key
        else:
            assert part.values is not None and other.values is not None
            assert np.array_equal(part.values, other.values), key


@pytest.mark.parametrize("model_name", ["compared", "moves"])
@pytest.mark.parametrize("n_runs", [10, 300])
def test_a_tally_recorded_while_simulating_is_the_tally_of_every_runs_counts(model_name, n_runs):
    from diffusion.engine import simulate
    from diffusion.events import ModelAction, SetState
    from tests.test_engine import Flip, FlipMoves, FlipParams, tiny_org

    # a model the engine follows by comparing states, one reporting its moves; events that
    # move people back; p = 0.5: every run finishes by step ~30 of 60 (P(not) = 12 * 0.5**50),
    # so the last records are filled at once; records every 3 steps; uneven batches
    # (7 runs) on two threads
    model = (Flip if model_name == "compared" else FlipMoves)(FlipParams(0.5))
    org = tiny_org()
    events = [SetState(4, nodes=(0, 5), state="on"), ModelAction(9, "reset")]
    codes = {"on": (1,), "off": (0,), "anyone": (0, 1)}
    sizes = {g: np.bincount(org.groups[g]) for g in ("department", "team")}
    kwargs = dict(n_steps=60, seed=4, events=events, record_every=3, groupings=tuple(sizes))
    # everyone (13 bins) as values with 10 runs, as histograms with 300; departments (two
    # groups of 6: 14 bins) as histograms in both
    kept = simulate(model, org, n_runs=n_runs, **kwargs)
    assert (kept.total[:, -1, 1] == 12).all()
    n_records = len(kept.steps)
    want = Tally(codes, sizes, n_records, n_runs, org.n_nodes)
    want.add(kept)
    assert (want.parts[("on", "")].values is not None) == (n_runs == 10)
    got = Tally(codes, sizes, n_records, n_runs, org.n_nodes)
    recorder = TallyRecorder(got)
    lean = simulate(
        model, org, n_runs=n_runs, batch_size=7, threads=2, record_to=recorder, **kwargs
    )
    recorder.fold()
    assert lean.total is None and not lean.counts
    assert np.array_equal(lean.adopted_step, kept.adopted_step)
    _same_tally(want, got)
    # runs 3 .. 8 recorded into the tally of a chunk of runs 2 .. 9 (its other runs added
    # from their counts); merged with the other runs' tallies: the whole tally again
    chunk = Tally(codes, sizes, n_records, n_runs, org.n_nodes, first_run=2, span=8)
    recorder = TallyRecorder(chunk, first_run=3)
    simulate(
        model, org, n_runs=6, run_offset=3, batch_size=4, threads=2, record_to=recorder, **kwargs
    )
    recorder.fold()
    for lo in (2, 9):
        chunk.add(simulate(model, org, n_runs=1, run_offset=lo, **kwargs))
    merged = Tally(codes, sizes, n_records, n_runs, org.n_nodes)
    merged.merge(chunk)
    for lo, hi in ((0, 2), (10, n_runs)):
        if lo < hi:
            other = Tally(codes, sizes, n_records, n_runs, org.n_nodes, first_run=lo, span=hi - lo)
            other.add(simulate(model, org, n_runs=hi - lo, run_offset=lo, **kwargs))
            merged.merge(other)
    _same_tally(want, merged)
