"""Files the commands write by name (a drawing, an export, a sweep's plot) are new files: a
file the user already has is never replaced, and a format the writer does not know is
refused before any work, with one line and exit status 2."""

from __future__ import annotations

import pytest

from tests.safety.common import ROSTER, assert_refused, invoke, listing


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "mine.png").write_text("my picture")
    (tmp_path / "mine.csv").write_text("my table")
    (tmp_path / "new-ties.csv").write_text("my ties")
    return tmp_path


def refused(folder, *args, says):
    """``diffusion ARGS`` is refused and every file in ``folder`` keeps its bytes."""
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert_refused(invoke(*args), says=says)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


EXISTS = "exists; give a new file name (an existing file is never replaced)"


@pytest.mark.parametrize(
    "args, says",
    [
        (["--draw", "mine.png"], f"mine.png: --draw: {EXISTS}"),
        (["--export", "mine.csv"], f"mine.csv: --export: {EXISTS}"),
        (["--export", "roster.csv"], f"roster.csv: --export: {EXISTS}"),  # its own input
        (["--export", "new.csv"], f"new-ties.csv: --export (its ties file): {EXISTS}"),
        (["--draw", "org.toml"], "org.toml: --draw: cannot write a '.toml' file; use .png"),
        (["--draw", "org"], "org: --draw: cannot write a file without a suffix; use .png"),
        (["--export", "org.xlsx"], "org.xlsx: --export: cannot write a '.xlsx' file"),
    ],
)
def test_org_writes_only_new_files_it_knows(cwd, args, says):
    refused(cwd, "org", "--roster", "roster.csv", *args, says=says)


@pytest.mark.parametrize(
    "out, says",
    [
        ("mine.png", f"mine.png: --out: {EXISTS}"),
        ("plot.toml", "plot.toml: --out: cannot write a '.toml' file; use .png, .svg or .pdf"),
    ],
)
def test_sweep_plot_writes_only_a_new_figure(cwd, out, says):
    pytest.importorskip("xarray")
    pytest.importorskip("zarr")
    (cwd / "store").mkdir()  # the figure is checked before the store is read
    refused(cwd, "sweep-plot", "store", "--out", out, says=says)


def test_a_drawing_and_an_export_to_new_files_are_written(cwd):
    result = invoke("org", "--roster", "roster.csv", "--draw", "org.svg", "--export", "org.csv")
    assert result.exit_code == 0, result.stderr
    assert (cwd / "org.svg").read_text().lstrip().startswith("<?xml")
    assert (cwd / "org.csv").read_text().startswith("id,")
    assert (cwd / "org-ties.csv").exists()
    assert listing(cwd) >= {"org.svg", "org.csv", "org-ties.csv"}
