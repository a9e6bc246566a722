"""Hypothesis strategies that break the project's real inputs: the shipped scenarios, the
example roster, a graph file exported from it, and command lines.

Each strategy draws a valid input and applies a few mutations to it (values of the wrong
type, out of range, nan and inf, huge numbers, control characters, misspelt or unknown
keys, deleted keys and rows, duplicated ids, broken encodings, truncated files), so most
results are bad and some happen to stay valid.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.scenario._toml import dumps

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
ROSTER = (ROOT / "examples" / "roster.csv").read_text(encoding="utf-8")

# ------------------------------------------------------------------------------ values
NASTY_TEXT = st.sampled_from(
    ["", " ", "\x1b[2J\x1b]0;x\x07", "../../x", "/", "a\nb", "\u202eevil", "é", "x" * 3000,
     "T99", "nan", "-1", "1e400", "None", "soft", "hard", "O", "T8", "\x00"]
)  # fmt: skip
NUMBERS = (
    st.sampled_from([0, -1, 1, 2, 10**12, -(10**18), 2**63 - 1, 0.5, -0.5, 1.5, 1e300, -1e-300])
    | st.just(float("nan"))
    | st.just(float("inf"))
    | st.just(float("-inf"))
)
DATES = st.sampled_from(
    [dt.date(1, 1, 1), dt.date(2015, 1, 5), dt.date(2016, 6, 1), dt.date(2031, 1, 1),
     dt.date(9999, 12, 31), dt.date(2018, 2, 28)]
)  # fmt: skip
SCALARS = NASTY_TEXT | NUMBERS | DATES | st.booleans()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY_TEXT, inner, max_size=2),
    max_leaves=4,
)


# ------------------------------------------------------------------------------ scenarios
def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_scenario(draw: st.DrawFn) -> tuple[str, str]:
    """``(name of a shipped scenario, the TOML text of a mutated copy)``; the copy extends
    the original or stands alone."""
    source = draw(st.sampled_from(SCENARIOS))
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    data.pop("extends", None)
    if "organisation" in data:
        data["organisation"] = {"builtin": "etten-leur"}
    if draw(st.booleans()):
        data = {"extends": str(source)}
        if draw(st.booleans()):
            data["events_add"] = [{"kind": "top_down_push", "date": dt.date(2016, 1, 4)}]
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        how = draw(st.sampled_from(["set", "delete", "rename", "add", "append"]))
        if how == "add" or not paths:
            key = draw(st.sampled_from(["runs", "seed", "name", "sed", "calendar", "events",
                                        "events_add", "cohorts_add", "extends", "outputs",
                                        "cadence", "model", "organisation"]))  # fmt: skip
            data[key] = draw(VALUES)
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if how == "set":
            parent[path[-1]] = draw(VALUES)
        elif how == "delete":
            del parent[path[-1]]
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(NASTY_TEXT.filter(bool)) + "x"] = parent.pop(path[-1])
        elif how == "append" and isinstance(parent, list):
            parent.append(copy.deepcopy(draw(VALUES)))
    try:
        text = dumps(data)
    except (TypeError, ValueError):
        text = "runs = [\n"  # a value the writer cannot write: broken TOML instead
    return source.name, text


# ------------------------------------------------------------------------------ rosters
@st.composite
def mutated_roster(draw: st.DrawFn) -> bytes:
    """The example roster's bytes after one to three mutations of its cells, rows, columns
    or encoding."""
    rows = [line.split(",") for line in ROSTER.splitlines()]
    encoding, separator, bom = "utf-8", ",", b""
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(
            ["cell", "cell", "cell", "drop_row", "dup_row", "drop_col", "rename_col", "header_only",
             "separator", "bom", "latin1", "truncate", "quote", "extra_cells"]
        ))  # fmt: skip
        r = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
        c = draw(st.integers(0, len(rows[0]) - 1))
        if how == "cell" and len(rows) > 1 and c < len(rows[r]):
            rows[r][c] = str(draw(SCALARS)).replace(",", ";")
        elif how == "drop_row" and len(rows) > 1:
            del rows[r]
        elif how == "dup_row" and len(rows) > 1:
            rows.insert(r, list(rows[r]))
        elif how == "drop_col":
            for row in rows:
                if c < len(row):
                    del row[c]
        elif how == "rename_col":
            rows[0][c] = draw(st.sampled_from(["ID", "dept", "", "manager", "role "]))
        elif how == "header_only":
            rows = rows[:1]
        elif how == "separator":
            separator = ";"
        elif how == "bom":
            bom = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe"]))
        elif how == "latin1":
            encoding = "latin-1"
            rows[-1][-1] = "Ren\xe9e"
        elif how == "truncate":
            rows = rows[: max(len(rows) // 2, 1)]
            rows[-1] = rows[-1][:2]
        elif how == "quote" and len(rows) > 1:
            rows[r][0] = '"' + rows[r][0]
        elif how == "extra_cells" and len(rows) > 1:
            rows[r] += ["x", "y"]
    text = "\n".join(separator.join(row) for row in rows) + "\n"
    return bom + text.encode(encoding, errors="replace")


# ------------------------------------------------------------------------------ graph files
GRAPH_EDITS = [
    ('<node id="p05">', "<node>"),
    ('<node id="p05">', '<node id="p04">'),
    ('source="p01"', 'source="nobody"'),
    ('target="p03"', 'target="p02"'),
    (">line<", ">friendship<"),
    (">employee<", ">wizard<"),
    (">soft<", ">medium<"),
    ("</graphml>", ""),
    ('attr.type="double"', 'attr.type="string"'),
    ('<graph edgedefault="undirected">', '<graph edgedefault="directed">'),
]


@st.composite
def mutated_graph(draw: st.DrawFn, graphml: str) -> str:
    """``graphml`` (an exported organisation) after one to three edits: known breakages
    (a node without an id, a duplicate id, unknown kinds, broken XML), weights set to bad
    numbers, self-ties, a second manager, or random bytes spliced in."""
    text = graphml
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["edit", "edit", "weight", "self", "manager", "splice"]))
        if how == "edit":
            old, new = draw(st.sampled_from(GRAPH_EDITS))
            text = text.replace(old, new, 1)
        elif how == "weight":
            value = draw(st.sampled_from(["-1", "1e39", "nan", "inf", "heavy", "", "1e6"]))
            text = text.replace(">0.6<", f">{value}<", 1)
        elif how == "self":
            text = text.replace('source="p04" target="p05"', 'source="p04" target="p04"', 1)
        elif how == "manager":
            key = {
                name: k
                for k, name in re.findall(r'<key id="(\w+)" for="edge" attr.name="(\w+)"', text)
            }
            edge = (
                f'<edge source="p02" target="p05"><data key="{key.get("kind")}">line</data>'
                f'<data key="{key.get("manager")}">p02</data></edge></graph>'
            )
            text = text.replace("</graph>", edge, 1)
        else:
            at = draw(st.integers(0, len(text)))
            text = (
                text[:at]
                + draw(st.sampled_from(["<", "&", "\x00", "]]>", "<node id=", '"']))
                + text[at:]
            )
    return text


# ------------------------------------------------------------------------------ command lines
GOOD_SCENARIO = str(ROOT / "scenarios" / "top-down-push.toml")
BAD_OPTIONS: dict[str, list[list[str]]] = {
    "run": [["--runs", "0"], ["--runs", "x"], ["--seed", "-1"], ["--years", "nan"],
            ["--years", "1e9"], ["--until", "9999-12-31"], ["--until", "someday"],
            ["--set", "runs"], ["--set", "model.params.nope=1"], ["--set", "runs=inf"],
            ["--out", ""], ["--out", "."], ["--out", "/"], ["--batch-size", "0"],
            ["--years", "1", "--until", "2016-01-01"], ["--no-such-option"]],
    "compare": [["--share", "nan"], ["--share", "0"], ["--share", "2"], ["--date", "x"],
                ["--runs", "-3"], ["--format", "xml"], ["--out", ".."]],
    "validate": [["--set", "calendar.end=9999-12-31"], ["--set", "events[99].date=2016-01-01"],
                 ["--set", "=1"], ["--set", "name=../../victim"]],
    "org": [["--spec", "nofile.toml"], ["--export", "g.exe"], ["--seed", "-2"],
            ["--roster", "r.csv", "--graph", "g.graphml"], ["--ties", "t.csv"]],
    "sweep": [["--param", "x"], ["--param", "model.params.leader_effect=0:1:0"],
              ["--scheduler", "foo"], ["--scheduler", "http://h:1"], ["--workers", "-1"],
              ["--design", "grid", "--points", "0"], ["--record-every", "99"]],
    "advise": [["--seats", "0"], ["--objective", "fame@2020"], ["--at", "never"],
               ["--scheduler", "tcp://:1"], ["--quota", "side:purple>=1"]],
    "calibrate": [["--method", "magic"], ["--params", "model.params.x=uniform(1,0)"],
                  ["--simulations", "0"]],
}  # fmt: skip
FILLER: list[list[str]] = [[], ["--runs", "1"], ["--seed", "3"], ["--set", "runs=1"]]


@st.composite
def bad_command_line(draw: st.DrawFn) -> list[str]:
    """A command with at least one bad option (and maybe harmless ones), in random order."""
    command = draw(st.sampled_from(sorted(BAD_OPTIONS)))
    bad = draw(st.sampled_from(BAD_OPTIONS[command]))
    more = draw(st.lists(st.sampled_from(BAD_OPTIONS[command] + FILLER), max_size=2))
    # click keeps the last of a repeated option: none may come after (and hide) the bad one
    named = set(bad[::2]) - {"--set", "--param", "--quota", "--params", "--date"}
    options = [*draw(st.permutations([o for o in more if not set(o[::2]) & named])), bad]
    args = [command]
    if command in ("run", "validate", "sweep", "advise"):
        args.append(GOOD_SCENARIO)
    elif command == "compare":
        args += [GOOD_SCENARIO, GOOD_SCENARIO]
    elif command == "calibrate":
        args += ["--params", "model.params.receptivity_hard=uniform(0.02, 1)"]
    flat = [part for option in options for part in option]
    if command == "sweep" and "--param" not in flat:
        flat += ["--param", "model.params.leader_effect=0:1:2"]
    if command in ("sweep", "advise", "calibrate") and "--out" not in flat:
        flat += ["--out", "o"]
    return args + flat
