"""The report gathers its runs chunk by chunk (no run's counts kept) and says the same numbers
as from every run's counts."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion import chunks
from diffusion.comparison import Settings, compare_results, difference_over_time, measures_for
from diffusion.htmlreport import build, content
from diffusion.scenario.load import load_all
from tests.htmlreport.conftest import FILES, OVERRIDES

RUNS = 30


def _reference(kept, sims, dates, shares) -> dict[tuple[str, str, str, str], tuple]:
    """The report's compared values from every run's counts (comparison.compare_results).

    Keyed as the report's tidy rows: (what-if, measure, group, date).
    """
    base = kept[0]
    cal = sims[0].study.calendar
    model = sims[0].study.model
    settings = Settings(
        measures=measures_for(model.state_names, model.adopted_states),
        adopted=content.WORKING,
        dates=tuple(dates),
        reach_shares=tuple(shares),
    )
    asked = {d.isoformat() for d in dates}
    out = {}
    for sim, results in zip(sims[1:], kept[1:], strict=True):
        for o in compare_results(base, results, cal, settings, sim.name):
            measure = o.measure
            if measure.startswith("P(reach "):
                measure = measure.replace(" working)", ")")
            elif measure not in (*content.MEASURES, "working share") or o.date not in asked:
                continue  # department pass probabilities, years to reach: not in the report
            values = (o.base, o.what_if_value, o.difference, o.low, o.high)
            out[(sim.name, measure, o.group, o.date)] = values
    return out


def test_a_report_gathered_in_chunks_says_what_every_runs_counts_say(monkeypatch):
    loaded = load_all(FILES, OVERRIDES)
    # five chunks of 7 runs (the last of 2), each reduced as it is made
    monkeypatch.setattr(chunks, "chunk_sizes", lambda n_runs, *a, **k: [7, 7, 7, 7, 2])
    sims = build.simulate_all(loaded, RUNS, 2015)
    assert all(not s.results.kept_runs and s.results.tally is not None for s in sims)
    assert all(s.values.staff.shape == (RUNS, len(s.results.steps)) for s in sims)
    context = build.build_context(sims, command="pytest")
    # the reference: every run's counts of one simulation of each scenario, same seed
    kept = chunks.simulate_together([s.study for s in sims], RUNS, 2015, keep_runs=True).results
    cal = sims[0].study.calendar
    dates, _ = build.report_dates(sims)
    last = kept[0].record_of_step(cal.step_of(dates[-1]))
    staff = content.n_staff(kept[0])
    mean = kept[0].series(content.WORKING, "kind", "staff")[:, last].mean() / staff
    target = min(1.0, max(0.05, np.ceil(round(mean / 0.05, 9)) * 0.05))
    shares = sorted({*loaded[0].scenario.outputs.reach_shares, target})
    want = _reference(kept, sims, dates, shares)
    got = {
        (r["whatif"], r["measure"], r["group"], r["date"]): tuple(
            r[k] for k in ("base", "whatif_value", "difference", "low", "high")
        )
        for r in context["tidy"]
    }
    assert len(got) == len(context["tidy"])  # one row per key
    assert got.keys() == want.keys()
    for key, values in want.items():
        # the same run values, reduced in the same order: equal, not close
        np.testing.assert_array_equal(got[key], values, err_msg=str(key))
    # the difference over time: the paired differences of the staff working per record
    for sim, results in zip(sims[1:], kept[1:], strict=True):
        d = content.over_time(sims[0].values, sim.values, cal)
        ref = difference_over_time(kept[0], results, content.WORKING)
        for a, b in ((d.difference, ref.difference), (d.low, ref.low), (d.high, ref.high)):
            np.testing.assert_array_equal(a, b)
    # exact bands: the tally's spreads are the counts'
    for sim, results in zip(sims, kept, strict=True):
        for group in ("staff",):
            a = sim.results.spread(content.WORKING, "kind", group).band((0.05, 0.95))
            b = results.spread(content.WORKING, "kind", group).band((0.05, 0.95))
            assert np.array_equal(a.mean, b.mean) and np.array_equal(a.low, b.low)
            assert np.array_equal(a.high, b.high)


def test_a_report_asked_of_dates_its_runs_were_not_gathered_at_is_refused(monkeypatch):
    loaded = load_all(FILES, OVERRIDES)
    sims = build.simulate_all(loaded, 4, 2015)
    with pytest.raises(ValueError, match="not gathered at 2019-03-01"):
        build.build_context(sims, dates=[__import__("datetime").date(2019, 3, 1)])
