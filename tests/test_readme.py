"""The README's Python examples run as written (they are the first thing a user copies)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_the_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)
    printed = capsys.readouterr().out

    # the what-if: a supportive secretary and 12 more seats bring a quarter of the staff to
    # work from the intent sooner, on paired runs (the interval lies below 0)
    table = namespace["table"]
    row = table.loc["years to 25% of staff working from the intent"]
    assert row["low"] <= row["difference"] <= row["high"] < 0, row
    assert f"{row['difference']:.2f}" in printed
    adopters_row = table.loc["adopters all 2030-12-31"]
    assert adopters_row["low"] <= adopters_row["difference"] <= adopters_row["high"]

    # the spread: adopters in S, run by run, between nobody and everyone in S
    adopters, results = namespace["adopters_s"], namespace["results"]
    labels = results.group_labels["department"]
    size_s = results.group_sizes("department")[labels.index("S")]
    assert adopters.shape == (1000, len(results.steps))
    assert (adopters.iloc[:, 0] == 0).all()  # nobody works from the intent before the course
    assert 0 < adopters.iloc[:, -1].mean() and adopters.to_numpy().max() <= size_s
    assert np.isclose(float(printed.split()[-1]), adopters.iloc[:, -1].mean())
