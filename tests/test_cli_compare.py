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
    assert rows and {r["what_if"] for r in rows} == {"etten-leur-baseline#2"}
    assert all(r["difference"] == 0 and r["low"] == 0 and r["high"] == 0 for r in rows)
    assert all(r["base"] == r["what_if_value"] for r in rows)
    with open(out / "comparison.csv") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == [
        "what_if",
        "outcome",
        "base",
        "what_if_value",
        "difference",
        "low",
        "high",
    ]
    assert len(table) == len(rows)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 8 and manifest["seed"] == 2015 and manifest["version"]
    resolved = manifest["scenarios"]["etten-leur-baseline"]["resolved"]
    assert resolved["calendar"]["end"] == "2020-12-31" and len(resolved["cohorts"]) == 11
    assert (out / "comparison.png").stat().st_size > 0


@pytest.mark.slow
def test_a_supportive_new_secretary_raises_adoption(tmp_path):
    supportive = str(SCENARIOS / "new-secretary-supportive.toml")
    result, _ = _compare(
        tmp_path, BASE, supportive, "--runs", str(KNOWN_DIRECTION_RUNS), "--format", "csv"
    )
    rows = {r["outcome"]: r for r in csv.DictReader(result.stdout.splitlines())}
    row = rows["adopters all 2030-12-31"]
    assert float(row["difference"]) > 0 and float(row["low"]) > 0
    assert float(rows["years to 50% of staff working from the intent"]["high"]) < 0


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
    args = ["run", path, "--runs", "4", "--until", "2019-06-30", "--set", "events[3].strength=0.5"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("series.csv", "summary.csv", "spread.png", "results.npz", "manifest.json"):
        assert (out / name).is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = manifest["scenarios"]["top-down-push"]
    assert scenario["resolved"]["events"][3]["strength"] == 0.5
    assert scenario["overrides"] == ["calendar.end=2019-06-30", "events[3].strength=0.5"]
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
    assert result.output.startswith("--set: runs: ")
