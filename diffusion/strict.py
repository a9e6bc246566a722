"""The one strict-model base of the input schemas: organisation specs and scenario files.

Both are trees of frozen pydantic models read from TOML: strict types (no ``"3"`` for
``3``), unknown keys refused, ``nan`` and ``inf`` refused (valid TOML floats, but no field's
value). A validator reports a problem below the model it checks by raising
:class:`PathError`, whose ``path`` the error formatters append to pydantic's location.

Examples
--------
>>> class Team(StrictModel):
...     name: str
...     size: Count = 0
>>> Team(name="T1", size=3)
Team(name='T1', size=3)
>>> Team.model_validate({"name": "T1", "seize": 3})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Team
seize
  Extra inputs are not permitted ...
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Base of every table of a spec or a scenario: strict, closed, frozen, finite."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class PathError(ValueError):
    """Raised inside a validator: a problem at ``path`` below the model being checked.

    Parameters
    ----------
    path : str
        Dotted path below the model (``"teams[2].size"``).
    message : str
        What is wrong and how to fix it.
    value : object
        The offending value.
    """

    def __init__(self, path: str, message: str, value: object) -> None:
        super().__init__(message)
        self.path, self.message, self.value = path, message, value


def as_tuple(value: Any) -> Any:
    """A TOML array (a list) as a tuple, for tuple fields; anything else unchanged."""
    return tuple(value) if isinstance(value, list) else value


#: a count of people, seats, ties...: an integer >= 0
Count = Annotated[int, Field(ge=0)]
#: a probability or a level in [0, 1]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
