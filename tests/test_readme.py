"""The README's Python example runs as written (it is the first thing a user copies)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    adopters, results = namespace["adopters_s"], namespace["results"]
    labels = results.group_labels["department"]
    size_s = results.group_sizes("department")[labels.index("S")]
    assert adopters.shape == (1000, len(results.steps))
    assert (adopters[:, 0] == 0).all()  # nobody works from the intent before the course
    assert 0 < adopters[:, -1].mean() and adopters.max() <= size_s
