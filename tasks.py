#!/usr/bin/env python3
"""Set up a private virtual environment and run the project's two main jobs.

Usage (needs only python3 >= 3.11 on the machine)::

    python3 tasks.py run [ARGS...]   # simulate the built-in Etten-Leur baseline
    python3 tasks.py test [ARGS...]  # ruff, mypy, the test suite with doctests (ARGS: pytest's,
                                     # e.g. -m "not slow" to leave out the slow tests)
    python3 tasks.py golden          # write the golden results (tests/golden/) anew, on purpose

The environment lives in ``.venv`` beside this file. ``run`` installs only what running
needs (the package and its dependencies); ``test`` adds the test tools and the optional
extras (pytest, ruff, Dask, pyabc, ...). Each is installed again only when
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


def _installed() -> tuple[str, set[str]]:
    """The pyproject hash and the extras of the last install ("" and none if never)."""
    if not STAMP.exists():
        return "", set()
    digest, _, extras = STAMP.read_text().partition(" ")
    return digest, set(filter(None, extras.split(",")))


def ensure_venv(extras: tuple[str, ...] = ()) -> None:
    """Create ``.venv`` and install the package with ``extras``, once per pyproject.

    A venv with more extras installed from the same pyproject is kept as it is.
    """
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    digest, have = _installed()
    if digest == wanted and set(extras) <= have:
        return
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    py = BIN / "python"
    keep = have if digest == wanted else set()
    chosen = sorted(keep | set(extras))
    target = f".[{','.join(chosen)}]" if chosen else "."
    _sh(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _sh(py, "-m", "pip", "install", "--quiet", "-e", target)
    STAMP.write_text(f"{wanted} {','.join(chosen)}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "golden"}:
        print(__doc__)
        return 2
    ensure_venv(("test",) if argv[0] == "test" else ())
    env = dict(os.environ, MPLBACKEND="Agg")
    env.setdefault("MPLCONFIGDIR", str(VENV / "mplconfig"))
    if argv[0] == "run":
        cmd = [str(BIN / "diffusion"), "run", *argv[1:]]
        return subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if argv[0] == "golden":
        cmd = [str(BIN / "python"), "-m", "tests.golden.make"]
        return subprocess.run(cmd, cwd=ROOT, env=env).returncode
    # the notebooks run in the suite with small run counts, as in CI
    env.setdefault("CI", "true")
    for cmd in (
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(BIN / "python"), "-m", "pytest", "-n", "2", "-q", *argv[1:]],
    ):
        print("+", " ".join(cmd[-4:]), flush=True)
        code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
