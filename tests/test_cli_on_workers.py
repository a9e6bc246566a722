"""The simulation commands on Dask workers: run gathers its runs chunk by chunk, and
series.csv and summary.csv are the same, byte for byte, in this process, on two workers and
with every run's counts kept; compare's and report's comparison.csv are the same on workers."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from diffusion.cli import main as cli
from tests.htmlreport.conftest import FILES

pytest.importorskip("distributed")

#: two years of the baseline, 300 runs: chunks of whole runs on each worker
ARGS = ["run", "--runs", "300", "--seed", "9", "--until", "2016-12-31"]


def _run(tmp_path, name: str, *extra: str) -> dict[str, bytes]:
    out = tmp_path / name
    result = CliRunner().invoke(cli, [*ARGS, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return {f: (out / f).read_bytes() for f in ("series.csv", "summary.csv")}


def test_series_csv_is_byte_identical_here_on_workers_and_with_kept_runs(tmp_path):
    here = _run(tmp_path, "here")
    assert _run(tmp_path, "workers", "--workers", "2") == here
    assert _run(tmp_path, "kept", "--keep-runs") == here
    assert here["series.csv"].count(b"\n") > 1000  # dates x groups x measures, not empty


def test_workers_and_a_scheduler_together_are_refused(tmp_path):
    result = CliRunner().invoke(
        cli, [*ARGS, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", "o"]
    )
    assert result.exit_code == 2
    assert "give --scheduler or --workers, not both" in result.output


#: a base and a what-if, 2019 to 2020, 40 runs (the what-if's change is in 2019)
PAIR = [str(FILES[0]), str(FILES[1]), "--set", "calendar.end=2020-06-30", "--runs", "40"]


@pytest.mark.parametrize("command", ["compare", "report"])
def test_compare_and_report_give_the_same_comparison_on_workers(tmp_path, command):
    got = {}
    for name, extra in (("here", []), ("workers", ["--workers", "2"])):
        out = tmp_path / name
        result = CliRunner().invoke(cli, [command, *PAIR, "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        got[name] = (out / "comparison.csv").read_bytes()
    assert got["workers"] == got["here"]
    assert got["here"].count(b"\n") > 5


def test_fit_report_is_the_same_on_workers(tmp_path):
    got = {}
    for name, extra in (("here", []), ("workers", ["--workers", "2"])):
        out = tmp_path / name
        args = ["fit-report", "--runs", "30", "--seed", "1", "--out", str(out), *extra]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        got[name] = {f: (out / f).read_bytes() for f in ("patterns.csv", "nulls.csv")}
    assert got["workers"] == got["here"]
