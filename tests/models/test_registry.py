"""Models by name."""

from __future__ import annotations

import pytest

from diffusion.models.epidemic import SIR
from diffusion.models.registry import MODELS, make_model


def test_make_model_by_name():
    model = make_model("sir", beta=0.3, gamma=0.1)
    assert isinstance(model, SIR)
    assert (model.params.beta, model.params.gamma) == (0.3, 0.1)
    assert set(MODELS) >= {
        "si",
        "sir",
        "sis",
        "threshold",
        "absolute_threshold",
        "linear_threshold",
        "bass",
    }


def test_errors_name_the_valid_choices_on_one_line():
    with pytest.raises(
        ValueError, match="unknown model 'sirs'; valid: absolute_threshold, bass, "
    ) as err:
        make_model("sirs")
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="no parameter 'rate'; valid: beta, initial_infected"):
        make_model("si", rate=0.1)
    with pytest.raises(ValueError, match="beta must be a probability"):
        make_model("si", beta=2)
