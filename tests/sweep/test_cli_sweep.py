"""The command's errors: every bad --param, path or value, one line each, exit 2, no work."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("xarray")

from click.testing import CliRunner

from diffusion.cli.sensitivity import sensitivity
from diffusion.cli.sweep import sweep
from tests.sweep.common import BASELINE, SHORT


def run(tmp_path, *args: str):
    store = tmp_path / "sweep.zarr"
    base = [str(BASELINE), f"--set={SHORT[0]}", "--runs", "2", "--out", str(store)]
    result = CliRunner().invoke(sweep, [*base, "--workers", "0", *args])
    return result, store


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.strip()]


def test_bad_specs_exit_2_with_one_line_each(tmp_path):
    result, store = run(tmp_path, "--param", "model.params.x", "--param", "a.b=1:z:3")
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 2, lines
    assert all(line.startswith("error: --param: ") for line in lines)
    assert not store.exists()


def test_bad_paths_and_values_exit_2_before_any_work(tmp_path):
    result, store = run(
        tmp_path,
        "--param=model.params.nope=0:1:3",
        "--param=model.params.p_adopt_per_week=0.5:1.5:3",
        "--param=events[9].support=[0.1, 0.2]",
    )
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 3, lines  # each problem once, however many points have it
    assert any("model.params.nope" in x and "no such parameter" in x for x in lines)
    assert any("p_adopt_per_week" in x and "1.5" in x for x in lines)
    assert any("events[9]" in x for x in lines)
    assert all(line.startswith("error: --param: ") for line in lines)
    assert not store.exists()


def test_design_errors_exit_2(tmp_path):
    param = "--param=model.params.leader_effect=0:1"
    result, _ = run(tmp_path, param, "--design", "sobol", "--points", "6")
    assert result.exit_code == 2 and "power of 2" in result.output
    result, _ = run(tmp_path, param)
    assert result.exit_code == 2 and "a:b:n" in result.output
    result, _ = run(tmp_path, param + ":3", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "not both" in result.output


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("diffusion.executors.CONNECT_TIMEOUT", "1s")
    store = tmp_path / "s.zarr"
    args = [str(BASELINE), f"--set={SHORT[0]}", "--runs", "1", "--out", str(store)]
    args += ["--param=model.params.leader_effect=0:1:2", "--scheduler", "tcp://127.0.0.1:9"]
    result = CliRunner().invoke(sweep, args)
    assert result.exit_code == 2 and "cannot reach tcp://127.0.0.1:9" in result.output
    # the scheduler is reached before the store is made: nothing is left behind
    assert not store.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sensitivity_gives_indices_with_the_dummy_and_a_plot(tmp_path):
    pytest.importorskip("SALib")
    out = tmp_path / "sens"
    args = [str(BASELINE), f"--set={SHORT[0]}", "--runs", "2", "--workers", "0"]
    args += ["--param=model.params.p_adopt_per_week=0.005:0.05", "--points=4", "--out", str(out)]
    result = CliRunner().invoke(sensitivity, [*args, "--measure=working"])
    assert result.exit_code == 0, result.output
    assert "2 runs per point; >= 10 are advised" in result.output
    assert "noise floor (dummy ST + interval)" in result.output
    rows = (out / "sensitivity.csv").read_text().splitlines()
    assert rows[0].startswith("parameter,S1,S1_conf,ST,ST_conf")
    assert [r.split(",")[0] for r in rows[1:]] == ["model.params.p_adopt_per_week", "dummy"]
    assert (out / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the same points again, another output: nothing recomputed
    again = CliRunner().invoke(
        sensitivity, [*args, "--resume", "--measure=trained", "--at=2015-10-01", "--group=all"]
    )
    assert again.exit_code == 0, again.output
    assert "0 to compute" in again.output
    # an output or group the store will not hold: one line, before any work
    for bad, message in (
        ("--group=department:Z", "--group: no group 'department:Z'"),
        ("--measure=nope", "--measure: no output 'nope'"),
    ):
        result = CliRunner().invoke(sensitivity, [*args, "--overwrite", bad])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "sweep:" not in result.output
    morris = CliRunner().invoke(sensitivity, [*args, "--method=morris", "--points=1"])
    assert morris.exit_code == 2 and "at least 2 trajectories" in morris.output


def test_the_sweep_modules_import_nothing_heavy():
    code = (
        "import sys, diffusion.cli.sweep, diffusion.cli.sensitivity, diffusion.cli.sweep_plot, "
        "diffusion.sweeps.plan, diffusion.sweeps.store, diffusion.sweeps.sensitivity, "
        "diffusion.sweeps.plots; "
        "heavy = {'dask', 'distributed', 'xarray', 'zarr', 'SALib', 'pandas', 'matplotlib'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), "
        "'scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] False"


@pytest.mark.parametrize(
    "args, says",
    [
        (["--param=model.params.p_adopt_per_week=0:1:1000000"], "--param: a sweep of 1000000"),
        (
            ["--param=model.params.p_adopt_per_week=0:1", "--design=sobol", f"--points={2**20}"],
            f"--points: a sweep of {2**20 * 4} points",  # N (k + 3) for k = 1
        ),
    ],
)
def test_a_sweep_too_large_to_plan_is_refused_at_once(tmp_path, monkeypatch, args, says):
    # every point is loaded and held before the first is simulated (about 25 KB each): a
    # million points took hours of planning, silently, before running out of memory
    from diffusion import budget

    monkeypatch.setenv(budget.ENV, "8G")
    result, store = run(tmp_path, *args)
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert line.startswith(f"error: {says}") and "would need about" in line, line
    assert "fewer points" in line
    assert not store.exists()
