"""Weekly calendar, band tables and long-format series."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pytest

from diffusion.calendar import Calendar
from diffusion.engine import simulate
from diffusion.tables import band_table, series_rows, write_csv
from tests.test_engine import Flip, tiny_org


def test_calendar_steps_and_dates():
    cal = Calendar(dt.date(2015, 1, 5), dt.date(2030, 12, 31))
    assert cal.n_steps == (dt.date(2030, 12, 31) - dt.date(2015, 1, 5)).days // 7
    assert cal.step_of(dt.date(2015, 1, 11)) == 0 and cal.step_of(dt.date(2015, 1, 12)) == 1
    assert cal.date_of(cal.step_of(dt.date(2018, 7, 1))) <= dt.date(2018, 7, 1)
    np.testing.assert_array_equal(
        cal.dates_of(np.array([0, 1])), np.array(["2015-01-05", "2015-01-12"], dtype="M8[D]")
    )
    assert Calendar.years(dt.date(2015, 1, 5), 8).n_steps == 417
    with pytest.raises(ValueError, match="outside the calendar"):
        cal.step_of(dt.date(2014, 12, 31))
    with pytest.raises(ValueError, match="before it starts"):
        Calendar(dt.date(2015, 1, 5), dt.date(2014, 1, 5))


def test_band_table_and_series_rows(tmp_path):
    cal = Calendar(dt.date(2020, 1, 6), dt.date(2020, 3, 30))
    res = simulate(Flip(), tiny_org(), n_runs=100, n_steps=cal.n_steps, seed=1)
    rows = band_table(res, cal, {"on": "on"}, [dt.date(2020, 1, 6), dt.date(2020, 3, 30)])
    assert [r["group"] for r in rows] == ["A", "A", "B", "B", "all", "all"]
    assert rows[0]["on"] == (0.0, 0.0, 0.0)  # nobody is on at step 0
    # department A has 6 people, each on by step 12 with probability 1 - 0.9**12
    mean_a = rows[1]["on"][0]
    expected = 6 * (1 - 0.9**12)
    # SE of the mean of a Binomial(6, p) over 100 runs: sqrt(6 p (1-p) / 100) ~ 0.12; 4 SE
    assert abs(mean_a - expected) < 4 * np.sqrt(6 * 0.72 * 0.28 / 100)
    series = series_rows(res, cal, {"on": "on"}, groupings=("department", None))
    assert len(series) == 3 * len(res.steps)
    assert {r["grouping"] for r in series} == {"department", "all"}
    path = write_csv(series, tmp_path / "s.csv")
    with path.open() as fh:
        back = list(csv.DictReader(fh))
    assert len(back) == len(series) and back[0]["date"] == "2020-01-06"
