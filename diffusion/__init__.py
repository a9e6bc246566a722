"""diffusion: simulate how new ideas and ways of working spread through an organisation.

The flow of data: a scenario (:mod:`diffusion.scenario`) names an organisation graph
(:mod:`diffusion.org`), compiled to arrays (:mod:`diffusion.compile`); a model
(:mod:`diffusion.models`) advances state arrays shaped ``(runs, nodes)`` one step at a time
inside the engine (:mod:`diffusion.engine`), which records :class:`diffusion.results.Results`.

Every workflow of the command line is one function here (:mod:`diffusion.api`):
:func:`load_scenario`, :func:`what_if`, :func:`run`, :func:`compare`, :func:`sweep`,
:func:`sensitivity`, :func:`advise`, :func:`calibrate`, :func:`report`. They are imported on
first use, so ``import diffusion`` and ``diffusion --help`` stay fast.

Examples
--------
>>> import diffusion
>>> sorted(set(diffusion.__all__) - {"__version__"})
['advise', 'calibrate', 'compare', 'fit_report', 'load_scenario', 'report', 'run',
 'sensitivity', 'sweep', 'what_if']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from diffusion.api import (
        advise,
        calibrate,
        compare,
        fit_report,
        load_scenario,
        report,
        run,
        sensitivity,
        sweep,
        what_if,
    )

#: the library API: name -> module that defines it (imported on first use)
_API: dict[str, str] = {
    "advise": "diffusion.api",
    "fit_report": "diffusion.api",
    "calibrate": "diffusion.api",
    "sensitivity": "diffusion.api",
    "sweep": "diffusion.api",
    "compare": "diffusion.api",
    "load_scenario": "diffusion.api",
    "report": "diffusion.api",
    "run": "diffusion.api",
    "what_if": "diffusion.api",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'diffusion' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = [
    "__version__",
    "advise",
    "calibrate",
    "compare",
    "fit_report",
    "load_scenario",
    "report",
    "run",
    "sensitivity",
    "sweep",
    "what_if",
]
