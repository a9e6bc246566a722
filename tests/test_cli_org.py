"""The ``diffusion org`` command."""

from __future__ import annotations

from click.testing import CliRunner

from diffusion.cli.org import org
from diffusion.org.graphio import read_graph


def run(*args: str):
    return CliRunner().invoke(org, list(args))


def test_summary_of_etten_leur():
    result = run()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Etten-Leur" in out and "305 staff" in out
    for dept in ("O", "C", "S", "B"):
        assert f"│ {dept} " in out
    for heading in ("People by team", "Ties by kind", "Mean path between departments"):
        assert heading in out
    assert "T14" in out and "team_leaders_forum" in out


def test_export_graphml_and_csv(tmp_path):
    path = tmp_path / "el.graphml"
    result = run("--seed", "2", "--export", str(path))
    assert result.exit_code == 0, result.output
    assert read_graph(path).number_of_nodes() == 318
    csv = tmp_path / "el.csv"
    result = run("--graph", str(path), "--export", str(csv))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "el-ties.csv").exists()
    again = run("--roster", str(csv), "--ties", str(tmp_path / "el-ties.csv"))
    assert again.exit_code == 0 and "305 staff" in again.output


def test_spec_and_draw(tmp_path):
    spec = tmp_path / "org.toml"
    spec.write_text(
        'name = "Tiny"\n[[departments]]\nname = "D"\nside = "soft"\n'
        'teams = [{ name = "T1", size = 6 }, { name = "T2", size = 5 }]\n'
    )
    png = tmp_path / "org.png"
    result = run("--spec", str(spec), "--seed", "1", "--draw", str(png))
    assert result.exit_code == 0, result.output
    assert "Tiny: 13 people (13 staff)" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_roster_exits_2_with_one_line_and_writes_nothing(tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_text("id,department,team,role,manager_id\na,D,T1,employee,b\n")
    out = tmp_path / "out.graphml"
    result = run("--roster", str(roster), "--export", str(out))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {roster}: line 2: unknown manager_id")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_bad_options_exit_2(tmp_path):
    result = run("--export", str(tmp_path / "org.xlsx"))
    assert result.exit_code == 2 and "use .graphml or .csv" in result.stderr
    assert list(tmp_path.iterdir()) == []
    result = run("--ties", "t.csv")
    assert result.exit_code == 2 and "--ties goes with --roster" in result.stderr
    spec = tmp_path / "bad.toml"
    spec.write_text('[[departments]]\nname = "D"\nside = "blue"\nteams = [{ name = "T" }]\n')
    result = run("--spec", str(spec))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {spec}: departments[0].side: not a valid choice; valid: soft, hard (got 'blue')"
    )
