"""Loading scenarios: extends, relative paths, alternatives, --set, the packaged baseline."""

from __future__ import annotations

import datetime as dt

import pytest

from diffusion.scenario.load import load_scenario, packaged, read_raw
from diffusion.scenario.overrides import parse_path, parse_value
from diffusion.scenario.problems import ScenarioError
from tests.scenario.conftest import SCENARIOS


def problems_of(path, overrides=()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value.lines


def test_a_small_scenario_loads(small, write):
    loaded = load_scenario(write(small))
    assert loaded.scenario.name == "small"
    assert [c.name for c in loaded.scenario.cohorts] == ["A", "B"]
    assert loaded.resolved()["calendar"]["end"] == "2016-12-31"


def test_name_defaults_to_the_file_stem(small, write):
    del small["name"]
    assert load_scenario(write(small, "my-what-if.toml")).scenario.name == "my-what-if"


def test_extends_merges_tables_and_replaces_arrays(small, write):
    write(small, "base.toml")
    child = {
        "extends": "base.toml",
        "runs": 7,
        "calendar": {"end": dt.date(2016, 6, 30)},
        "model": {"params": {"p_adopt_per_week": 0.02}},
        "events": [{"kind": "top_down_push", "date": dt.date(2015, 7, 1), "strength": 0.5}],
    }
    sc = load_scenario(write(child, "child.toml")).scenario
    assert sc.runs == 7 and sc.seed == 1
    assert sc.calendar.start == dt.date(2015, 1, 5) and sc.calendar.end == dt.date(2016, 6, 30)
    assert sc.model.params == {"p_adopt_per_week": 0.02}
    assert [e.kind for e in sc.events] == ["top_down_push"]  # replaced
    assert len(sc.cohorts) == 2  # inherited


def test_events_add_and_cohorts_add_append(small, write):
    write(small, "base.toml")
    child = {
        "extends": "base.toml",
        "events_add": [{"kind": "top_down_push", "date": dt.date(2016, 1, 4)}],
        "cohorts_add": [{"name": "C", "date": dt.date(2016, 3, 1), "seats": 1}],
    }
    sc = load_scenario(write(child, "child.toml")).scenario
    assert [e.kind for e in sc.events] == ["top_down_push", "taster_workshop", "top_down_push"]
    assert [c.name for c in sc.cohorts] == ["A", "B", "C"]


def test_an_error_is_reported_against_the_file_that_set_the_value(small, write, tmp_path):
    small["cohorts"][1]["seats"] = -1
    write(small, "base.toml")
    child = {"extends": "base.toml", "events_add": [{"kind": "buddy", "date": dt.date(2016, 1, 4)}]}
    lines = problems_of(write(child, "child.toml"))
    assert sorted(lines) == [
        f"{tmp_path}/base.toml: cohorts[1].seats: Input should be greater than or equal to 0 "
        "(got -1)",
        f"{tmp_path}/child.toml: events_add[0].kind: unknown event kind; did you mean 'buddies'? "
        "(got 'buddy')",
    ]


def test_alternatives_replace_each_other(small, write):
    write(small, "base.toml")
    child = {"extends": "base.toml", "calendar": {"years": 1.5}}
    sc = load_scenario(write(child, "child.toml")).scenario
    assert sc.calendar.end is None and sc.calendar.years == 1.5


def test_paths_are_relative_to_the_file_that_names_them(small, write, tmp_path):
    (tmp_path / "org").mkdir()
    spec = (
        'name = "Tiny"\n[[departments]]\nname = "A"\nside = "soft"\n'
        'teams = [{ name = "T1", size = 6, clusters = 2 },\n'
        '         { name = "T2", size = 6, clusters = 2 }]\n'
    )
    (tmp_path / "org" / "tiny.toml").write_text(spec)
    small["organisation"] = {"spec": "tiny.toml"}
    small["events"] = []
    base = write(small, "org/base.toml")
    raw = read_raw(base)
    assert raw.data["organisation"]["spec"] == str(tmp_path / "org" / "tiny.toml")
    (tmp_path / "what-ifs").mkdir()
    child = write({"extends": "../org/base.toml", "runs": 2}, "what-ifs/child.toml")
    assert load_scenario(child).scenario.organisation.spec == str(tmp_path / "org" / "tiny.toml")


def test_cyclic_and_missing_extends(write, tmp_path):
    write({"extends": "b.toml", "runs": 1}, "a.toml")
    write({"extends": "a.toml"}, "b.toml")
    (line,) = problems_of(write({"extends": "a.toml"}, "c.toml"))
    assert line.startswith(
        f"{tmp_path}/b.toml: extends: cyclic extends: a.toml -> b.toml -> a.toml"
    )
    (line,) = problems_of(write({"extends": "nope.toml"}, "d.toml"))
    assert line.startswith(f"{tmp_path}/d.toml: extends: no such file")


def test_missing_file_and_bad_toml(tmp_path, write):
    (line,) = problems_of(tmp_path / "absent.toml")
    assert line == f"{tmp_path / 'absent.toml'}: no such file"
    (line,) = problems_of(write("runs = = 3\n"))
    assert ": not valid TOML: " in line


def test_overrides_set_values_and_are_validated(small, write):
    path = write(small)
    sc = load_scenario(path, ["runs=9", "events[0].strength=0.25", "calendar.years=1"]).scenario
    assert sc.runs == 9 and sc.events[0].strength == 0.25
    assert sc.calendar.years == 1 and sc.calendar.end is None  # years replaced end
    lines = problems_of(
        path, ["runs=0", "cohorts[0].seats=-1", "nokey", "events[9].date=2015-01-05"]
    )
    assert "--set: runs: Input should be greater than or equal to 1 (got 0)" in lines
    assert any(line.startswith("--set: cohorts[0].seats: ") for line in lines)
    assert any(line.startswith("--set: write --set path=value") for line in lines)
    assert any(line.startswith("--set: events[9]: no such item") for line in lines)


def test_override_paths_and_values_parse():
    assert parse_path("events[2].support") == ("events", 2, "support")
    assert parse_path("a..b") is None and parse_path("[1]") is None
    assert parse_value("2030-12-31") == dt.date(2030, 12, 31)
    assert parse_value("[1, 2]") == [1, 2] and parse_value("ideas") == "ideas"


def test_the_packaged_baseline_is_the_shipped_file():
    shipped = SCENARIOS / "etten-leur-baseline.toml"
    assert packaged("etten-leur-baseline").read_bytes() == shipped.read_bytes()


def test_the_baseline_function_loads_the_packaged_scenario():
    from diffusion.baseline import etten_leur_baseline

    study = etten_leur_baseline(until=dt.date(2017, 1, 1))
    assert study.name == "etten-leur-baseline"
    assert study.calendar.end == dt.date(2017, 1, 1)
    # LC1, LC3, LC5 and Paul's project of autumn 2016; later events are left out
    assert [getattr(e, "name", type(e).__name__) for e in study.events] == [
        "LC1",
        "LC3",
        "LC5",
        "AddTies",
    ]
    with pytest.raises(ValueError, match="not both"):
        etten_leur_baseline(until=dt.date(2017, 1, 1), years=2)
