"""compare keeps what its outputs need: per-run outcome values and bands, not every run's counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import diffusion
from diffusion import chunks

END = dt.date(2018, 12, 31)
DATES = [dt.date(2017, 6, 30), END]


@pytest.fixture(scope="module")
def scenarios():
    base = diffusion.load_scenario(overrides=[f"calendar.end={END}"])
    secretary = diffusion.what_if(
        base,
        "secretary",
        events=[{"kind": "new_secretary", "date": dt.date(2017, 1, 9), "support": 0.9}],
    )
    return base, secretary


def test_outcomes_without_the_runs_are_those_with_them(scenarios, monkeypatch):
    # 50 runs in chunks of at most 16 (4 chunks: 13 + 13 + 12 + 12): each chunk reduced to
    # its runs' outcome values and tallied; the outcomes, the difference over time and the
    # bands are those of every run held at once, exactly
    base, secretary = scenarios
    kept = diffusion.compare(base, [secretary], runs=50, seed=7, dates=DATES, keep_runs=True)
    monkeypatch.setattr(chunks, "MIN_CHUNK_RUNS", 1)
    monkeypatch.setattr(
        chunks,
        "CHUNK_BYTES",
        16
        * sum(
            chunks.run_bytes(r_study, len(kept.results["etten-leur-baseline"].steps))
            for r_study in _studies(base, secretary)
        ),
    )
    sizes = []
    real = chunks._together_chunk

    def counted(jobs, first_run, n, *args, **kwargs):
        sizes.append(n)
        return real(jobs, first_run, n, *args, **kwargs)

    monkeypatch.setattr(chunks, "_together_chunk", counted)
    lean = diffusion.compare(base, [secretary], runs=50, seed=7, dates=DATES)
    assert sizes == [13, 13, 12, 12]
    assert [o.tidy() for o in lean.outcomes] == [o.tidy() for o in kept.outcomes]
    assert len(lean.outcomes) > 30
    # the secretary changes something: the equality is not that of identical scenarios
    assert any(o.difference != 0 for o in lean.outcomes)
    a, b = lean.over_time("secretary"), kept.over_time("secretary")
    for field in ("steps", "difference", "low", "high"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    for name in lean.results:
        thin, full = lean.results[name], kept.results[name]
        assert not thin.kept_runs and full.kept_runs
        for states, grouping, group in [
            (("trained", "adopter"), None, None),
            (("adopter",), "kind", "staff"),
        ]:
            got = thin.spread(states, grouping, group).band()
            want = full.spread(states, grouping, group).band()
            np.testing.assert_array_equal(got.mean, want.mean)
            np.testing.assert_array_equal(got.median, want.median)
            np.testing.assert_array_equal(got.low, want.low)
        np.testing.assert_array_equal(thin.first_step["adopted"], full.first_step["adopted"])
    with pytest.raises(ValueError, match="keep_runs=True"):
        lean.results["secretary"].series(("trained",))


def _studies(base, secretary):
    from diffusion.comparison import GROUPINGS
    from diffusion.scenario.build import build_study

    return [build_study(s.scenario, groupings=GROUPINGS) for s in (base, secretary)]
