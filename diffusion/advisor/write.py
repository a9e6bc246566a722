"""Ready-to-run scenario files for the advice: the input extended with the advised cohort.

Two files, each a child of the input scenario (``extends``) that appends one cohort
(``[[cohorts_add]]``, see ``scenarios/README.md``):

``advised.toml``
    the recommended people by id (``ids``, ``seats`` = their number);
``nominated.toml``
    the same seats filled by the scenario's own nomination (the base of the gains).

Both carry the seed and runs of the reported gains, so
``diffusion compare nominated.toml advised.toml --date DATE`` reproduces them. The cohort
lands where :mod:`diffusion.advisor.evaluate` placed it (after the input's ``cohorts``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from diffusion.io import atomic_write

if TYPE_CHECKING:
    from diffusion.advisor.advice import Advice
    from diffusion.scenario.load import LoadedScenario

ADVISED, NOMINATED = "advised.toml", "nominated.toml"
#: the files of :func:`write_advice`, in order
FILES = (
    "advice.csv",
    "strategies.csv",
    "trace.csv",
    "gains.png",
    ADVISED,
    NOMINATED,
    "manifest.json",
)
#: what the greedy does not promise, for the table and the manifest
GUARANTEE = (
    "The ideas model's complex contagion is not submodular: the greedy has no guarantee "
    "of reaching the optimum (tests/advise measures it against exhaustive search)."
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (non-ASCII as \\u escapes)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def scenario_text(
    source: str,
    name: str,
    runs: int,
    seed: int,
    cohort: dict[str, object],
    comments: Sequence[str] = (),
) -> str:
    """Return a child scenario of ``source`` (a path relative to the new file) with one cohort.

    Examples
    --------
    >>> print(scenario_text("base.toml", "x", 10, 1, {"name": "a", "seats": 2}))
    extends = "base.toml"
    name = "x"
    runs = 10
    seed = 1
    <BLANKLINE>
    [[cohorts_add]]
    name = "a"
    seats = 2
    <BLANKLINE>
    """
    lines = [f"# {c}" for c in comments]
    lines += [
        f"extends = {_toml(source)}",
        f"name = {_toml(name)}",
        f"runs = {runs}",
        f"seed = {seed}",
        "",
        "[[cohorts_add]]",
    ]
    lines += [f"{key} = {_toml(value)}" for key, value in cohort.items()]
    return "\n".join(lines) + "\n"


def write_scenarios(
    folder: Path,
    final_folder: Path,
    source: Path,
    base_name: str,
    cohort_name: str,
    at: dt.date,
    ids: Sequence[str],
    runs: int,
    seed: int,
    header: Sequence[str] = (),
) -> tuple[Path, Path]:
    """Write :data:`ADVISED` and :data:`NOMINATED` into ``folder``.

    Parameters
    ----------
    folder : Path
        Where to write now (a temporary folder beside ``final_folder``, or it).
    final_folder : Path
        Where the files will live: ``extends`` is relative to it.
    source : Path
        The input scenario file.
    base_name : str
        The input scenario's name (the files are named ``<name>-advised`` and
        ``<name>-nominated``).
    cohort_name : str
        Name of the added cohort (as evaluated: it keys the nomination's random numbers).
    at : date
        The cohort's date.
    ids : sequence of str
        The recommended people.
    runs, seed : int
        Runs and seed of the reported gains.
    header : sequence of str
        Comment lines for the top of both files.

    Returns
    -------
    (Path, Path)
        The advised and the nominated file.
    """
    rel = os.path.relpath(Path(source).resolve(), Path(final_folder).resolve())
    rel = rel.replace(os.sep, "/")
    advised = scenario_text(
        rel,
        f"{base_name}-advised",
        runs,
        seed,
        {
            "name": cohort_name,
            "date": at,
            "seats": len(ids),
            "ids": list(ids),
            "note": "recommended by diffusion advise",
        },
        header,
    )
    nominated = scenario_text(
        rel,
        f"{base_name}-nominated",
        runs,
        seed,
        {
            "name": cohort_name,
            "date": at,
            "seats": len(ids),
            "note": "the same seats filled by nomination (the base of the advice's gains)",
        },
        header,
    )
    paths = (Path(folder) / ADVISED, Path(folder) / NOMINATED)
    for path, text in zip(paths, (advised, nominated), strict=True):
        with atomic_write(path) as fh:
            fh.write(text)
    return paths


def write_advice(
    advice: Advice,
    loaded: LoadedScenario,
    source: str | os.PathLike[str],
    folder: Path,
    out_dir: str | os.PathLike[str],
    executor: str = "in this process",
) -> list[str]:
    """Write the files of ``diffusion advise`` into ``folder`` (a fresh, temporary folder).

    ``advice.csv`` (the recommended people), ``strategies.csv`` (the recommendation and
    every strategy with its gain and interval), ``trace.csv`` (the greedy's picks),
    ``gains.png``, ``advised.toml`` and ``nominated.toml`` (:func:`write_scenarios`, for
    the scenario file ``source``, to be read from ``out_dir``) and, last, ``manifest.json``
    (``executor`` says where the evaluations ran). Returns the names written.
    """
    from diffusion.advisor.plot import plot_gains
    from diffusion.outputs import write_manifest
    from diffusion.tables import write_csv

    tmp = folder

    req = advice.request
    write_csv(advice.people(), tmp / "advice.csv")
    write_csv(advice.table(), tmp / "strategies.csv")
    ids = advice.problem.study.org.node_ids
    write_csv(
        [
            {
                "pick": k + 1,
                "id": ids[s.person],
                "value": s.value,
                "gain": s.gain,
                "evaluations": s.evaluations,
            }
            for k, s in enumerate(advice.greedy.steps)
        ],
        tmp / "trace.csv",
    )
    plot_gains(advice, tmp / "gains.png")
    header = [
        f"Written by diffusion advise: {req.seats} seats at {req.at}, objective "
        f"{req.objective.spec}.",
        f"diffusion compare nominated.toml advised.toml --date {req.objective.last_date} "
        "reproduces the reported gain.",
    ]
    write_scenarios(
        tmp,
        out_dir,
        source,
        loaded.scenario.name,
        advice.problem.cohort_name,
        req.at,
        advice.ids,
        req.n_runs,
        advice.report_seed,
        header,
    )
    write_manifest(
        tmp,
        {loaded.scenario.name: loaded},
        req.n_runs,
        req.seed,
        advise={
            "at": req.at.isoformat(),
            "seats": req.seats,
            "objective": req.objective.spec,
            "objective_name": req.objective.name,
            "quotas": [str(q) for q in req.quotas],
            "required": list(req.required),
            "excluded": list(req.excluded),
            "method": advice.greedy.method,
            "candidates": len(advice.pool),
            "evaluations": advice.evaluations,
            "selection_seed": req.seed,
            "selection_base_objective": advice.selection_base,
            "report_seed": advice.report_seed,
            "cohort_name": advice.problem.cohort_name,
            "recommended": list(advice.ids),
            "level": 0.9,
            "guarantee": GUARANTEE,
            "executor": executor,
            "seconds": advice.seconds,
        },
    )
    return [*FILES]
