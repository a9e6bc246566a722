"""Advise who to send on the next course cohort.

::

    from diffusion.advisor import Request, advise, parse_objective
    from diffusion.scenario import load_scenario

    scenario = load_scenario("scenarios/etten-leur-baseline.toml").scenario
    objective = parse_objective("adopters@2023-12-31", default_date=..., default_share=0.25)
    advice = advise(scenario, Request(at=date(2019, 1, 15), seats=6, objective=objective,
                                      n_runs=500, seed=1))
    advice.ids, advice.row("advice").gain

Modules: :mod:`~diffusion.advisor.objectives` (what a choice is judged by),
:mod:`~diffusion.advisor.constraints` (quotas, required and excluded people),
:mod:`~diffusion.advisor.evaluate` (a choice simulated against nomination, common random
numbers), :mod:`~diffusion.advisor.strategies` (the situation at the cohort's date, cheap
scores, simple strategies), :mod:`~diffusion.advisor.celf` (greedy with lazy re-evaluation),
:mod:`~diffusion.advisor.exhaustive` (the optimum of small cases),
:mod:`~diffusion.advisor.advice` (the whole advice) and :mod:`~diffusion.advisor.write`
(scenario files). The ideas model's complex contagion is not submodular: the greedy's
guarantee does not hold (see :mod:`~diffusion.advisor.celf`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diffusion.advisor.advice import Advice, Request, advise
    from diffusion.advisor.constraints import Constraints, Quota, parse_quota
    from diffusion.advisor.objectives import Objective, parse_objective

_LAZY = {
    "Advice": "diffusion.advisor.advice",
    "Request": "diffusion.advisor.advice",
    "advise": "diffusion.advisor.advice",
    "Constraints": "diffusion.advisor.constraints",
    "Quota": "diffusion.advisor.constraints",
    "parse_quota": "diffusion.advisor.constraints",
    "Objective": "diffusion.advisor.objectives",
    "parse_objective": "diffusion.advisor.objectives",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'diffusion.advisor' has no attribute {name!r}")


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
