"""``diffusion calibrate`` end to end on a tiny budget, and its errors."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from diffusion.cli import main

PARAMS = [
    "--params",
    "model.params.nomination_word_of_mouth=loguniform(0.1, 30)",
    "--params",
    "model.params.receptivity_hard=uniform(0.02, 1)",
]


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("method", ["rejection", "abc-smc"])
def test_calibrate_writes_its_files(tmp_path, method, the_facts, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if method == "abc-smc":
        pytest.importorskip("pyabc")
        budget = ["--simulations", "10", "--population", "5"]
    else:
        budget = ["--simulations", "6", "--runs-per-simulation", "2", "--accept", "0.5"]
    out = tmp_path / "cal"
    result = CliRunner().invoke(
        main,
        [
            "calibrate",
            *PARAMS,
            "--method",
            method,
            *budget,
            "--check-draws",
            "2",
            "--seed",
            "3",
            "--workers",
            "0",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    files = {p.name for p in out.iterdir()}
    expected = {
        "posterior.csv",
        "posterior_summary.csv",
        "predictive_check.csv",
        "predictive_check.png",
        "statistics.csv",
        "manifest.json",
    }
    assert expected <= files
    assert ("abc.db" in files) == (method == "abc-smc")
    check = _rows(out / "predictive_check.csv")
    # the observed column is Table 1, from the data file
    assert {r["team"]: int(r["observed"]) for r in check} == the_facts["observed"][
        "trained_by_team"
    ]
    summary = _rows(out / "posterior_summary.csv")
    assert [r["parameter"] for r in summary] == ["nomination_word_of_mouth", "receptivity_hard"]
    for r in summary:
        assert float(r["q05"]) <= float(r["mean"]) <= float(r["q95"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["method"] == method
    assert manifest["end"] == "2018-10-01"
    assert 0 <= manifest["teams_inside_band"] <= 14
    assert not list(tmp_path.glob(".*"))  # nothing half-written left beside it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--params", "model.params.p_adopt=uniform(0,1)"], "--params: model.params.p_adopt: "),
        (["--params", "model.params.top_effect=uniform(1,0)"], "needs a < b"),
        (
            [*PARAMS, "--method", "abc-smc", "--runs-per-simulation", "3"],
            "--runs-per-simulation: abc-smc",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "cal"
    result = CliRunner().invoke(
        main, ["calibrate", *args, "--workers", "0", "--simulations", "4", "--out", str(out)]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists()
