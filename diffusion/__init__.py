"""diffusion: simulate how new ideas and ways of working spread through an organisation.

The flow of data: an organisation graph (:mod:`diffusion.org`) is compiled to arrays
(:mod:`diffusion.compile`); a model (:mod:`diffusion.models`) advances state arrays shaped
``(runs, nodes)`` one step at a time inside the engine (:mod:`diffusion.engine`), which
records :class:`diffusion.results.Results`.

Nothing heavy is imported here, so ``import diffusion`` and ``diffusion --help`` stay fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
