#!/usr/bin/env python3
"""Set up a private virtual environment and run the project's two main jobs.

Usage (needs only python3 >= 3.11 on the machine)::

    python3 tasks.py run [ARGS...]   # simulate the built-in Etten-Leur baseline
    python3 tasks.py test            # ruff check + ruff format --check + the whole test suite

The environment lives in ``.venv`` beside this file and is rebuilt only when
``pyproject.toml`` changes. Nothing is installed into the system Python.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def _sh(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def ensure_venv() -> None:
    """Create ``.venv`` and install the package with its test extra, once per pyproject."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    py = BIN / "python"
    _sh(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _sh(py, "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    env = dict(os.environ, MPLBACKEND="Agg")
    env.setdefault("MPLCONFIGDIR", str(VENV / "mplconfig"))
    if argv[0] == "run":
        cmd = [str(BIN / "diffusion"), "run", *argv[1:]]
        return subprocess.run(cmd, cwd=ROOT, env=env).returncode
    # the notebooks run in the suite with small run counts, as in CI
    env.setdefault("CI", "true")
    for cmd in (
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "python"), "-m", "pytest", "-n", "2", "-q", *argv[1:]],
    ):
        print("+", " ".join(cmd[-4:]), flush=True)
        code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
