"""What every refused input must look like, and small valid inputs to break.

A refused input exits with status 2 and prints exactly one line per problem on stderr,
without a traceback, and writes nothing: :func:`assert_refused` checks the first three,
:func:`listing` (compared before and after) the last.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from diffusion.cli import main

#: the installed command, beside this interpreter (as a user runs it)
EXECUTABLE = shutil.which("diffusion", path=os.path.dirname(sys.executable)) or "diffusion"

#: a valid roster: a secretary, a head and a team of four in two clusters
ROSTER = """id,department,team,role,manager_id,cluster,side
sec,,,secretary,,,soft
h1,D,,head,sec,,hard
tl,D,T1,team_leader,h1,,hard
e1,D,T1,employee,tl,c1,hard
e2,D,T1,employee,tl,c1,hard
e3,D,T1,policy_officer,tl,c2,hard
e4,D,T1,employee,tl,c2,hard
"""

#: a valid one-year scenario on the built-in organisation
SCENARIO = """name = "small"
runs = 2
seed = 1
[calendar]
start = 2015-01-05
end = 2016-01-04
"""


def scenario_on(source: str) -> str:
    """:data:`SCENARIO` on another organisation, e.g. ``'roster = "r.csv"'``."""
    return SCENARIO + f"[organisation]\n{source}\n"


def invoke(*args: str):
    """Run ``diffusion ARGS`` through click's test runner (stderr kept apart)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def execute(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed ``diffusion`` executable in a subprocess."""
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(
        [EXECUTABLE, *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_refused(result, problems: int = 1, *, says: str = "") -> list[str]:
    """Exit 2, ``problems`` lines on stderr (the first holding ``says``), no traceback.

    ``result`` is click's Result or a CompletedProcess. Returns the lines.
    """
    code = getattr(result, "exit_code", None)
    code = result.returncode if code is None else code
    stderr = result.stderr
    assert "Traceback" not in stderr and "Traceback" not in (result.stdout or ""), stderr
    exception = getattr(result, "exception", None)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert code == 2, (code, stderr)
    lines = error_lines(stderr)
    assert len(lines) == problems, lines
    assert says in lines[0], lines
    for line in lines:
        assert not any(ord(c) < 32 or ord(c) == 127 for c in line), line
    return lines


def listing(folder: Path) -> set[str]:
    """Every file and folder under ``folder`` (hidden ones too), relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}
