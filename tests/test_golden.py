"""Fresh golden runs equal the stored ones, exactly (counts of people are integers).

A difference means a change in results: a random draw, a transition, an event or a default
parameter. If it is intended, run ``python3 tasks.py golden`` and say why in the commit.
"""

from __future__ import annotations

import pytest

from tests.golden import make


def _first_difference(got: list, want: list) -> str:
    for g, w in zip(got, want, strict=False):
        if g != w:
            return f"first difference (run, step, state, count): got {g}, stored {w}"
    return f"got {len(got)} rows, stored {len(want)}"


def check(stem: str, results) -> None:
    path = make.path_of(stem)
    assert path.exists(), f"no golden file {path.name}: run python3 tasks.py golden"
    got, want = list(make.rows(results)), make.read(path)
    assert got == want, (
        f"{path.name}: results changed; {_first_difference(got, want)}. "
        "If intended: python3 tasks.py golden"
    )


def test_golden_baseline():
    check("etten-leur-baseline", make.baseline_results())


@pytest.mark.parametrize("name", make.standard_models())
def test_golden_standard_model(name):
    check(name, make.standard_results(name))


def test_every_golden_file_belongs_to_a_golden_run():
    stems = {"etten-leur-baseline", *make.standard_models()}
    assert {p.stem for p in make.FOLDER.glob("*.csv")} == stems
