"""Broken scenario files give one clear line per problem, exit status 2 and no traceback.

A property-based test: hypothesis breaks a small valid scenario in up to three independent
places (wrong types, unknown or misspelt keys, bad dates, negative seats, unknown team
names, unknown event kinds, misspelt model parameters) or breaks its ``extends`` (missing or
cyclic), then ``diffusion validate`` must name every broken place, each on its own line
``<file>: <path>: <message>``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion.cli import main
from tests.scenario._toml import dumps
from tests.scenario.conftest import SMALL

Data = dict[str, Any]


def _set(path: tuple, value: Any) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return apply


def _rename(path: tuple, new: str) -> Callable[[Data], None]:
    def apply(data: Data) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[new] = node.pop(path[-1])

    return apply


#: (group, breakage, path expected in an error line); one breakage per group at most, and
#: the groups are chosen so that no breakage hides another
BREAKAGES: list[tuple[str, Callable[[Data], None], str]] = [
    ("runs", _set(("runs",), "five"), "runs"),
    ("runs", _set(("runs",), 0), "runs"),
    ("runs", _set(("runs",), 2.5), "runs"),
    ("seed", _set(("seed",), -3), "seed"),
    ("seed", _set(("seed",), True), "seed"),
    ("top", _set(("sed",), 3), "sed"),
    ("top", _set(("calender",), {}), "calender"),
    ("calendar", _rename(("calendar", "end"), "ned"), "calendar.ned"),
    ("calendar", _set(("calendar", "end"), "2016-12-31"), "calendar.end"),
    ("calendar", _set(("calendar", "end"), dt.date(2014, 1, 1)), "calendar.end"),
    ("calendar", _set(("cohorts", 0, "date"), dt.date(2031, 1, 1)), "cohorts[0].date"),
    ("calendar", _set(("events", 1, "date"), dt.date(2010, 1, 1)), "events[1].date"),
    ("seats", _set(("cohorts", 1, "seats"), -2), "cohorts[1].seats"),
    ("seats", _set(("cohorts", 1, "seats"), "3"), "cohorts[1].seats"),
    ("seats", _rename(("cohorts", 1, "seats"), "seat"), "cohorts[1].seat"),
    ("team", _set(("events", 1, "team"), "T99"), "events[1].team"),
    ("team", _set(("events", 1, "team"), "Finance"), "events[1].team"),
    ("team", _rename(("events", 1, "reached"), "reachd"), "events[1].reachd"),
    ("kind", _set(("events", 0, "kind"), "top_down_psh"), "events[0].kind"),
    ("kind", _set(("events", 0, "strength"), "strong"), "events[0].strength"),
    (
        "model",
        _set(("model",), {"params": {"p_adopt_per_wek": 0.1}}),
        "model.params.p_adopt_per_wek",
    ),
    (
        "model",
        _set(("model",), {"params": {"p_adopt_per_week": 2.0}}),
        "model.params.p_adopt_per_week",
    ),
    ("model", _set(("model",), {"name": "sri"}), "model.name"),
]
EXTENDS = ("missing", "cyclic")


def _validate(folder: Path, data: Data, extends: str | None) -> tuple[Path, Any]:
    path = folder / "broken.toml"
    if extends == "missing":
        data = {"extends": "nowhere.toml", **data}
    elif extends == "cyclic":
        (folder / "loop.toml").write_text('extends = "broken.toml"\n')
        data = {"extends": "loop.toml", **data}
    path.write_text(dumps(data))
    return path, CliRunner().invoke(main, ["validate", str(path)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.lists(st.sampled_from(BREAKAGES), min_size=1, max_size=3, unique_by=lambda b: b[0]),
    extends=st.sampled_from((None, None, None, *EXTENDS)),
)
def test_every_problem_is_one_clear_line(chosen, extends):
    folder = Path(tempfile.mkdtemp(prefix="scenario-errors-"))
    try:
        data = copy.deepcopy(SMALL)
        for _, breakage, _ in chosen:
            breakage(data)
        path, result = _validate(folder, data, extends)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    files = re.escape(str(path)) + "|" + re.escape(str(folder / "loop.toml"))
    for line in lines:
        assert re.match(rf"^({files}): [\w.\[\]-]+: \S", line), line
    paths = {line.split(": ")[1] for line in lines}
    if extends is None:
        for _, _, expected in chosen:
            assert expected in paths, (expected, lines)
    else:
        assert paths == {"extends"}, lines


def test_a_good_file_says_ok(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(dumps(SMALL))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and result.output == f"{path}: OK\n"
