"""Problems found in a scenario, each one line ``file: dotted.path: message (got value)``.

All problems of a pass are collected and raised together as one :class:`ScenarioError`, so a
user fixes a file in one go. Paths read like the TOML they point into: ``events[2].date``,
``cohorts[0].quotas.department.X``. A problem is a :class:`diffusion.errors.Problem` and
pydantic's errors become problems in :func:`diffusion.strict.problems_of`, as for
organisation specs; their helpers are imported here for the scenario modules.
"""

from __future__ import annotations

from collections.abc import Sequence

from diffusion.errors import InputError, Problem, short
from diffusion.strict import Origins, dotted, file_of, problems_of, suggest


class ScenarioError(InputError):
    """One or more problems in a scenario; ``str()`` gives one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self._set(problems)


__all__ = [
    "Origins",
    "Problem",
    "ScenarioError",
    "dotted",
    "file_of",
    "problems_of",
    "short",
    "suggest",
]
