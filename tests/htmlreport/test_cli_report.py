"""``diffusion report`` and :func:`diffusion.report`: files, refusals, errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from diffusion.cli import main
from tests.htmlreport.conftest import FILES

SHORT = ["--set", "calendar.end=2019-12-31", "--runs", "3"]


def test_report_writes_the_page_csv_and_manifest_and_refuses_a_users_folder(tmp_path):
    out = tmp_path / "rep"
    args = ["report", str(FILES[0]), str(FILES[1]), *SHORT, "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.csv",
        "manifest.json",
        "report.html",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 3 and manifest["what_ifs"] == ["new-secretary-supportive"]
    # after the earliest change (July 2018) only: a year end filling in, and the calendar's end
    assert manifest["dates"] == ["2018-12-31", "2019-12-31"]
    # a second report replaces the folder diffusion wrote; a user's folder is left alone
    assert CliRunner().invoke(main, args).exit_code == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    result = CliRunner().invoke(main, [*args[:-1], str(mine)])
    assert result.exit_code == 2 and (mine / "notes.txt").read_text() == "keep"
    assert len(result.output.strip().splitlines()) == 1


def test_report_states_a_bad_date_in_one_line(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(FILES[0]),
            str(FILES[1]),
            *SHORT,
            "--date",
            "2040-01-01",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: date 2040-01-01 is outside the calendar (2015-01-05 to 2019-12-31)"
    )
    assert not (tmp_path / "x").exists()


def test_library_report(tmp_path):
    import diffusion

    written = diffusion.report(
        FILES[0], [FILES[2]], out=tmp_path / "lib", runs=3, overrides=["calendar.end=2019-12-31"]
    )
    assert [p.name for p in written] == ["report.html", "comparison.csv", "manifest.json"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)


def test_a_report_for_the_example_client_names_its_departments_and_sides(tmp_path):
    examples = FILES[0].parents[1] / "examples"
    out = tmp_path / "client"
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(examples / "client.toml"),
            str(examples / "client-hard-side.toml"),
            "--runs",
            "3",
            "--set",
            "calendar.years=1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Physical (hard)" in html and "Social (soft)" in html
    assert "what if the spring 2027 cohort takes its 3 people from the hard side?" in html
