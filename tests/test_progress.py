"""Progress lines: never above 100%, and a last line saying how far the work got."""

from __future__ import annotations

import pytest

from diffusion.cli import common


@pytest.fixture(autouse=True)
def _every_call_beats(monkeypatch):
    monkeypatch.setattr(common, "HEARTBEAT_SECONDS", 0.0)


def _lines(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_counts_past_the_total_stop_at_100_percent(capsys):
    with common.progress(10, "simulating") as advance:
        for _ in range(4):
            advance(4)  # 16 reported for 10 to do
    lines = _lines(capsys)
    assert lines[-1].startswith("simulating: done, 100% (")
    assert [line.split(": ")[1].split(" ")[0] for line in lines[:-1]] == [
        "40%",
        "80%",
        "100%",
        "100%",
    ]


def test_the_last_line_says_how_far_unfinished_work_got(capsys):
    with common.progress(10, "sweeping") as advance:
        advance(5)
    assert _lines(capsys)[-1].startswith("sweeping: ended at 50% (")


def test_nearly_done_is_not_rounded_up_to_100(capsys):
    with common.progress(1000, "x") as advance:
        advance(999)
    assert _lines(capsys)[-1].startswith("x: ended at 99% (")
