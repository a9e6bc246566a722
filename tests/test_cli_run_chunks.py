"""diffusion run gathers its runs chunk by chunk: series.csv and summary.csv are the same,
byte for byte, in this process, on two Dask workers and with every run's counts kept."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from diffusion.cli import main as cli

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
