"""Advise who to send on the next course cohort.

::

    from diffusion.advise import Request, advise, parse_objective
    from diffusion.scenario import load_scenario

    scenario = load_scenario("scenarios/etten-leur-baseline.toml").scenario
    objective = parse_objective("adopters@2023-12-31", default_date=..., default_share=0.25)
    advice = advise(scenario, Request(at=date(2019, 1, 15), seats=6, objective=objective,
                                      n_runs=500, seed=1))
    advice.ids, advice.row("advice").gain

Modules: :mod:`~diffusion.advise.objectives` (what a choice is judged by),
:mod:`~diffusion.advise.constraints` (quotas, required and excluded people),
:mod:`~diffusion.advise.evaluate` (a choice simulated against nomination, common random
numbers), :mod:`~diffusion.advise.strategies` (the situation at the cohort's date, cheap
scores, simple strategies), :mod:`~diffusion.advise.celf` (greedy with lazy re-evaluation),
:mod:`~diffusion.advise.exhaustive` (the optimum of small cases),
:mod:`~diffusion.advise.advice` (the whole advice) and :mod:`~diffusion.advise.write`
(scenario files). The ideas model's complex contagion is not submodular: the greedy's
guarantee does not hold (see :mod:`~diffusion.advise.celf`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diffusion.advise.advice import Advice, Request, advise
    from diffusion.advise.constraints import Constraints, Quota, parse_quota
    from diffusion.advise.objectives import Objective, parse_objective

_LAZY = {
    "Advice": "diffusion.advise.advice",
    "Request": "diffusion.advise.advice",
    "advise": "diffusion.advise.advice",
    "Constraints": "diffusion.advise.constraints",
    "Quota": "diffusion.advise.constraints",
    "parse_quota": "diffusion.advise.constraints",
    "Objective": "diffusion.advise.objectives",
    "parse_objective": "diffusion.advise.objectives",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'diffusion.advise' has no attribute {name!r}")


__all__ = [
    "Advice",
    "Constraints",
    "Objective",
    "Quota",
    "Request",
    "advise",
    "parse_objective",
    "parse_quota",
]
