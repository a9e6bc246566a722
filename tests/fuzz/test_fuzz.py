"""Issue 10 §5: generated bad inputs through the real command line.

Four families: mutated shipped scenarios (``validate``, then ``run`` when they happen to be
valid), mutated rosters (``org --roster``), mutated graph files (``org --graph``) and bad
command lines (every command). Every outcome must be exit status 0 or 2; a refusal prints
only problem lines (``file: place: message`` or ``error: message``), each one line without
control characters, no traceback, and writes nothing. Bad command lines must be refused.

A few hundred examples in CI (fixed, derandomised); ``DIFFUSION_FUZZ_EXAMPLES=N`` runs N
random examples per family instead, and ``DIFFUSION_FUZZ_REPORT=FILE`` writes the counts
(tried, refused with clean lines, valid) per family to FILE as JSON.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from diffusion.org.graphio import write_graphml
from diffusion.org.roster import read_roster
from tests.fuzz import strategies as fz
from tests.safety.common import invoke, listing

EXAMPLES = int(os.environ.get("DIFFUSION_FUZZ_EXAMPLES", "0"))
#: examples per family in CI (about a minute in all on two cores)
CI_EXAMPLES = {"scenario": 40, "roster": 50, "graph": 50, "command line": 60}
TALLY: collections.Counter = collections.Counter()
PROBLEM_LINE = re.compile(r"^(error: |--set: |[^:]+: ).+")

with tempfile.TemporaryDirectory() as _folder:
    write_graphml(read_roster(fz.ROOT / "examples" / "roster.csv"), Path(_folder) / "g.graphml")
    GRAPHML = (Path(_folder) / "g.graphml").read_text(encoding="utf-8")


def fuzz_settings(family: str):
    return settings(
        max_examples=EXAMPLES or CI_EXAMPLES[family],
        derandomize=not EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    target = os.environ.get("DIFFUSION_FUZZ_REPORT")
    if target:
        table: dict[str, dict[str, int]] = {}
        for (family, what), n in TALLY.items():
            table.setdefault(family, {})[what] = n
        Path(target).write_text(json.dumps(table, indent=2, sort_keys=True))


@contextlib.contextmanager
def folder():
    """A fresh empty working folder, as the current folder."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as name:
        os.chdir(name)
        try:
            yield Path(name)
        finally:
            os.chdir(here)


def outcome(family: str, result, where: Path, before: set[str], *, must_refuse=False) -> int:
    """Check one command's outcome (see the module docstring); count it; return its status."""
    text = f"{result.stderr}\n{result.output}"
    assert "Traceback" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in ((2,) if must_refuse else (0, 2)), (result.exit_code, text)
    TALLY[family, "tried"] += 1
    if result.exit_code == 0:
        TALLY[family, "valid"] += 1
        return 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "refused without a word"
    for line in lines:
        assert PROBLEM_LINE.match(line), line
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line), repr(line)
        assert len(line) <= 450, line
    assert listing(where) == before
    TALLY[family, "refused with one clear line each"] += 1
    return 2


@fuzz_settings("scenario")
@given(fz.mutated_scenario())
def test_mutated_scenarios(case):
    _source, text = case
    with folder() as where:
        (where / "s.toml").write_text(text, encoding="utf-8")
        before = listing(where)
        if outcome("scenario", invoke("validate", "s.toml"), where, before) == 0:
            # valid: it must also run (a year of it, two runs)
            result = invoke("run", "s.toml", "--runs", "2", "--years", "1", "--out", "o")
            before = listing(where)
            if outcome("scenario run", result, where, before) == 0:
                assert (where / "o" / "manifest.json").is_file()


@fuzz_settings("roster")
@given(fz.mutated_roster())
def test_mutated_rosters(data):
    with folder() as where:
        (where / "r.csv").write_bytes(data)
        before = listing(where)
        if outcome("roster", invoke("org", "--roster", "r.csv"), where, before) == 0:
            scenario = (fz.ROOT / "examples" / "client.toml").read_text(encoding="utf-8")
            (where / "c.toml").write_text(scenario.replace("roster.csv", "r.csv"))
            before = listing(where)
            outcome("roster scenario", invoke("validate", "c.toml"), where, before)


@fuzz_settings("graph")
@given(fz.mutated_graph(GRAPHML))
def test_mutated_graph_files(text):
    with folder() as where:
        (where / "g.graphml").write_text(text, encoding="utf-8")
        before = listing(where)
        outcome("graph", invoke("org", "--graph", "g.graphml"), where, before)


@fuzz_settings("command line")
@given(fz.bad_command_line())
def test_bad_command_lines(args):
    with folder() as where:
        before = listing(where)
        outcome("command line", invoke(*args), where, before, must_refuse=True)
