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

from diffusion.io import atomic_write

ADVISED, NOMINATED = "advised.toml", "nominated.toml"


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
