"""Issue 10 §2: inputs that used to end in a traceback (or be taken silently) are refused
with exit status 2, one line per problem naming the file, the place and the fix, and
nothing written. Each goes through the real command line; some through the installed
``diffusion`` executable."""

from __future__ import annotations

import pytest

from tests.safety.common import (
    ROSTER,
    SCENARIO,
    assert_refused,
    execute,
    invoke,
    listing,
    scenario_on,
)


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """Work in an empty folder; the test checks that a refusal leaves it as it was."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(folder, *args, problems=1, says=""):
    """Invoke ``diffusion ARGS`` in ``folder``: refused, and nothing written there."""
    before = listing(folder)
    lines = assert_refused(invoke(*args), problems, says=says)
    assert listing(folder) == before
    return lines


# ------------------------------------------------------------------------------ scenarios
def test_a_500_file_extends_chain_is_read_and_a_cycle_in_it_is_one_line(cwd):
    (cwd / "s499.toml").write_text(SCENARIO)
    for i in range(499):
        (cwd / f"s{i}.toml").write_text(f'extends = "s{i + 1}.toml"\nruns = {i + 1}\n')
    result = invoke("validate", "s0.toml")
    assert result.exit_code == 0, result.stderr
    (cwd / "s499.toml").write_text('extends = "s0.toml"\n' + SCENARIO)
    [line] = refused(cwd, "validate", "s0.toml", says="s499.toml: extends: cyclic extends: s0")
    assert "files ..." in line and len(line) < 200  # the loop is shortened, not 500 names


@pytest.mark.parametrize("how", ["file", "--until", "--set"])
def test_a_calendar_that_ends_in_9999_is_refused_by_validate_and_run(cwd, how):
    text = SCENARIO.replace("2016-01-04", "9999-12-31") if how == "file" else SCENARIO
    (cwd / "s.toml").write_text(text)
    extra = {"file": [], "--until": ["--until", "9999-12-31"], "--set": []}[how]
    if how == "--set":
        extra = ["--set", "calendar.end=9999-12-31"]
    says = "calendar.end: a calendar spans at most 50 years"
    if how != "--until":
        refused(cwd, "validate", "s.toml", *extra, says=says)
    refused(cwd, "run", "s.toml", *extra, "--out", "o", says=says)


def test_problems_are_reported_where_they_sit_in_the_file(cwd):
    (cwd / "base.toml").write_text(
        SCENARIO + '[[events]]\nkind = "top_down_push"\ndate = 2015-06-01\n'
    )
    (cwd / "child.toml").write_text(
        'extends = "base.toml"\n'
        '[[events_add]]\nkind = "top_down_push"\ndate = 2015-07-01\n'
        '[[events_add]]\nkind = "buddies"\ndate = 2015-08-01\n'
        '[[events_add]]\nkind = "top_down_push"\ndate = 2031-01-01\n'
    )
    refused(cwd, "validate", "child.toml", says="child.toml: events_add[2].date: outside")


@pytest.mark.parametrize(
    "setting, place",
    [
        ("model.params.buddy_weight=inf", "model.params.buddy_weight"),
        ("model.params.adopt_threshold=nan", "model.params.adopt_threshold"),
        ("events=[{kind='top_down_push', date=2015-06-01, strength=nan}]", "events[0].strength"),
        ("outputs.reach_shares=[0.1, nan]", "outputs.reach_shares[1]"),
        ("cohorts=[{name='A', date=2015-03-01, seats=1000000000000}]", "cohorts[0].seats"),
        ("cadence={start=2015-03-01, seats=99999999}", "cadence.seats"),
    ],
)
def test_infinite_nan_and_absurd_values_are_refused(cwd, setting, place):
    (cwd / "s.toml").write_text(SCENARIO)
    refused(cwd, "validate", "s.toml", "--set", setting, says=f"--set: {place}: ")


def test_an_organisation_spec_with_an_infinite_value_is_refused(cwd):
    (cwd / "org.toml").write_text(
        '[[departments]]\nname = "D"\nside = "soft"\nteams = [{name = "T"}]\n[workload]\na = inf\n'
    )
    refused(cwd, "org", "--spec", "org.toml", says="org.toml: workload.a: ")


# ------------------------------------------------------------------------------ rosters
def test_a_roster_that_is_not_utf8_is_one_line(cwd):
    (cwd / "r.csv").write_bytes(ROSTER.replace("e4", "\xe94").encode("latin-1"))
    refused(cwd, "org", "--roster", "r.csv", says="r.csv: line 8: not UTF-8 text")
    (cwd / "s.toml").write_text(scenario_on('roster = "r.csv"'))
    refused(cwd, "validate", "s.toml", says="not UTF-8 text")


def test_a_header_only_roster_fails_validate_not_run(cwd):
    (cwd / "r.csv").write_text(ROSTER.splitlines()[0] + "\n")
    (cwd / "s.toml").write_text(scenario_on('roster = "r.csv"'))
    refused(cwd, "validate", "s.toml", says="r.csv: line 2: no people")
    refused(cwd, "run", "s.toml", "--out", "o", says="no people")


@pytest.mark.parametrize(
    "row, says",
    [
        ("e1,e2,project,-0.5", "weight must be a number from 0 to 1e+06 (got -0.5)"),
        ("e1,e2,project,1e39", "weight must be a number from 0 to 1e+06 (got 1e+39)"),
        ("e1,e2,project,inf", "weight must be a number from 0 to 1e+06 (got 'inf')"),
        ("e1,e1,project,0.5", "a tie from 'e1' to itself"),
    ],
)
def test_bad_tie_weights_and_self_ties_in_a_ties_file(cwd, row, says):
    (cwd / "r.csv").write_text(ROSTER)
    (cwd / "t.csv").write_text(f"source,target,kind,weight\n{row}\n")
    refused(cwd, "org", "--roster", "r.csv", "--ties", "t.csv", says=f"t.csv: line 2: {says}")


def test_control_characters_and_long_values_are_not_echoed(cwd):
    evil = "\x1b]0;owned\x07\x1b[2J" + "x" * 5000
    (cwd / "r.csv").write_text(ROSTER + f"{evil},D,T1,wizard,tl,c1,hard\n")
    # refused for the control characters in its id (before its unknown role), echoed escaped
    [line] = refused(cwd, "org", "--roster", "r.csv", says="r.csv: line 9: id ")
    assert "holds a control character" in line
    assert "\x1b" not in line and len(line) < 200


# ------------------------------------------------------------------------------ graph files
GRAPHML = """<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="edge" attr.name="kind" attr.type="string" />
  <key id="w" for="edge" attr.name="weight" attr.type="double" />
  <key id="m" for="edge" attr.name="manager" attr.type="string" />
  <key id="r" for="node" attr.name="role" attr.type="string" />
  <graph edgedefault="undirected">
    <node id="a"><data key="r">secretary</data></node>
    <node id="b"><data key="r">head</data></node>
    <node id="c"><data key="r">employee</data></node>
    {}
  </graph>
</graphml>
"""
LINE = '<edge source="{}" target="c"><data key="k">line</data><data key="m">{}</data></edge>'


@pytest.mark.parametrize(
    "body, says",
    [
        (LINE.format("a", "a") + LINE.format("b", "b"), "node c: two managers (a and b)"),
        ('<edge source="a" target="b"><data key="w">-1</data></edge>', "tie a-b: weight must"),
        ('<edge source="a" target="b"><data key="w">1e39</data></edge>', "tie a-b: weight must"),
        ('<edge source="b" target="b" />', "line 11: a tie from 'b' to itself"),
        ('<node><data key="r">employee</data></node>', "line 11: a <node> without an id"),
        ('<node id="a" />', "line 11: a second node 'a' (first on line 8)"),
        ('<edge source="a" />', "line 11: an <edge> without a source or target"),
    ],
)
def test_bad_graphml_in_org_and_in_a_scenario(cwd, body, says):
    (cwd / "g.graphml").write_text(GRAPHML.format(body))
    refused(cwd, "org", "--graph", "g.graphml", says=f"g.graphml: {says}")
    (cwd / "s.toml").write_text(scenario_on('graph = "g.graphml"'))
    refused(cwd, "validate", "s.toml", says=says)


def test_kilobytes_of_expanded_xml_are_not_echoed(cwd):
    entity = "<!DOCTYPE graphml [<!ENTITY x '" + "y" * 4000 + "'>]>\n"
    text = GRAPHML.format("").replace("<graphml", entity + "<graphml", 1)
    text = text.replace('<data key="r">head</data>', '<data key="r">&x;&x;&x;</data>')
    (cwd / "g.graphml").write_text(text)
    [line] = refused(cwd, "org", "--graph", "g.graphml", says="g.graphml: node b: unknown role")
    assert len(line) < 300


# ------------------------------------------------------------------------------ command line
@pytest.mark.parametrize(
    "address", ["foo", "tcp://", "http://host:8786", "tcp://host:99999", "tcp://[::1", ":8786"]
)
def test_a_malformed_scheduler_address_is_refused_before_anything_is_created(cwd, address):
    (cwd / "s.toml").write_text(SCENARIO)
    args = ["sweep", "s.toml", "--param", "model.params.leader_effect=0:1:2", "--runs", "2"]
    refused(cwd, *args, "--scheduler", address, "--out", "store", says="--scheduler")


def test_compare_share_nan_is_refused(cwd):
    (cwd / "s.toml").write_text(SCENARIO)
    refused(cwd, "compare", "s.toml", "s.toml", "--share", "nan", says="'nan' is not a number")


def test_a_store_made_by_something_else_is_not_a_sweep_store(cwd):
    fake = cwd / "store"
    fake.mkdir()
    from diffusion.sweeps.store import STORE_FORMAT, STORE_MARK

    # the mark of this layout, but none of a sweep's arrays
    (fake / ".zattrs").write_text(f'{{"{STORE_MARK}": {STORE_FORMAT}}}')
    (fake / ".zgroup").write_text('{"zarr_format": 2}')
    refused(cwd, "sweep-plot", "store", "--out", "p.png", says="store: not a sweep store")


@pytest.mark.parametrize(
    "out, says",
    [
        ("afile/o", "lies under a file"),
        ("afile", "exists and is not a folder"),
        ("/sys/diffusion-test/o", "cannot write in /sys"),
        ("o" * 300, "a folder name in it is too long"),
        ("/", "is the filesystem root"),
        (".", "is the current folder"),
        ("..", "is the current folder or a folder above it"),
    ],
)
def test_an_output_folder_that_cannot_be_written_is_refused_before_simulating(cwd, out, says):
    (cwd / "afile").write_text("mine")
    (cwd / "s.toml").write_text(SCENARIO.replace("runs = 2", "runs = 100000"))
    refused(cwd, "run", "s.toml", "--out", out, says=says)


def test_usage_errors_are_one_line_too(cwd):
    refused(cwd, "run", "--runs", "many", says="error: Invalid value for '--runs'")
    refused(cwd, "nosuch", says="error: No such command 'nosuch'")


# ------------------------------------------------------------------------------ executable
@pytest.mark.parametrize(
    "args, says",
    [
        (["validate", "bad.toml"], "bad.toml: calendar.end: a calendar spans at most 50 years"),
        (["run", "good.toml", "--out", "."], "is the current folder"),
        (["org", "--roster", "empty.csv"], "empty.csv: line 2: no people"),
        (["compare", "bad.toml", "bad.toml", "--share", "nan"], "'nan' is not a number"),
        (["sweep", "bad.toml", "--param", "runs=1:2:2", "--scheduler", "x", "--out", "st"], ""),
    ],
)
def test_through_the_installed_executable(tmp_path, args, says):
    (tmp_path / "bad.toml").write_text(SCENARIO.replace("2016-01-04", "9999-12-31"))
    (tmp_path / "good.toml").write_text(SCENARIO)
    (tmp_path / "empty.csv").write_text(ROSTER.splitlines()[0] + "\n")
    before = listing(tmp_path)
    assert_refused(execute(*args, cwd=tmp_path), says=says)
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_pipe_given_as_the_scenario_is_refused_not_waited_on(cwd, command):
    # reading a named pipe blocks until something writes to it: the command hung
    import os

    os.mkfifo(cwd / "s.toml")
    says = "s.toml: not a regular file (a folder, a pipe or a device); give a .toml file"
    refused(cwd, command, "s.toml", says=says)


VARY = "model.params.receptivity_hard=0.5:5"


@pytest.mark.parametrize(
    "args, says",
    [
        (["run", "late.toml", "--until", "2026-06-01"], "--until: calendar.end: "),
        (
            ["fit-report", "late.toml", "--runs", "20", "--out", "o"],
            "the fit ends at Table 1's date: ",
        ),
        (
            ["compare", "late.toml", "late.toml", "--runs=2", "--draws=2", "--vary=" + VARY],
            f"--vary {VARY}: model.params.receptivity_hard: ",
        ),
    ],
)
def test_a_value_set_for_the_user_is_said_to_come_from_what_set_it(cwd, args, says):
    # an option, a rule of the command or a draw sets a scenario value: its problem was
    # blamed on --set, which the user never gave
    (cwd / "late.toml").write_text(
        SCENARIO.replace("2015-01-05", "2027-01-04").replace("2016-01-04", "2028-01-03")
    )
    [line] = refused(cwd, *args, says=says)
    assert line.startswith(f"error: {says}"), line
    assert "--set" not in line


def test_a_vary_range_is_refused_at_each_end_outside_the_parameters_values(cwd):
    # both ends, each on its line naming the range, before any draw is made or simulated
    vary = "model.params.p_adopt_per_week=-0.5:1.8"
    args = ["compare", "s.toml", "s.toml", "--runs=2", "--draws=2", f"--vary={vary}"]
    (cwd / "s.toml").write_text(SCENARIO)
    lines = refused(cwd, *args, problems=2, says=f"--vary {vary}: model.params.p_adopt_per_week: ")
    assert [line.rsplit("got ", 1)[1] for line in lines] == ["-0.5", "1.8"]


def test_an_override_made_for_the_user_keeps_its_origin_when_pickled():
    # scenarios go to Dask workers pickled, their overrides with them
    import pickle

    from diffusion.scenario.overrides import Override, origin_of

    until = pickle.loads(pickle.dumps(Override("calendar.end=2020-12-31", "--until")))
    assert (until, origin_of(until), origin_of("runs=2")) == (
        "calendar.end=2020-12-31",
        "--until",
        "--set",
    )


def test_every_problem_of_a_posterior_file_is_named_by_its_line(cwd):
    (cwd / "s.toml").write_text(SCENARIO)
    (cwd / "p.csv").write_text("p_adopt_per_week,weight\n0.1,1\n0.2\nabc,1\n0.3,-1\nnan,1\n")
    args = ["compare", "s.toml", "s.toml", "--runs", "2", "--draws", "2", "--posterior", "p.csv"]
    lines = refused(cwd, *args, problems=4)
    assert lines == [
        "error: p.csv: line 3: not 2 values as in the header; give the posterior.csv that "
        "diffusion calibrate writes",
        "error: p.csv: line 4: p_adopt_per_week: not a finite number (got 'abc')",
        "error: p.csv: line 5: weight: not a number >= 0 (got '-1')",
        "error: p.csv: line 6: p_adopt_per_week: not a finite number (got 'nan')",
    ]
    (cwd / "p.csv").write_text("p_adopt_per_week,weight\n0.1,0\n0.2,0\n")
    refused(cwd, *args, says="p.csv: weight: every weight is 0")
    (cwd / "p.csv").unlink()
    refused(cwd, *args, says="p.csv: no such file; give the posterior.csv")


@pytest.mark.parametrize("command", ["fit-report", "calibrate"])
def test_the_fit_shows_a_scenario_file_its_own_problems(cwd, command):
    # the fit's calendar.end replaced the bad calendar.years, so the file was taken
    (cwd / "s.toml").write_text(
        'extends = "builtin:etten-leur-baseline"\n[calendar]\nstart = 2015-01-05\nyears = nan\n'
    )
    extra = ["--runs", "20"] if command == "fit-report" else ["--params", PRIOR]
    refused(
        cwd,
        command,
        "s.toml",
        *extra,
        "--out",
        "o",
        says="s.toml: calendar.years: Input should be a finite number (got nan)",
    )


PRIOR = "model.params.p_adopt_per_week=uniform(0, 0.1)"


@pytest.mark.parametrize(
    "posterior, says",
    [
        ("nope\n0.1\n0.2\n", "model.params.nope: model 'ideas' has no such parameter"),
        ("p_adopt_per_week\n5\n5\n", "model.params.p_adopt_per_week: p_adopt_per_week must be"),
    ],
)
def test_draws_the_scenario_refuses_are_refused_before_anything_is_simulated(
    cwd, monkeypatch, posterior, says
):
    import diffusion.api

    def simulate_values(*args, **kwargs):
        raise AssertionError("simulated before the draws were checked")

    monkeypatch.setattr(diffusion.api, "simulate_values", simulate_values)
    (cwd / "s.toml").write_text(SCENARIO)
    (cwd / "p.csv").write_text(posterior)
    args = ["compare", "s.toml", "s.toml", "--runs", "2", "--draws", "2", "--posterior", "p.csv"]
    refused(cwd, *args, says=f"--draws: draw 1 of the posterior: {says}")
