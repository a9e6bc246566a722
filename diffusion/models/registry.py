"""Models by name: ``make_model("sir", beta=0.05, gamma=0.2)``.

Other model families register themselves by adding to :data:`MODELS`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from diffusion.models.base import Model
from diffusion.models.bass import Bass
from diffusion.models.cascade import IndependentCascade
from diffusion.models.epidemic import SI, SIR, SIS
from diffusion.models.ideas import IdeasModel
from diffusion.models.threshold import AbsoluteThreshold, FractionalThreshold, LinearThreshold

#: model name -> model class; each class has a ``params`` field whose type is its parameters
MODELS: dict[str, type[Model]] = {
    cls.name: cls
    for cls in (
        SI,
        SIR,
        SIS,
        FractionalThreshold,
        AbsoluteThreshold,
        LinearThreshold,
        IndependentCascade,
        Bass,
        IdeasModel,
    )
}


def default_params(model_class: type[Model]) -> Any:
    """Return the default parameters (a frozen dataclass instance) of a model class."""
    params_field = next(f for f in dataclasses.fields(model_class) if f.name == "params")
    return params_field.default_factory()  # type: ignore[misc]


def make_model(name: str, **params: Any) -> Model:
    """Return a model by name with the given parameters (the others keep their defaults).

    Raises
    ------
    ValueError
        In one line, naming the valid models or the valid parameters of the model.
    """
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(sorted(MODELS))}") from None
    default = default_params(cls)
    valid = [f.name for f in dataclasses.fields(default)]
    unknown = [k for k in params if k not in valid]
    if unknown:
        raise ValueError(
            f"model {name!r} has no parameter {unknown[0]!r}; valid: {', '.join(valid)}"
        )
    return cls(params=dataclasses.replace(default, **params))
