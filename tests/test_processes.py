"""Large in-process simulations in forked worker processes (diffusion.processes).

The results must be those of the threads bit for bit (run ``i`` depends only on the seed and
``i``), an error or an interrupt must end the workers, and small work stays in its threads.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import diffusion
from diffusion import chunks, processes

pytestmark = pytest.mark.skipif(
    processes.local_processes(1e12, 8) == 0, reason="needs fork (Linux) and two cores"
)

END = dt.date(2016, 12, 31)


def _with(monkeypatch: pytest.MonkeyPatch, forked: bool) -> None:
    """Send every simulation to the workers (``forked``) or keep it in the threads."""
    monkeypatch.setattr(processes, "MIN_PERSON_STEPS", 0.0 if forked else float("inf"))


def _same_tally(a: diffusion.Results, b: diffusion.Results) -> None:
    assert a.tally is not None and b.tally is not None
    assert a.tally.parts.keys() == b.tally.parts.keys()
    for key, part in a.tally.parts.items():
        other = b.tally.parts[key]
        for name in ("hist", "values"):
            mine, theirs = getattr(part, name), getattr(other, name)
            assert (mine is None) == (theirs is None), key
            if mine is not None:
                np.testing.assert_array_equal(mine, theirs)


def test_run_in_processes_is_the_run_in_threads(monkeypatch, tmp_path):
    base = diffusion.load_scenario(overrides=[f"calendar.end={END}"])
    _with(monkeypatch, forked=False)
    # 256 runs: 4 chunks of the smallest size (MIN_CHUNK_RUNS), so that the work is split
    # between 2 processes at all (with 120 runs it stayed in the threads)
    threads = diffusion.run(base, runs=256, seed=11, out=tmp_path / "threads")
    _with(monkeypatch, forked=True)
    forked = diffusion.run(base, runs=256, seed=11, out=tmp_path / "forked")
    _same_tally(threads, forked)
    assert threads.first_step.keys() == forked.first_step.keys()
    for name, steps in threads.first_step.items():
        np.testing.assert_array_equal(steps, forked.first_step[name])
    # the files a user reads, byte for byte
    for name in ("series.csv", "summary.csv"):
        assert (tmp_path / "threads" / name).read_bytes() == (
            tmp_path / "forked" / name
        ).read_bytes()
    # something spread: the equality is not that of empty results
    mean = threads.spread(("trained", "adopter")).band((0.05, 0.95)).mean
    assert mean[-1] > mean[0]
    # the manifest says where the runs were made
    where = {
        name: json.loads((tmp_path / name / "manifest.json").read_text())["executor"]
        for name in ("threads", "forked")
    }
    workers = processes.local_processes(1e12, 8)
    assert where == {
        "threads": "in this process",
        "forked": f"{workers} forked processes of this one",
    }


FORKED_RUN = """
import dataclasses, sys
from diffusion import chunks, processes
from diffusion.baseline import etten_leur_baseline
from diffusion.comparison import measures_for
from diffusion.models.epidemic import SIR, SIRParams
processes.MIN_PERSON_STEPS = 0.0
study = etten_leur_baseline(years=1)
if sys.argv[1] == "sir":
    sir = SIR(SIRParams(beta=0.05, gamma=0.1, initial_infected=3))
    study = dataclasses.replace(study, model=sir, events=())
m = study.model
chunks.simulate(study, 256, 1, measures=measures_for(m.state_names, m.adopted_states))
print("numba" in sys.modules)
"""


@pytest.mark.parametrize(("model", "loaded"), [("ideas", "True"), ("sir", "False")])
def test_the_step_modules_are_loaded_before_forking_only_for_the_model_that_needs_them(
    model, loaded
):
    # the ideas model's step uses numba's loops: loaded in this process, the 2 workers inherit
    # them (this process draws nothing itself); SIR's step needs none, so none is loaded
    out = subprocess.run(
        [sys.executable, "-c", FORKED_RUN, model], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == loaded


def test_the_workers_progress_adds_up_to_every_run_step(monkeypatch):
    # what the workers report reaches the caller's progress: every run's every step, once
    base = diffusion.load_scenario(overrides=[f"calendar.end={END}"])
    steps = diffusion.run(base, runs=2, seed=1).steps[-1]
    sums = {}
    for forked in (False, True):
        _with(monkeypatch, forked)
        seen: list[int] = []
        diffusion.run(base, runs=256, seed=3, progress=seen.append)  # 2 processes (above)
        sums[forked] = sum(seen)
    assert sums[True] == sums[False] == 256 * steps


def test_compare_in_processes_is_compare_in_threads(monkeypatch):
    base = diffusion.load_scenario(overrides=[f"calendar.end={END}"])
    secretary = diffusion.what_if(
        base,
        "secretary",
        events=[{"kind": "new_secretary", "date": dt.date(2016, 1, 11), "support": 0.9}],
    )
    dates = [dt.date(2016, 6, 30), END]
    # chunks of MIN_CHUNK_RUNS at most: 90 runs fit in one chunk otherwise, which compare
    # keeps whole, in this process, forked or not
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 1)
    maps: list[int] = []  # the processes of each forked map
    real_map = chunks.map_forked

    def map_forked(fn, shared, items, n, *args):
        maps.append(n)
        return real_map(fn, shared, items, n, *args)

    monkeypatch.setattr(chunks, "map_forked", map_forked)
    _with(monkeypatch, forked=False)
    threads = diffusion.compare(base, [secretary], runs=90, seed=5, dates=dates)
    assert maps == []
    _with(monkeypatch, forked=True)
    forked = diffusion.compare(base, [secretary], runs=90, seed=5, dates=dates)
    assert maps == [processes.local_processes(1e12, 8)]  # the forked side did fork
    assert [o.tidy() for o in forked.outcomes] == [o.tidy() for o in threads.outcomes]
    assert any(o.difference != 0 for o in threads.outcomes)


def _fail_on_odd(shared: int, item: int) -> int:
    if item % 2:
        raise ValueError(f"item {item} is odd")
    return shared + item


def test_map_forked_gives_every_result_and_passes_errors_on():
    got = sorted(processes.map_forked(_fail_on_odd, 100, [0, 2, 4, 6], 2))
    assert got == [100, 102, 104, 106]
    with pytest.raises(ValueError, match="is odd"):
        list(processes.map_forked(_fail_on_odd, 100, [0, 1, 2], 2))
    # the workers are gone with the error
    assert multiprocessing.active_children() == []


def _die(shared: int, item: int) -> int:
    if item == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
    return item


def test_a_worker_that_dies_fails_the_map_instead_of_hanging():
    with pytest.raises(processes.WorkerDied, match="out of memory"):
        list(processes.map_forked(_die, 0, [0, 1, 2, 3], 2))
    assert multiprocessing.active_children() == []


def test_small_work_stays_in_this_process():
    assert processes.local_processes(processes.MIN_PERSON_STEPS / 2, 8) == 0
    assert processes.local_processes(processes.MIN_PERSON_STEPS, 1) == 0  # one chunk
    cores = min(len(os.sched_getaffinity(0)), processes.MAX_PROCESSES)
    assert processes.local_processes(processes.MIN_PERSON_STEPS, 100) == cores
    assert processes.local_processes(processes.MIN_PERSON_STEPS, 2) == 2


def _children(pid: int) -> list[int]:
    """Return the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal (see test_interrupts.py)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_ends_the_workers(tmp_path, sig):
    # 1,500 runs of the 8-year baseline: 2e8 person-steps, simulated in two workers
    executable = Path(sys.executable).with_name("diffusion")
    proc = subprocess.Popen(
        [str(executable), "run", "--runs", "1500", "--out", "out"],
        cwd=tmp_path,
        env=dict(os.environ, MPLBACKEND="Agg"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    workers: list[int] = []
    # the signal lands once two workers are simulating (each has used CPU time): then the
    # command waits for their chunks. (A signal in the few milliseconds while the pool starts
    # can land in a finaliser of Python's process machinery, where Python drops the exception
    # it raises: "Exception ignored in ...": a limit of Python's signal handling, not tested.)
    while proc.poll() is None:  # the run ends by itself if the workers never get going
        workers = _children(proc.pid)
        if len(workers) >= 2 and all(_cpu_s(pid) > 0.2 for pid in workers):
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the run never started its worker processes"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig
    assert "Traceback" not in err, err
    words = "interrupted" if sig == signal.SIGINT else "stopped by SIGTERM"
    assert [line for line in err.splitlines() if line.strip()][-1].startswith(f"error: {words}")
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)
    assert not (tmp_path / "out").exists()


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
