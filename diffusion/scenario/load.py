"""Read a scenario file: ``extends``, relative paths, ``--set`` overrides, validation.

``extends = "base.toml"`` (relative to the file that names it) makes the file a child of
another scenario, merged deeply by the rules of :mod:`diffusion.scenario.merge`.

File paths inside a file (``organisation.spec``, ``roster``, ``ties``, ``graph``) are
resolved relative to that file. Every problem of a pass is reported at once, each against
the file that set the offending value.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from diffusion.scenario.check import check_parts
from diffusion.scenario.merge import APPEND_KEYS, Key, append, merge
from diffusion.scenario.overrides import apply_overrides
from diffusion.scenario.problems import Problem, ScenarioError, dotted, problems_of
from diffusion.scenario.schema import Scenario

#: keys whose string values are file paths, resolved relative to the file naming them
PATH_KEYS: tuple[tuple[str, str], ...] = tuple(
    ("organisation", k) for k in ("spec", "roster", "ties", "graph")
)


@dataclasses.dataclass
class RawScenario:
    """A scenario's data after ``extends``, before validation.

    Attributes
    ----------
    data : dict
        The merged TOML data.
    origins : dict
        ``path parts -> file`` that set each value (the longest matching prefix applies).
    files : tuple of str
        The files read, the named one first and its ancestors after it.
    aliases : dict
        ``path parts in data -> (file, path parts in that file)`` for the items that
        ``events_add`` and ``cohorts_add`` appended: ``events[3]`` is ``events_add[0]`` of
        the file that added it, and problems are reported there.
    """

    data: dict[str, Any]
    origins: dict[Key, str]
    files: tuple[str, ...]
    aliases: dict[Key, tuple[str, Key]] = dataclasses.field(default_factory=dict)

    def relocate(self, problems: Sequence[Problem]) -> list[Problem]:
        """Return ``problems`` with paths into appended items written as in their file.

        ``events_add[0].date``, not the merged ``events[3].date``.
        """
        out = []
        for problem in problems:
            for merged, (file, place) in self.aliases.items():
                prefix = dotted(merged)
                rest = problem.path[len(prefix) :]
                if problem.file == file and problem.path.startswith(prefix) and rest[:1] in "[.":
                    problem = dataclasses.replace(problem, path=dotted(place) + rest)
                    break
            out.append(problem)
        return out

    @property
    def file(self) -> str:
        """The file named (the first of :attr:`files`)."""
        return self.files[0]


@dataclasses.dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the files it came from."""

    scenario: Scenario
    files: tuple[str, ...]
    overrides: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        """The file named (the first of :attr:`files`)."""
        return self.files[0]

    def resolved(self) -> dict[str, Any]:
        """Return the scenario as JSON-ready data (after ``extends`` and ``--set``)."""
        return self.scenario.model_dump(mode="json", exclude_none=True)


#: ``extends = "builtin:NAME"`` names a scenario shipped with the package
BUILTIN_PREFIX = "builtin:"


def builtin_scenarios() -> list[str]:
    """Return the names of the scenarios shipped with the package (``builtin:NAME``)."""
    from importlib import resources

    folder = resources.files("diffusion.data").joinpath("scenarios")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def packaged(name: str) -> Path:
    """Return the path of a scenario shipped with the package (``diffusion/data/scenarios``)."""
    from importlib import resources

    return Path(str(resources.files("diffusion.data").joinpath(f"scenarios/{name}.toml")))


def load_scenario(
    path: str | PathLike[str], overrides: Sequence[str] = (), *, check: bool = True
) -> LoadedScenario:
    """Read, merge, override and validate a scenario file.

    Parameters
    ----------
    path : str or path-like
        The scenario file (TOML).
    overrides : sequence of str
        ``path=value`` overrides (see :mod:`diffusion.scenario.overrides`).
    check : bool
        Also check against the calendar, the model and the organisation (builds the
        organisation; see :mod:`diffusion.scenario.check`).

    Raises
    ------
    ScenarioError
        Every problem found, one line each.
    """
    raw = read_raw(path)
    problems = apply_overrides(raw.data, raw.origins, overrides)
    try:
        scenario = validate(raw, check=check)
    except ScenarioError as exc:
        problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(scenario, raw.files, tuple(overrides))


def load_all(
    items: Sequence[LoadedScenario | str | PathLike[str]], overrides: Sequence[str] = ()
) -> list[LoadedScenario]:
    """Load scenarios, reporting the problems of all the files at once.

    Parameters
    ----------
    items : sequence of LoadedScenario, str or path-like
        Scenario files, loaded with ``overrides``, or scenarios already loaded (kept as
        they are).
    overrides : sequence of str
        ``path=value`` overrides of every file.

    Raises
    ------
    ScenarioError
        Every problem of every file.
    """
    loaded: list[LoadedScenario] = []
    problems: list[Problem] = []
    for item in items:
        try:
            loaded.append(
                item if isinstance(item, LoadedScenario) else load_scenario(item, overrides)
            )
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return loaded


def validate(raw: RawScenario, *, check: bool = True) -> Scenario:
    """Validate merged data: the schema, then (with ``check``) the cross-table checks.

    The cross-table checks run on every part that is well formed even when other parts are
    not, so one pass reports as much as it can.

    Raises
    ------
    ScenarioError
        Every problem found.
    """
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(raw.data)
    except ValidationError as exc:
        problems += problems_of(exc, Scenario, raw.origins, raw.file)
    if check:
        problems += check_parts(raw.data, raw.origins, raw.file)
    if problems or scenario is None:
        raise ScenarioError(raw.relocate(problems))
    return scenario


# ------------------------------------------------------------------------------ reading
def read_raw(path: str | PathLike[str]) -> RawScenario:
    """Read ``path`` and its ``extends`` ancestors into one merged :class:`RawScenario`.

    The chain is followed in a loop (no recursion), so its length is limited only by the
    files on disk; a file met twice is a cycle.
    """
    chain = _chain(str(path))
    merged: dict[str, Any] = {}
    origins: dict[Key, str] = {}
    aliases: dict[Key, tuple[str, Key]] = {}
    problems: list[Problem] = []
    for display, data, adds in reversed(chain):
        merge(merged, data, origins, display, ())
        for key in data:  # a child's array replaces the parent's, appended items too
            for alias in [a for a in aliases if a[0] == key]:
                del aliases[alias]
        problems += append(merged, adds, origins, display, aliases)
    if problems:
        raise ScenarioError(problems)
    if not merged.get("name"):
        merged["name"] = Path(path).stem
    return RawScenario(merged, origins, tuple(c[0] for c in chain), aliases)


def _chain(display: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(file, data, appended arrays)`` of ``display`` and each ancestor, child first."""
    chain: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: list[Path] = []
    while True:
        seen.append(Path(display).resolve())
        data = _read(display)
        _resolve_paths(data, display)
        adds = {k: data.pop(k) for k in list(data) if k in APPEND_KEYS}
        extends = data.pop("extends", None)
        chain.append((display, data, adds))
        if extends is None:
            return chain
        display = _parent(extends, display, seen)


def _read(display: str) -> dict[str, Any]:
    try:
        if not stat.S_ISREG(os.stat(display).st_mode):  # reading a pipe would wait forever
            message = "not a regular file (a folder, a pipe or a device); give a .toml file"
            raise ScenarioError([Problem(display, "", message, show_value=False)])
        text = Path(display).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(display, "", "no such file", show_value=False)]) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise ScenarioError([Problem(display, "", message, show_value=False)]) from None
    except OSError as exc:
        message = f"cannot read it: {exc.strerror}"
        raise ScenarioError([Problem(display, "", message, show_value=False)]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(display, "", f"not valid TOML: {exc}", None, False)]) from None


def _parent(extends: Any, display: str, seen: list[Path]) -> str:
    """Return the file ``extends`` names (relative to ``display``), checked for cycles."""
    if not isinstance(extends, str) or not extends:
        raise ScenarioError([Problem(display, "extends", "give a file name (a string)", extends)])
    if extends.startswith(BUILTIN_PREFIX):
        name = extends.removeprefix(BUILTIN_PREFIX)
        shipped = builtin_scenarios()
        if name not in shipped:
            valid = ", ".join(BUILTIN_PREFIX + n for n in shipped)
            message = f"no built-in scenario {name!r}; valid: {valid}"
            raise ScenarioError([Problem(display, "extends", message, extends)])
        parent = str(packaged(name))
    else:
        parent = os.path.normpath(os.path.join(os.path.dirname(display), extends))
    real = Path(parent).resolve()
    if real in seen:
        names = [p.name for p in seen[seen.index(real) :]]
        if len(names) > 6:
            names = [*names[:3], f"... {len(names) - 5} files ...", *names[-2:]]
        loop = " -> ".join([*names, real.name])
        raise ScenarioError([Problem(display, "extends", f"cyclic extends: {loop}", extends)])
    if not Path(parent).is_file():
        raise ScenarioError([Problem(display, "extends", f"no such file: {parent}", extends)])
    return parent


def _resolve_paths(data: dict[str, Any], display: str) -> None:
    folder = os.path.dirname(display)
    for table, key in PATH_KEYS:
        section = data.get(table)
        if isinstance(section, dict) and isinstance(section.get(key), str) and section[key]:
            section[key] = os.path.normpath(os.path.join(folder, section[key]))
