"""``diffusion compare`` and ``diffusion run SCENARIO``: paired differences, files, manifest."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from diffusion.cli import main
from tests.scenario.conftest import SCENARIOS

BASE = str(SCENARIOS / "etten-leur-baseline.toml")
#: runs at which a supportive new secretary must show a positive difference in adopters by
#: 2030 whose 90% interval excludes 0 (at 200 runs the difference is about +9 [+8, +9.4])
KNOWN_DIRECTION_RUNS = 40


def _compare(tmp_path, *args: str):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result, out


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path):
    result, out = _compare(
        tmp_path, BASE, BASE, "--runs", "8", "--set", "calendar.end=2020-12-31", "--format", "json"
    )
    rows = json.loads(result.stdout)
    assert rows and {r["whatif"] for r in rows} == {"etten-leur-baseline#2"}
    assert all(r["difference"] == 0 and r["low"] == 0 and r["high"] == 0 for r in rows)
    assert all(r["base"] == r["whatif_value"] for r in rows)
    with open(out / "comparison.csv") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == [
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
    assert len(table) == len(rows)
    # tidy: one value per cell, and one row per (measure, group, date)
    keys = [(r["measure"], r["group"], r["date"]) for r in table]
    assert len(set(keys)) == len(keys)
    assert {"trained", "adopters", "working", "working share"} <= {r["measure"] for r in table}
    assert {"all staff", "O", "C", "S", "B"} <= {r["group"] for r in table}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 8 and manifest["seed"] == 2015 and manifest["version"]
    resolved = manifest["scenarios"]["etten-leur-baseline"]["resolved"]
    assert resolved["calendar"]["end"] == "2020-12-31" and len(resolved["cohorts"]) == 11
    assert (out / "comparison.png").stat().st_size > 0
    assert (out / "difference-over-time.png").stat().st_size > 0


def test_working_is_trained_plus_adopters_and_its_share_of_staff(tmp_path):
    supportive = str(SCENARIOS / "new-secretary-supportive.toml")
    result, _ = _compare(
        tmp_path, BASE, supportive, "--runs", "6", "--date", "2020-06-30", "--format", "csv"
    )
    rows = {(r["measure"], r["group"]): r for r in csv.DictReader(result.stdout.splitlines())}
    for column in ("base", "whatif_value", "difference"):
        for group in ("all staff", "S"):
            working = float(rows[("working", group)][column])
            parts = float(rows[("trained", group)][column]) + float(
                rows[("adopters", group)][column]
            )
            assert working == pytest.approx(parts, abs=1e-9)
    from diffusion.org.etten_leur import etten_leur

    staff = sum(d["kind"] == "staff" for _, d in etten_leur(seed=0).nodes(data=True))
    share = float(rows[("working share", "all staff")]["base"])
    assert share == pytest.approx(float(rows[("working", "all staff")]["base"]) / staff)


def test_the_table_shows_a_headline_and_all_of_it_with_all(tmp_path):
    args = [BASE, BASE, "--runs", "4", "--date", "2019-06-30", "--date", "2020-12-31"]
    headline, _ = _compare(tmp_path, *args)
    every, _ = _compare(tmp_path, *args, "--all", "--overwrite")
    # the headline: the last date only, each measure for all staff and the four departments
    assert "on 2020-12-31" in headline.stdout and "2019-06-30" not in headline.stdout
    assert "--all: every outcome" in headline.stdout and "2019-06-30" in every.stdout
    assert "years to" not in headline.stdout and "years to" in every.stdout
    assert headline.stdout.count("\n") < every.stdout.count("\n")


@pytest.mark.slow
def test_a_supportive_new_secretary_raises_adoption(tmp_path):
    supportive = str(SCENARIOS / "new-secretary-supportive.toml")
    result, _ = _compare(
        tmp_path, BASE, supportive, "--runs", str(KNOWN_DIRECTION_RUNS), "--format", "csv"
    )
    rows = {
        (r["measure"], r["group"], r["date"]): r for r in csv.DictReader(result.stdout.splitlines())
    }
    row = rows[("working", "all staff", "2030-12-31")]
    assert float(row["difference"]) > 0 and float(row["low"]) > 0


def test_compare_reports_problems_of_every_file_at_once(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{BASE}"\nsed = 1\n')
    result = CliRunner().invoke(main, ["compare", BASE, str(bad), str(tmp_path / "absent.toml")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{bad}: sed: unknown key; did you mean 'seed'?" in result.output
    assert f"{tmp_path / 'absent.toml'}: no such file" in result.output


def test_run_a_scenario_with_overrides_writes_its_folder(tmp_path):
    out = tmp_path / "run"
    path = str(SCENARIOS / "top-down-push.toml")
    args = ["run", path, "--runs", "4", "--until", "2019-06-30", "--set", "events[6].strength=0.5"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("series.csv", "summary.csv", "spread.png", "results.npz", "manifest.json"):
        assert (out / name).is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = manifest["scenarios"]["top-down-push"]
    assert scenario["resolved"]["events"][6]["strength"] == 0.5
    assert scenario["overrides"] == ["calendar.end=2019-06-30", "events[6].strength=0.5"]
    assert scenario["files"][1].endswith("etten-leur-baseline.toml")


def test_run_without_a_scenario_runs_the_baseline(tmp_path):
    out = tmp_path / "base"
    result = CliRunner().invoke(main, ["run", "--runs", "3", "--years", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "etten-leur-baseline" in result.output
    assert json.loads((out / "manifest.json").read_text())["scenarios"]["etten-leur-baseline"]


def test_run_rejects_a_bad_override_with_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["run", "--set", "runs=-1", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith("error: --set: runs: ")


def test_draws_judge_every_difference_and_write_robustness_csv(tmp_path):
    supportive = str(SCENARIOS / "new-secretary-supportive.toml")
    args = [BASE, supportive, "--runs", "4", "--set", "calendar.end=2019-12-31"]
    result, out = _compare(
        tmp_path,
        *args,
        "--draws",
        "3",
        "--vary",
        "model.params.leader_effect=0.2:0.8",
        "--report",
    )
    assert "does the sign hold?" in result.stdout and "of draws" in result.stdout
    with open(out / "robustness.csv") as fh:
        rows = list(csv.DictReader(fh))
    with open(out / "comparison.csv") as fh:
        compared = list(csv.DictReader(fh))
    key = ("whatif", "measure", "group", "date")
    # one verdict per outcome, for the same outcomes and differences
    assert [tuple(r[k] for k in key) for r in rows] == [tuple(r[k] for k in key) for r in compared]
    assert [r["difference"] for r in rows] == [r["difference"] for r in compared]
    assert "robustness.csv" in result.stdout
    verdicts = {"robust", "depends on assumptions", "no clear effect"}
    assert {r["verdict"] for r in rows} <= verdicts
    # three draws: a sign share is a multiple of 1/3
    assert all(round(3 * float(r["sign_share"])) == 3 * float(r["sign_share"]) for r in rows)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["draws"] == 3
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Under other assumptions" in html and "under 3" in html
    assert manifest["drawn_parameters"]["model.params.leader_effect"] == "plausible range"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--vary", "model.params.leader_effect=0.8:0.2"], "give finite LOW < HIGH"),
        (["--vary", "model.params.leader_effect=high"], "write PATH=LOW:HIGH"),
        (["--draws", "0"], "--draws"),
    ],
)
def test_bad_draw_options_are_one_line(tmp_path, extra, message):
    args = ["compare", BASE, BASE, "--runs", "4", "--out", str(tmp_path / "x")]
    if "--draws" not in extra:
        extra = ["--draws", "3", *extra]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.output and not (tmp_path / "x").exists()


def test_a_date_outside_the_calendar_names_the_option(tmp_path):
    args = ["compare", BASE, BASE, "--runs", "2", "--set", "calendar.end=2016-12-31"]
    result = CliRunner().invoke(main, [*args, "--date", "2099-01-01", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip() == (
        "error: dates (--date): 2099-01-01 is outside the calendar (2015-01-05 to 2016-12-31); "
        "give dates within it"
    )
    assert not (tmp_path / "x").exists()
