"""The whole advice through the command line: files, the same advice from the same seed,
the written scenarios validating and reproducing the reported gain exactly, clean errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffusion.advisor.advice import Request, advise
from diffusion.advisor.constraints import parse_quota
from diffusion.advisor.objectives import parse_objective
from diffusion.cli import main
from diffusion.results import paired_difference
from tests.advise.conftest import AT, GOAL

ARGS = [
    "--at", AT.isoformat(), "--seats", "3", "--objective", f"working@{GOAL}", "--runs", "30",
    "--seed", "7", "--candidates", "6", "--quota", "team<=1", "--quota", "side:hard>=1",
]  # fmt: skip


@pytest.fixture(scope="module")
def advised(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "advice"
    result = CliRunner().invoke(main, ["advise", str(small_files), *ARGS, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_files_are_written_and_the_quotas_met(advised):
    names = {p.name for p in advised.iterdir()}
    expected = {"advice.csv", "strategies.csv", "trace.csv", "gains.png", "advised.toml",
                "nominated.toml", "manifest.json"}  # fmt: skip
    assert names == expected
    people = _csv(advised / "advice.csv")
    assert len(people) == 3
    assert len({p["team"] for p in people if p["team"]}) == sum(1 for p in people if p["team"])
    assert any(p["side"] == "hard" for p in people)
    rows = {r["choice"]: r for r in _csv(advised / "strategies.csv")}
    assert set(rows) == {"advice", "random", "degree", "leaders", "cluster", "departments",
                         "buddies", "nominated"}  # fmt: skip
    manifest = json.loads((advised / "manifest.json").read_text())
    assert sorted(manifest["advise"]["recommended"]) == sorted(p["id"] for p in people)
    assert "not submodular" in manifest["advise"]["guarantee"]


@pytest.mark.slow
def test_same_seed_same_advice(advised, small_scenario):
    """The API with the command's arguments gives the command's advice and gains."""
    request = Request(
        at=AT,
        seats=3,
        objective=parse_objective(f"working@{GOAL}", GOAL, 0.25),
        n_runs=30,
        seed=7,
        quotas=(parse_quota("team<=1"), parse_quota("side:hard>=1")),
        n_candidates=6,
    )
    advice = advise(small_scenario, request)
    rows = {r["choice"]: r for r in _csv(advised / "strategies.csv")}
    assert " ".join(advice.ids) == rows["advice"]["people"]
    for row in advice.rows:
        assert round(row.gain.mean, 4) == float(rows[row.key]["gain"])
    assert all(advice.constraints.satisfied(r.people) for r in advice.rows if r.people)


def test_the_written_scenarios_reproduce_the_gain_exactly(advised):
    from diffusion.scenario.build import build_study
    from diffusion.scenario.load import load_scenario

    values = []
    for name in ("nominated.toml", "advised.toml"):
        scenario = load_scenario(advised / name).scenario  # validates, extends the input
        study = build_study(scenario)  # the whole calendar, the scenario's own groupings
        results = study.simulate(scenario.runs, scenario.seed)
        record = results.record_of_step(study.calendar.step_of(GOAL))
        values.append(results.series(("trained", "adopter"))[:, record])
    gain = paired_difference(values[0], values[1])
    row = next(r for r in _csv(advised / "strategies.csv") if r["choice"] == "advice")
    assert round(gain.mean, 4) == float(row["gain"])
    assert round(gain.low, 4) == float(row["low"]) and round(gain.high, 4) == float(row["high"])
    ids = load_scenario(advised / "advised.toml").scenario.cohorts[-1].ids
    assert " ".join(ids) == row["people"]


@pytest.mark.parametrize(
    "extra, says",
    [
        (["--quota", "team<<1"], "error: --quota: cannot read 'team<<1'"),
        (["--include", "nobody"], "error: --include: no person 'nobody' in the organisation"),
        (["--objective", "adopters@2019-01-01"], "error: --objective: its date 2019-01-01"),
        (["--quota", "side:hard>=4"], "error: --quota: no choice of 3 people"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(small_files, tmp_path, extra, says):
    out = tmp_path / "never"
    args = ["advise", str(small_files), *ARGS[:-4], "--runs", "5", *extra, "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(says), lines
    assert not out.exists()


def test_differences_are_paired_run_by_run(advised):
    """Every choice is compared with the same nomination runs: objective minus gain (the
    nomination's mean on the reporting runs) is one number for every row, to rounding."""
    rows = _csv(advised / "strategies.csv")
    base = [float(r["objective"]) - float(r["gain"]) for r in rows]
    assert len(rows) >= 6
    assert max(base) - min(base) <= 1.5e-4  # the CSV rounds both numbers to 4 decimals
    for r in rows:
        assert float(r["low"]) <= float(r["gain"]) <= float(r["high"])
