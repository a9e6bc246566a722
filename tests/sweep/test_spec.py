"""``--param PATH=SPEC``: the three forms, the types of swept values, and one line per error."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from diffusion.scenario.overrides import parse_value
from diffusion.scenario.problems import ScenarioError
from diffusion.sweeps.spec import parse_param, parse_params, toml_value, typed_like


def test_linear_range_includes_both_ends():
    spec = parse_param("model.params.leader_effect=0:0.8:5")
    assert spec.path == "model.params.leader_effect" and spec.kind == "linear"
    np.testing.assert_allclose(spec.grid_values(), [0.0, 0.2, 0.4, 0.6, 0.8])


def test_log_range_is_even_on_a_log_scale():
    values = parse_param("model.params.p_adopt_per_week=log:0.001:0.1:3").grid_values()
    np.testing.assert_allclose(values, [0.001, 0.01, 0.1])


def test_list_takes_toml_values():
    spec = parse_param("events[1].support=[0.2, 0.5, 1]")
    assert spec.path == "events[1].support" and spec.grid_values() == (0.2, 0.5, 1)
    dates = parse_param("calendar.end=[2016-01-04, 2017-01-02]").grid_values()
    assert dates == (dt.date(2016, 1, 4), dt.date(2017, 1, 2))


def test_integer_ends_give_integers_and_a_float_target_gives_floats():
    spec = parse_param("model.params.course_weeks=10:30:3")
    assert spec.grid_values() == (10, 20, 30)
    assert all(type(v) is int for v in spec.grid_values())
    resolved = {"model": {"name": "ideas", "params": {}}}
    (typed,) = typed_like([parse_param("model.params.adopt_threshold=1:3:3")], resolved)
    assert typed.grid_values() == (1.0, 2.0, 3.0)
    assert all(type(v) is float for v in typed.grid_values())


def test_an_integer_parameter_refuses_values_that_are_not_whole():
    resolved = {"model": {"name": "ideas", "params": {}}}
    (typed,) = typed_like([parse_param("model.params.course_weeks=10:20:4")], resolved)
    assert typed.integer
    with pytest.raises(ScenarioError, match="takes integers"):
        typed.grid_values()
    # sampled values are rounded
    assert typed.from_unit(np.array([0.0, 0.26, 0.99])).tolist() == [10, 13, 20]


def test_from_unit_maps_onto_the_range_on_its_scale():
    lin = parse_param("x.y=2:4")
    np.testing.assert_allclose(lin.from_unit(np.array([0.0, 0.5])), [2.0, 3.0])
    log = parse_param("x.y=log:1:100")
    np.testing.assert_allclose(log.from_unit(np.array([0.0, 0.5, 1.0])), [1.0, 10.0, 100.0])


def test_a_range_without_a_count_is_no_grid():
    with pytest.raises(ScenarioError, match="a:b:n"):
        parse_param("x.y=0:1").grid_values()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model.params.x", "write --param path=SPEC"),
        ("=0:1:3", "write --param path=SPEC"),
        ("a..b=0:1:3", "write --param path=SPEC"),
        ("x.y=0:1:2:3", "write a range"),
        ("x.y=zero:1:3", "the start 'zero' is not a number"),
        ("x.y=0:one:3", "the end 'one' is not a number"),
        ("x.y=0:1:0", "must be a whole number >= 1"),
        ("x.y=0:1:2.5", "must be a whole number >= 1"),
        ("x.y=log:0:1:3", "a log range needs a > 0"),
        ("x.y=0:inf:3", "must be finite"),
        ("x.y=[]", "a list is written"),
        ("x.y=[1, 2", "a list is written"),
        ("x.y=1:1:3", "the range is empty"),
    ],
)
def test_bad_specs_say_what_is_wrong_in_one_line(text, message):
    with pytest.raises(ScenarioError) as info:
        parse_param(text)
    assert len(info.value.lines) == 1
    line = info.value.lines[0]
    assert line.startswith("--param: ") and message in line and repr(text) in line


def test_every_bad_spec_is_reported_at_once():
    with pytest.raises(ScenarioError) as info:
        parse_params(["a.b=0:1:3", "bad", "c.d=x:1:2", "a.b=[1, 2]"])
    lines = info.value.lines
    assert len(lines) == 3
    assert "swept twice" in lines[2] and lines[2].startswith("--param: a.b: ")


def test_no_param_at_all_is_an_error():
    with pytest.raises(ScenarioError, match="at least one --param"):
        parse_params([])


@pytest.mark.parametrize(
    "value", [0.1, 1e-7, 3, -2, True, "T8", 'say "hi"', dt.date(2018, 7, 1), [1, "a"], {"O": 2}]
)
def test_values_are_written_back_as_toml_that_reads_the_same(value):
    assert parse_value(toml_value(value)) == value
