"""The report's numbers and words: paired rows, questions, changes, dates, the page."""

from __future__ import annotations

import csv
import datetime as dt
import re

import numpy as np
import pytest

from diffusion.comparison import departments
from diffusion.htmlreport import build, content, whatif
from diffusion.results import paired_difference
from diffusion.scenario.load import load_all
from tests.htmlreport.conftest import RUNS, SCENARIOS


def _rows(base, other, dates):
    """The report's rows of ``other`` against ``base`` at ``dates`` (all gathered)."""
    cal = base.study.calendar
    depts = departments(base.results)
    staff = content.n_staff(base.results)
    return content.compare_rows(base.values, other.values, cal, "s", dates, depts, staff)


def test_a_what_if_compared_with_itself_differs_by_exactly_zero(simulated):
    base = simulated[0]
    cal = base.study.calendar
    dates = build.report_dates(simulated)[0]
    rows = _rows(base, base, dates)
    assert rows and all(r.difference == 0 and r.low == 0 and r.high == 0 for r in rows)
    assert {r.measure for r in rows} >= {"working", "working share", "trained", "adopters"}
    diff = content.over_time(base.values, base.values, cal)
    assert np.all(diff.difference == 0)


def test_working_is_trained_plus_adopters_and_its_difference_is_paired(simulated):
    base, secretary = simulated[0], simulated[1]
    cal = base.study.calendar
    rows = _rows(base, secretary, [cal.end])
    by = {(r.measure, r.group): r for r in rows}
    working, trained, adopters = (by[(m, "all staff")] for m in ("working", "trained", "adopters"))
    # means add up exactly: working counts the trained and the adopters
    assert working.base == pytest.approx(trained.base + adopters.base, abs=1e-9)
    assert working.whatif_value == pytest.approx(trained.whatif_value + adopters.whatif_value)
    # the interval is the paired t interval of the run-by-run differences
    b, o = base.values.staff[:, -1], secretary.values.staff[:, -1]
    d = paired_difference(b, o, 0.9)
    assert (working.difference, working.low, working.high) == pytest.approx((d.mean, d.low, d.high))
    share = by[("working share", "all staff")]
    assert share.difference == pytest.approx(working.difference / content.n_staff(base.results))


def test_sentences_say_direction_amount_and_interval():
    row = content.Row("w", "working", "all staff", dt.date(2030, 12, 31), 10, 17.5, 7.5, 7.2, 7.8)
    assert row.sentence() == "+7.5 people [+7.2, +7.8] more than the baseline"
    fewer = content.Row("w", "working", "S", dt.date(2030, 12, 31), 10, 8, -2.0, -3.0, -1.0)
    assert fewer.sentence() == "-2.0 people [-3.0, -1.0] fewer than the baseline"
    unclear = content.Row("w", "working", "S", dt.date(2030, 12, 31), 10, 10.2, 0.2, -1.0, 1.4)
    assert unclear.sentence().endswith("no clear difference from the baseline")
    share = content.Row(
        "w",
        "working share",
        "all staff",
        dt.date(2030, 1, 1),
        0.5,
        0.53,
        0.03,
        0.02,
        0.04,
        "share",
    )
    assert share.sentence().startswith("+3.0 percentage points [+2.0, +4.0] more")


def test_the_question_comes_from_the_field_then_the_leading_comment(tmp_path):
    loaded = load_all([SCENARIOS / "new-secretary-supportive.toml"])[0]
    asked = whatif.question_of(loaded.scenario, loaded.file)
    assert asked.startswith("what if the secretary who arrives in July 2018 sponsors")
    assert asked.endswith("(support 0.9 instead of a neutral 0.5)?")  # joined, no "Expected:"
    own = tmp_path / "own.toml"
    own.write_text(
        f'# Question: not this one\nextends = "{SCENARIOS / "etten-leur-baseline.toml"}"\n'
        'question = "What if nothing changes?"\n'
    )
    loaded = load_all([own])[0]
    assert whatif.question_of(loaded.scenario, loaded.file) == "What if nothing changes?"


def test_changes_name_what_differs_and_dates_follow_the_earliest(simulated):
    base, secretary, cohort = simulated
    end = base.study.calendar.end
    found = whatif.changes(base.loaded.scenario, secretary.loaded.scenario, end)
    assert [(c.date, c.text) for c in found] == [
        (dt.date(2018, 7, 1), "new secretary: support 0.9 instead of 0.5")
    ]
    found = whatif.changes(base.loaded.scenario, cohort.loaded.scenario, end)
    assert [c.date for c in found] == [dt.date(2019, 1, 15), dt.date(2019, 1, 15)]
    assert "2 from O, 1 from B" in found[0].text and found[1].text.startswith("no cohort")
    dates, _ = build.report_dates(simulated)
    assert dates[-1] == end and all(d > dt.date(2018, 7, 1) for d in dates)


def test_the_page_is_self_contained_with_one_headline_row_per_what_if_and_outcome(
    context, report_folder
):
    html = (report_folder / "report.html").read_text(encoding="utf-8")
    # no address the browser would fetch: images are data URIs, styles inline
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    headline = html.split('id="headline"')[1].split("</table>")[0]
    assert headline.count("<tr class=") == 2 * len(build.HEADLINE) + 2  # + a probability each
    assert f"simulated {RUNS} times" in html and "new secretary: support 0.9 instead of 0.5" in html
    with open(report_folder / "comparison.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "whatif",
        "measure",
        "group",
        "date",
        "base",
        "whatif_value",
        "difference",
        "low",
        "high",
    ]
    assert {r["whatif"] for r in rows} == {"new-secretary-supportive", "next-cohort-hard-side"}


def test_which_matters_more_compares_the_sizes_of_the_effects(simulated):
    base, secretary, cohort = simulated
    cal = base.study.calendar
    (row,) = build._ranking(simulated, cal, cal.end, 0.9)
    rec = base.results.record_of_step(cal.step_of(cal.end))
    effect = {
        s.name: (s.values.staff[:, rec] - base.values.staff[:, rec]).mean()
        for s in (secretary, cohort)
    }
    # the mean difference of sizes is the difference of the absolute mean effects
    gap = abs(effect[row["first"]]) - abs(effect[row["second"]])
    assert f"minus the second's {gap:+.1f} [" in row["detail"]
    if row["clear"]:
        assert gap > 0


def test_default_dates_fall_after_the_change_and_fill_in_year_ends():
    base_dates = [dt.date(2016, 7, 1), dt.date(2025, 7, 1), dt.date(2030, 12, 31)]
    end = dt.date(2030, 12, 31)
    assert whatif.default_dates(base_dates, dt.date(2027, 1, 4), end) == [
        dt.date(2028, 12, 31),
        dt.date(2029, 12, 31),
        end,
    ]
    assert whatif.default_dates(base_dates, dt.date(2018, 7, 1), end) == [
        dt.date(2025, 7, 1),
        dt.date(2029, 12, 31),
        end,
    ]
    assert whatif.default_dates(base_dates, None, end) == base_dates


def test_a_cohort_with_other_seats_is_one_change(tmp_path):
    client = SCENARIOS.parents[0] / "examples" / "client.toml"
    hard = SCENARIOS.parents[0] / "examples" / "client-hard-side.toml"
    base, other = (load_all([f])[0].scenario for f in (client, hard))
    found = whatif.changes(base, other, dt.date(2031, 1, 4))
    assert [(c.date, c.text) for c in found] == [
        (
            dt.date(2027, 3, 1),
            "cohort spring-2027: 3 from hard instead of 3 seats by nomination",
        )
    ]
