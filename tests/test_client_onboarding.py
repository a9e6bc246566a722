"""A client's own organisation (issue 13, §4): the documented roster format, its shipped
example, ``org --template``, ``params`` and ``events`` read from the validating code,
``extends = "builtin:..."`` and skipping a cadence cohort by date."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math

import pytest
from click.testing import CliRunner

from diffusion.cli import main
from diffusion.models.ideas_params import IdeasParams
from diffusion.org.roster import read_roster
from diffusion.org.template import template_csv
from diffusion.scenario.load import load_scenario
from diffusion.scenario.schema import EVENT_KINDS
from tests.scenario.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------------------ roster
def test_the_shipped_example_is_the_template():
    assert (EXAMPLES / "roster.csv").read_text(encoding="utf-8") == template_csv()


def test_the_example_roster_reads_as_documented():
    G = read_roster(EXAMPLES / "roster.csv")
    people = dict(G.nodes(data=True))
    assert len(people) == 40
    roles = [d["role"] for d in people.values()]
    assert roles.count("secretary") == 1 and roles.count("head") == 2
    assert roles.count("team_leader") == 4 and roles.count("policy_officer") == 4
    assert {d["department"] for d in people.values()} == {"", "Social", "Physical"}
    sides = {d["department"]: d["side"] for d in people.values() if d["department"]}
    assert sides == {"Social": "soft", "Physical": "hard"}
    # derived ties as docs/roster.md says: the 39 line ties to managers, and both clusters
    # of a team tied inside (intake: 4 people = 6 cluster ties)
    kinds = [d["kind"] for *_, d in G.edges(data=True)]
    assert kinds.count("line") == 39
    intake = [n for n, d in people.items() if d["cluster"] == "intake"]
    assert sum(G.edges[u, v]["kind"] == "cluster" for u in intake for v in intake if u < v) == 6


def test_every_column_of_the_docs_is_in_the_example():
    doc = (ROOT / "docs" / "roster.md").read_text(encoding="utf-8")
    with open(EXAMPLES / "roster.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    for column in header:
        assert f"| `{column}` |" in doc, column


def test_the_example_scenario_validates_and_runs(tmp_path):
    scenario = EXAMPLES / "client.toml"
    result = _invoke("validate", str(scenario))
    assert result.exit_code == 0, result.output
    out = tmp_path / "client"
    result = _invoke("run", str(scenario), "--runs", "4", "--out", str(out))
    assert result.exit_code == 0, result.output
    with open(out / "summary.csv") as fh:
        groups = {row["group"] for row in csv.DictReader(fh)}
    assert {"Social", "Physical", "all"} <= groups


def test_org_template_writes_a_new_file_and_never_replaces_one(tmp_path):
    target = tmp_path / "roster.csv"
    result = _invoke("org", "--template", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == template_csv()
    target.write_text("my own roster")
    result = _invoke("org", "--template", str(target))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "exists" in result.stderr
    assert target.read_text() == "my own roster"


# ------------------------------------------------------------------------------ params
def test_params_lists_every_parameter_with_the_range_validation_applies():
    result = _invoke("params", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert list(rows) == [f.name for f in dataclasses.fields(IdeasParams)]
    for f in dataclasses.fields(IdeasParams):
        high = f.metadata["range"][1]
        if not math.isfinite(high):
            continue
        above = high + 1
        with pytest.raises(ValueError) as err:
            IdeasParams(**{f.name: type(f.default)(above)})
        assert rows[f.name]["range"] in str(err.value)  # the listed range is the enforced one


def test_params_of_a_standard_model_and_an_unknown_one():
    result = _invoke("params", "--model", "sir", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [r["name"] for r in rows] == [
        "beta",
        "initial_infected",
        "seed_nodes",
        "tie_kinds",
        "gamma",
    ]
    assert rows[0]["default"] == "0.1" and "infects" in rows[0]["meaning"]
    result = _invoke("params", "--model", "sri")
    assert result.exit_code == 2 and "valid:" in result.stderr


# ------------------------------------------------------------------------------ events
def test_events_lists_every_kind_and_the_bounds_validation_applies(tmp_path):
    result = _invoke("events", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [k for k in dict.fromkeys(r["kind"] for r in rows)] == list(EVENT_KINDS)
    factor = next(r for r in rows if r["kind"] == "landscape_shock" and r["field"] == "factor")
    assert factor["bounds"] == "[0, 10]" and factor["required"] is True
    path = tmp_path / "shock.toml"
    path.write_text(
        'extends = "builtin:etten-leur-baseline"\n[[events_add]]\nkind = "landscape_shock"\n'
        'date = 2019-06-03\nside = "hard"\nfactor = 10.5\n'
    )
    result = _invoke("validate", str(path))
    assert result.exit_code == 2 and "factor" in result.output and "10.5" in result.output


# ------------------------------------------------------------------------------ scenarios
def test_extends_a_builtin_scenario_from_anywhere(tmp_path):
    child = tmp_path / "brief.toml"
    child.write_text('extends = "builtin:etten-leur-baseline"\nname = "brief"\nruns = 7\n')
    sc = load_scenario(child).scenario
    assert sc.name == "brief" and sc.runs == 7 and sc.organisation.builtin == "etten-leur"
    child.write_text('extends = "builtin:etten-leur"\n')
    result = _invoke("validate", str(child))
    assert result.exit_code == 2
    assert "no built-in scenario 'etten-leur'; valid: builtin:etten-leur-baseline" in result.output


def test_a_cadence_cohort_is_skipped_by_date(tmp_path):
    child = tmp_path / "skip.toml"
    base = 'extends = "builtin:etten-leur-baseline"\n[cadence]\nskip = [{}]\n'
    child.write_text(base.format("2019-04-16"))
    sc = load_scenario(child).scenario
    all_dates = sc.cadence.all_dates(sc.calendar.end)
    kept = sc.cadence.dates(sc.calendar.end)
    assert sorted(set(all_dates) - set(kept)) == [dt.date(2019, 4, 16)]
    assert len(kept) == len(all_dates) - 1
    child.write_text(base.format("2019-04-15"))
    result = _invoke("validate", str(child))
    assert result.exit_code == 2
    assert (
        "cadence.skip[0]: no cadence cohort on this date; the nearest cadence date is 2019-04-16"
        in result.output
    )
