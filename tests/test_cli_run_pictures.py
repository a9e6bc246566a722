"""``diffusion run``'s pictures: the spread plot and ``--org-picture DATE``."""

from __future__ import annotations

from click.testing import CliRunner
from PIL import Image

from diffusion.cli import main
from tests.scenario.conftest import SCENARIOS

BASE = str(SCENARIOS / "etten-leur-baseline.toml")
SHORT = ["--runs", "3", "--set", "calendar.end=2019-06-30"]


def test_org_picture_is_drawn_on_the_date_asked(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["run", BASE, *SHORT, "--org-picture", "2019-01-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "org-2019-01-01.png" in result.output
    for name in ("spread.png", "org-2019-01-01.png"):
        with Image.open(out / name) as image:
            assert image.format == "PNG" and min(image.size) > 300
    # three panels side by side: trained, adopting without the course, working
    with Image.open(out / "spread.png") as image:
        assert image.size[0] > 2.5 * image.size[1]


def test_org_picture_outside_the_calendar_is_one_line(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["run", BASE, *SHORT, "--org-picture", "2030-01-01", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: --org-picture 2030-01-01 is outside the calendar (2015-01-05 to 2019-06-30)"
    )
    assert not out.exists()
