"""Issue 10 §4: SIGINT and SIGTERM stop a command cleanly.

Each test starts the installed ``diffusion`` executable, waits (polling, no fixed sleep) for
its temporary output folder to appear, freezes the process with SIGSTOP so the folder is
known to exist when the signal lands, sends SIGINT or SIGTERM and lets it go on. The command
must exit with 130 (SIGINT) or 143 (SIGTERM), print one line saying so, and leave neither
the temporary folder nor a partial output folder behind. When the process finishes writing
before it is frozen (the folder is gone by then), the attempt does not count and is made
again with a new folder; an attempt never counts as a pass by itself.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.advise.conftest import SCENARIO as ADVISE_SCENARIO
from tests.advise.conftest import SPEC
from tests.safety.common import EXECUTABLE, SCENARIO, error_lines, listing
from tests.scenario._toml import dumps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

#: attempts at catching the temporary folder before the test fails
ATTEMPTS = 6
EXPECTED = {signal.SIGINT: (130, "interrupted"), signal.SIGTERM: (143, "stopped by SIGTERM")}


def _temporary(folder: Path, out: str) -> Path | None:
    for entry in os.scandir(folder):
        if entry.name.startswith(f".{out}."):
            return Path(entry.path)
    return None


def _sigint_as_in_a_terminal() -> None:
    """Give the command SIGINT's default disposition (then Python turns it into Ctrl-C).

    A suite started as a background job of a non-interactive shell (``cmd &``) runs with
    SIGINT ignored, and an ignored signal stays ignored across ``exec``: the command would
    never see the Ctrl-C this test sends.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_while_writing(args: list[str], cwd: Path, sig: signal.Signals):
    """Run ``diffusion ARGS --out oN`` in ``cwd`` and send ``sig`` while its temporary
    output folder exists. Returns ``(exit status, stderr, the out folder's name)``."""
    env = dict(os.environ, MPLBACKEND="Agg")
    for attempt in range(ATTEMPTS):
        out = f"o{attempt}"
        proc = subprocess.Popen(
            [EXECUTABLE, *args, "--out", out],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_sigint_as_in_a_terminal,
        )
        caught = None
        while caught is None and proc.poll() is None:
            tmp = _temporary(cwd, out)
            if tmp is not None:
                proc.send_signal(signal.SIGSTOP)
                if tmp.exists():
                    caught = tmp
                else:
                    proc.send_signal(signal.SIGCONT)
            else:
                time.sleep(0.0005)
        if caught is None:
            proc.communicate()
            continue
        proc.send_signal(sig)
        proc.send_signal(signal.SIGCONT)
        _, stderr = proc.communicate()
        return proc.returncode, stderr, out
    pytest.fail(f"the temporary folder was never caught in {ATTEMPTS} attempts")


def check_clean_stop(cwd: Path, args: list[str], sig: signal.Signals) -> None:
    before = listing(cwd)
    code, stderr, out = interrupt_while_writing(args, cwd, sig)
    status, words = EXPECTED[sig]
    assert code == status, stderr
    assert "Traceback" not in stderr, stderr
    assert error_lines(stderr)[-1].startswith(f"error: {words}"), stderr
    after = listing(cwd)
    left = {p for p in after - before if p.startswith(".") or p.split("/")[0] == out}
    assert not left, left  # neither the temporary folder nor a half-made output folder
    assert _temporary(cwd, out) is None


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    (tmp_path / "s.toml").write_text(SCENARIO.replace("runs = 2", "runs = 40"))
    (tmp_path / "w.toml").write_text(
        'extends = "s.toml"\n[[events_add]]\nkind = "top_down_push"\ndate = 2015-06-01\n'
    )
    return tmp_path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_run(scenario, sig):
    check_clean_stop(scenario, ["run", "s.toml"], sig)


def test_compare(scenario):
    check_clean_stop(scenario, ["compare", "s.toml", "w.toml", "--runs", "20"], signal.SIGTERM)


def test_report(scenario):
    check_clean_stop(scenario, ["report", "s.toml", "w.toml", "--runs", "10"], signal.SIGINT)


def test_advise(tmp_path):
    (tmp_path / "org.toml").write_text(SPEC)
    (tmp_path / "a.toml").write_text(dumps(ADVISE_SCENARIO))
    at, goal = dt.date(2020, 6, 1), dt.date(2021, 6, 30)
    args = ["advise", "a.toml", "--at", at.isoformat(), "--seats", "2", "--runs", "10"]
    args += ["--objective", f"working@{goal}", "--candidates", "4", "--seed", "7"]
    check_clean_stop(tmp_path, args, signal.SIGTERM)


def test_calibrate(tmp_path):
    args = ["calibrate", "--params", "model.params.receptivity_hard=uniform(0.02, 1)"]
    args += ["--method", "rejection", "--simulations", "4", "--runs-per-simulation", "2"]
    args += ["--accept", "0.5", "--check-draws", "2", "--seed", "3", "--workers", "0"]
    check_clean_stop(tmp_path, args, signal.SIGINT)
