"""Output folders never take what the user owns (issue 10, data loss).

A scenario name must be one safe path component; an existing output folder is replaced only
when diffusion wrote it (its manifest lists every file in it) or ``--overwrite`` is given;
the current folder, the ones above it and the root are never replaced. Every refusal is one
line on stderr with exit 2, before anything is simulated or created.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffusion.cli import main
from diffusion.outputs import (
    OutputError,
    check_output_folder,
    name_problem,
    output_folder,
    write_manifest,
)
from tests.scenario.conftest import SCENARIOS

BASE = str(SCENARIOS / "etten-leur-baseline.toml")
#: a run small enough to take well under a second
QUICK = ("--runs", "2", "--set", "calendar.years=0.1")


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def _victim(root: Path) -> Path:
    victim = root / "victim"
    victim.mkdir()
    (victim / "thesis.docx").write_text("years of work")
    return victim


def _hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# ------------------------------------------------------------------------------ names
@pytest.mark.parametrize(
    "name",
    ["../../victim", "/an/absolute/folder", ".", "..", "a/b", "a\\b", ".hidden", "tab\there", " "],
)
def test_unsafe_names_are_refused(name):
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ["baseline", "new-secretary 2027", "v1.2_final", "Één"])
def test_ordinary_names_are_accepted(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("how", ["file", "set"])
@pytest.mark.parametrize("kind", ["absolute", "relative", "dot"])
def test_a_scenario_name_cannot_reach_outside_out(cwd, tmp_path, how, kind):
    victim = _victim(tmp_path)
    name = {"absolute": str(victim), "relative": "../victim", "dot": "."}[kind]
    (cwd / "out").mkdir()
    (cwd / "out" / "other-run.txt").write_text("another run's notes")
    scenario = cwd / "s.toml"
    if how == "file":
        scenario.write_text(f"extends = {json.dumps(BASE)}\nname = {json.dumps(name)}\n")
        result = _invoke("run", str(scenario), *QUICK)
    else:
        scenario.write_text(f"extends = {json.dumps(BASE)}\n")
        result = _invoke("run", str(scenario), *QUICK, "--set", f"name={json.dumps(name)}")
    line = _one_error_line(result)
    assert "name" in line and "folder name" in line
    assert (victim / "thesis.docx").read_text() == "years of work"
    assert (cwd / "out" / "other-run.txt").exists()
    assert _hidden(cwd / "out") == [] and _hidden(tmp_path) == []


# ------------------------------------------------------------------------------ --out
@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_existing_folder_diffusion_did_not_write_is_refused(cwd, tmp_path, command):
    victim = _victim(tmp_path)
    args = ["run", BASE] if command == "run" else ["compare", BASE, BASE]
    line = _one_error_line(_invoke(*args, *QUICK, "--out", str(victim)))
    assert "not written by diffusion" in line and "--overwrite" in line
    assert sorted(p.name for p in victim.iterdir()) == ["thesis.docx"]
    assert _hidden(tmp_path) == []


def test_overwrite_replaces_a_foreign_folder(cwd, tmp_path):
    victim = _victim(tmp_path)
    result = _invoke("run", BASE, *QUICK, "--out", str(victim), "--overwrite")
    assert result.exit_code == 0, result.output
    assert not (victim / "thesis.docx").exists()
    assert (victim / "series.csv").exists()
    assert _hidden(tmp_path) == []


def test_a_folder_diffusion_wrote_is_replaced_until_the_user_adds_a_file(cwd):
    out = cwd / "res"
    assert _invoke("run", BASE, *QUICK, "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["written_by"] == "diffusion"
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir())
    (out / "series.csv").write_text("stale")
    assert _invoke("run", BASE, *QUICK, "--out", str(out)).exit_code == 0
    assert (out / "series.csv").read_text() != "stale"  # replaced by the new run

    (out / "my-notes.txt").write_text("mine")
    line = _one_error_line(_invoke("run", BASE, *QUICK, "--out", str(out)))
    assert "my-notes.txt" in line
    assert (out / "my-notes.txt").read_text() == "mine"


@pytest.mark.parametrize("out", [".", "..", "/", ""])
def test_the_current_folder_its_parents_and_the_root_are_never_replaced(cwd, out):
    (cwd / "keep.txt").write_text("keep")
    before = sorted(p.name for p in cwd.parent.iterdir())
    for extra in ([], ["--overwrite"]):
        line = _one_error_line(_invoke("run", BASE, *QUICK, "--out", out, *extra))
        assert "give a" in line  # says how to proceed
    assert (cwd / "keep.txt").read_text() == "keep"
    assert _hidden(cwd) == [] and sorted(p.name for p in cwd.parent.iterdir()) == before


def test_an_out_that_is_a_file_is_refused(cwd):
    (cwd / "results").write_text("a file")
    line = _one_error_line(_invoke("run", BASE, *QUICK, "--out", "results"))
    assert "not a folder" in line
    assert (cwd / "results").read_text() == "a file"


def test_the_folder_is_checked_before_simulating(cwd, tmp_path, monkeypatch):
    from diffusion.study import Study

    def fail(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(Study, "simulate", fail)
    victim = _victim(tmp_path)
    for args in (["run", BASE], ["compare", BASE, BASE]):
        _one_error_line(_invoke(*args, *QUICK, "--out", str(victim)))


# ------------------------------------------------------------------------------ library
def test_output_folder_leaves_nothing_behind_when_the_work_fails(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), output_folder(target) as tmp:
        (tmp / "half.csv").write_text("half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_output_folder_refuses_a_folder_filled_while_working(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(OutputError), output_folder(target) as tmp:
        (tmp / "a.csv").write_text("a")
        write_manifest(tmp, {}, 1, 1, command="test")
        target.mkdir()
        (target / "user.txt").write_text("the user was faster")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (target / "user.txt").read_text() == "the user was faster"


def test_a_manifest_without_the_mark_does_not_count(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"files": ["manifest.json"]}))
    with pytest.raises(OutputError, match="not written by diffusion"):
        check_output_folder(folder)
    assert check_output_folder(folder, overwrite=True) == folder
