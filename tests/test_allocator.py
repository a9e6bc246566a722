"""The allocator settings for simulating (diffusion.allocator): freed memory is reused.

Each case runs in a fresh Python process: the settings are process-wide and cannot be undone,
and glibc reads its environment variables only at start.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the settings are glibc's (Linux)"
)

#: 20 rounds of four 3 MiB arrays, each written in full, then freed: the page faults of the
#: second half of the script, before and after keep_freed_memory()
SCRIPT = textwrap.dedent(
    """
    import resource
    import numpy as np
    from diffusion.allocator import keep_freed_memory

    def faults():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            arrays = [np.ones(3 << 17) for _ in range(4)]
            del arrays
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    faults()  # warm up (glibc's own thresholds adapt to the first frees)
    default = faults()
    applied = keep_freed_memory()
    faults()
    print(default, applied, faults(), keep_freed_memory())
    """
)
#: 4 KiB pages written per call of faults(): 20 rounds x 4 arrays x 3 MiB
PAGES = 20 * 4 * (3 << 20) // 4096


def run_script(**env: str) -> tuple[int, bool, int, bool]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), out[1] == "True", int(out[2]), out[3] == "True"


def test_freed_memory_is_reused_without_new_page_faults() -> None:
    default, applied, kept, again = run_script()
    # glibc's defaults give the 12 MiB at the top of the heap back after each round, so every
    # page is faulted in again (a few may be reused: at least 90%)
    assert default >= 0.9 * PAGES
    assert applied and again
    # with the settings the same rounds reuse the kept memory: (almost) no new page
    assert kept <= 0.01 * PAGES


def test_the_users_own_environment_settings_win() -> None:
    _, applied, kept, _ = run_script(MALLOC_TRIM_THRESHOLD_="131072")
    assert not applied
    # glibc's defaults stay: the pages are faulted in every round, after the call too
    assert kept >= 0.9 * PAGES


def test_the_engine_applies_them() -> None:
    script = textwrap.dedent(
        """
        import diffusion.allocator as allocator
        from diffusion.baseline import etten_leur_baseline
        print("applied" in allocator._state)
        etten_leur_baseline(years=0.1).simulate(n_runs=2, seed=1)
        print(allocator._state.get("applied"))
        """
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", script], env=clean, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
