"""``diffusion validate``: OK per good file, every problem of a bad one, exit 2."""

from __future__ import annotations

from click.testing import CliRunner

from diffusion.cli import main
from tests.scenario.conftest import SCENARIOS


def test_the_shipped_scenarios_validate():
    files = [str(p) for p in sorted(SCENARIOS.glob("*.toml"))]
    result = CliRunner().invoke(main, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK\n") == len(files)


def test_bad_and_good_files_together(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'extends = "{}"\nruns = "500"\n[[events_add]]\nkind = "taster_workshop"\n'
        'date = 2019-03-01\nteam = "T99"\n'.format(SCENARIOS / "etten-leur-baseline.toml")
    )
    good = SCENARIOS / "top-down-push.toml"
    result = CliRunner().invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert f"{good}: OK" in result.output
    assert (
        f"{bad}: runs: Input should be a valid integer; write numbers without quotes (got '500')"
        in result.output
    )
    assert (
        f"{bad}: events_add[0].team: no team of that name; did you mean 'T9'? (got 'T99')"
        in result.output
    )
    assert "Traceback" not in result.output


def test_set_overrides_are_validated():
    path = str(SCENARIOS / "etten-leur-baseline.toml")
    result = CliRunner().invoke(
        main,
        [
            "validate",
            path,
            "--set",
            "model.params.receptivity_hard=1.5",
            "--set",
            "events[4].support=0.9",
        ],
    )
    assert result.exit_code == 2
    assert result.output.startswith(
        "--set: model.params.receptivity_hard: receptivity_hard must be in [0, 1]"
    )


def test_a_missing_file():
    result = CliRunner().invoke(main, ["validate", "nowhere.toml"])
    assert result.exit_code == 2 and result.output == "nowhere.toml: no such file\n"
