"""A sweep on a real Dask cluster (a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1) survives a worker SIGKILLed mid-sweep: every point is there and equal to the
sweep run in one process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("distributed")
pytest.importorskip("xarray")

from diffusion.sweeps import store as st
from tests.sweep.common import BASELINE, stored

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: 12 points of 5 years x 100 runs: about 0.3 s each, so the sweep is still running when the
#: first point is done
ARGS = [
    str(BASELINE),
    "--set=calendar.end=2020-01-01",
    "--param=model.params.p_adopt_per_week=0.01:0.05:6",
    "--param=model.params.leader_effect=[0.2, 0.8]",
    "--runs=100",
    "--seed=11",
    "--keep-runs",
]


def _wait(condition: Any, what: str, *watched: subprocess.Popen, step: float = 0.02) -> None:
    """Wait until ``condition()`` holds, or fail as soon as a watched process has ended.

    No wall-clock deadline: a loaded machine is slow, not wrong; a wait ends when what it
    waits for happens or when the process that should make it happen is gone.
    """
    while not condition():
        ended = [p.args[1] for p in watched if p.poll() is not None]
        if ended:
            raise RuntimeError(f"{' and '.join(ended)} ended while waiting for {what}")
        time.sleep(step)


def _stop(proc: subprocess.Popen) -> None:
    """End a process this test started: SIGTERM, then SIGKILL after 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture
def cluster(tmp_path) -> Iterator[dict[str, Any]]:
    """A scheduler and two single-threaded workers (no nanny: a killed worker stays dead),
    all on loopback; every process is ended however the test goes."""
    from distributed import Client

    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    file = tmp_path / "scheduler.json"
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("scheduler", "w0", "w1")}
    procs: dict[str, subprocess.Popen] = {}
    client = None
    try:
        procs["scheduler"] = subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            cwd=tmp_path,
            env=env,
            stdout=logs["scheduler"],
            stderr=subprocess.STDOUT,
        )
        _wait(file.exists, "the scheduler file", procs["scheduler"])
        _wait(lambda: "address" in file.read_text(), "the scheduler address", procs["scheduler"])
        address = json.loads(file.read_text())["address"]
        for name in ("w0", "w1"):
            procs[name] = subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "worker",
                    "--scheduler-file",
                    str(file),
                    "--name",
                    name,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                cwd=ROOT,
                env=env,
                stdout=logs[name],
                stderr=subprocess.STDOUT,
            )
        client = Client(address)
        _wait(lambda: len(client.scheduler_info()["workers"]) == 2, "two workers", *procs.values())
        yield {"address": address, "client": client, "procs": procs, "env": env}
    finally:
        if client is not None:
            client.close()
        for proc in procs.values():
            _stop(proc)
        for log in logs.values():
            log.close()


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_no_point(cluster, tmp_path):
    serial = tmp_path / "serial.zarr"
    done = subprocess.run(
        [str(BIN / "diffusion"), "sweep", *ARGS, "--out", str(serial), "--workers", "0"],
        cwd=ROOT,
        env=cluster["env"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr

    store = tmp_path / "cluster.zarr"
    sweep = subprocess.Popen(
        [
            str(BIN / "diffusion"),
            "sweep",
            *ARGS,
            "--out",
            str(store),
            "--scheduler",
            cluster["address"],
        ],
        cwd=ROOT,
        env=cluster["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        client = cluster["client"]
        busy: dict[str, Any] = {}

        def first_point_done_and_workers_busy() -> bool:
            """The store shows a finished point while a worker holds another."""
            nonlocal busy
            if sweep.poll() is not None:
                return True
            if not (st.is_store(store) and st.completed(store).any()):
                return False
            busy = {w: keys for w, keys in client.processing().items() if keys}
            return bool(busy)

        _wait(first_point_done_and_workers_busy, "the first point", cluster["procs"]["scheduler"])
        assert sweep.poll() is None, "the sweep ended before a worker could be killed"
        n_done = int(st.completed(store).sum())
        names = {w: info["name"] for w, info in client.scheduler_info()["workers"].items()}
        victim = sorted(busy)[0]
        os.kill(cluster["procs"][names[victim]].pid, signal.SIGKILL)
        print(
            f"\nkilled {names[victim]} ({victim}) with SIGKILL while it held "
            f"{sorted(busy[victim])}; {n_done} of 12 points were done"
        )
        out, _ = sweep.communicate()
    finally:
        _stop(sweep)
    print(out.strip().splitlines()[-1])
    assert sweep.returncode == 0, out
    assert cluster["procs"][names[victim]].wait() == -signal.SIGKILL
    one_left = lambda: len(client.scheduler_info()["workers"]) == 1  # noqa: E731
    _wait(one_left, "the scheduler to drop it", cluster["procs"]["scheduler"])
    assert st.completed(store).all()
    a, b = stored(store), stored(serial)
    assert a.keys() == b.keys() and "counts" in a
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    seconds = st.open_store(store)["seconds"].values
    print(f"all 12 points present and equal to the serial sweep; task seconds {seconds.round(2)}")
