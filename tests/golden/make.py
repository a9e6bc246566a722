"""The golden runs: a small fixed run of the Etten-Leur baseline and of each standard model.

Each run's counts per state over all people, at every recorded step, are integers, so a
change in any random draw, transition or event shows as a changed row. ``tests/test_golden.py``
compares a fresh run with the stored CSV exactly; when a change is intended (a model fixed or
rewritten), write the files anew with the deliberate command::

    python3 tasks.py golden

and say in the commit message why the results changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

from diffusion.baseline import etten_leur_baseline
from diffusion.calendar import Calendar
from diffusion.graphs import watts_strogatz
from diffusion.models.registry import MODELS, make_model
from diffusion.results import Results
from diffusion.study import Study

FOLDER = Path(__file__).resolve().parent
COLUMNS = ("run", "step", "state", "count")
#: the baseline: 4 years (to 2019: the observed cohorts, the 2018 changes at the top, the first
#: adopters), 4 runs, seed 1, a record every 13 weeks (a quarter)
BASELINE = {"years": 4.0, "n_runs": 4, "seed": 1, "record_every": 13}
#: the standard models: their default parameters on a small world of 200 people (lattice
#: degree 6, rewiring 0.1, graph seed 1), 30 weeks, 3 runs, seed 1, a record every 5 weeks
STANDARD = {"n_nodes": 200, "weeks": 30, "n_runs": 3, "seed": 1, "record_every": 5}
#: parameters besides the defaults, where one seed person would spread nothing on that graph
#: (a threshold of 0.5 of six neighbours needs three active ones)
PARAMS: dict[str, dict[str, object]] = {
    "threshold": {"initial_active": 10, "threshold": 0.35, "threshold_sd": 0.1},
    "linear_threshold": {"initial_active": 10},
}


def baseline_results() -> Results:
    """The golden run of the Etten-Leur baseline."""
    study = etten_leur_baseline(years=BASELINE["years"])
    return study.simulate(
        BASELINE["n_runs"], seed=BASELINE["seed"], record_every=BASELINE["record_every"]
    )


def standard_models() -> list[str]:
    """The standard models, by name (every registered model but the ideas model)."""
    return sorted(name for name in MODELS if name != "ideas")


def standard_results(name: str) -> Results:
    """The golden run of the standard model ``name``."""
    org = watts_strogatz(STANDARD["n_nodes"], 6, 0.1, seed=1)
    start = dt.date(2020, 1, 6)
    calendar = Calendar(start, start + dt.timedelta(weeks=STANDARD["weeks"]))
    study = Study(name, org, make_model(name, **PARAMS.get(name, {})), calendar, groupings=())
    return study.simulate(
        STANDARD["n_runs"], seed=STANDARD["seed"], record_every=STANDARD["record_every"]
    )


def rows(results: Results) -> Iterator[tuple[int, int, str, int]]:
    """``(run, step, state, count)`` for every run, record and state."""
    for r, run in enumerate(results.run_ids.tolist()):
        for k, step in enumerate(results.steps.tolist()):
            for s, state in enumerate(results.state_names):
                yield run, step, state, int(results.total[r, k, s])


def golden() -> dict[str, Results]:
    """Every golden run, by file stem: ``etten-leur-baseline`` and one per standard model."""
    out = {"etten-leur-baseline": baseline_results()}
    out |= {name: standard_results(name) for name in standard_models()}
    return out


def path_of(stem: str) -> Path:
    """The CSV file of a golden run."""
    return FOLDER / f"{stem}.csv"


def read(path: Path) -> list[tuple[int, int, str, int]]:
    """The rows of a golden CSV file."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        if tuple(next(reader)) != COLUMNS:
            raise ValueError(f"{path}: the header is not {','.join(COLUMNS)}")
        return [(int(a), int(b), c, int(d)) for a, b, c, d in reader]


def write(stem: str, results: Results) -> Path:
    """Write the golden CSV file of one run."""
    path = path_of(stem)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(results))
    return path


def main() -> int:
    """Write every golden file anew and say which changed."""
    for stem, results in golden().items():
        path = path_of(stem)
        before = read(path) if path.exists() else None
        write(stem, results)
        status = "new" if before is None else "unchanged" if before == read(path) else "CHANGED"
        print(f"{status:9} {path.relative_to(FOLDER.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
