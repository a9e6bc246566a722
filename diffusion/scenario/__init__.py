"""Scenario files: a what-if written as TOML, validated, and turned into a study.

::

    from diffusion.scenario import load_scenario, build_study

    loaded = load_scenario("scenarios/new-secretary-supportive.toml", ["runs=200"])
    study = build_study(loaded.scenario)
    results = study.simulate(loaded.scenario.runs, loaded.scenario.seed)

The format is documented field by field in ``scenarios/README.md``; the modules are
:mod:`~diffusion.scenario.schema` (the tables), :mod:`~diffusion.scenario.load` (``extends``,
paths, validation), :mod:`~diffusion.scenario.overrides` (``--set``),
:mod:`~diffusion.scenario.check` (dates, names, model parameters),
:mod:`~diffusion.scenario.events` (event kinds -> engine events) and
:mod:`~diffusion.scenario.build` (scenario -> study).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diffusion.scenario.build import build_study
    from diffusion.scenario.load import LoadedScenario, load_scenario
    from diffusion.scenario.problems import Problem, ScenarioError

_LAZY = {
    "build_study": "diffusion.scenario.build",
    "load_scenario": "diffusion.scenario.load",
    "LoadedScenario": "diffusion.scenario.load",
    "Problem": "diffusion.scenario.problems",
    "ScenarioError": "diffusion.scenario.problems",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'diffusion.scenario' has no attribute {name!r}")


__all__ = ["LoadedScenario", "Problem", "ScenarioError", "build_study", "load_scenario"]
