"""Parameters of the ideas model (:mod:`diffusion.models.ideas`).

Every parameter carries its unit, allowed range, mechanism (the numbering of
``docs/ideas-model.md``) and a one-line meaning in its field metadata, so that validation,
the documentation table (:func:`parameter_table`) and error messages come from one place.

Which defaults the fit on Table 1's patterns sets, the command that made them, and which stay
provisional (the report gives directions, not numbers) is said in one place,
``docs/calibration.md``; ``diffusion fit-report`` shows how well the defaults reproduce
every pattern.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

#: the parameters that may vary by run: a float64 array ``(runs,)`` (one value per run of the
#: simulation) instead of a number, so that many parameter sets run as one batch
#: (:func:`diffusion.models.base.stack_models`): every parameter ``diffusion calibrate`` fits
#: and the others of recruitment, receptivity and leader support
PER_RUN: tuple[str, ...] = (
    "p_leader_nominates",
    "nomination_leader_effect",
    "nomination_pair",
    "nomination_team_leader",
    "nomination_top",
    "nomination_word_of_mouth",
    "nomination_presentation",
    "nomination_aware",
    "nomination_adopter",
    "audience_department",
    "receptivity_soft",
    "receptivity_hard",
    "hard_side_opening_per_year",
    "receptivity_policy_officer",
    "p_leader_backs",
    "support_backing",
    "support_unaware",
    "support_aware",
    "support_adopted",
    "p_adopt_per_week",
    "p_lapse_per_week",
    "p_resist_per_week",
)

#: the allowed range of a parameter: (low, high), both included
Range = tuple[float, float]

_PROB: Range = (0.0, 1.0)
_UNIT: Range = (0.0, 1.0)
_NONNEG: Range = (0.0, math.inf)


def _p(
    default: float,
    unit: str,
    mechanism: str,
    doc: str,
    bounds: Range = _PROB,
    plausible: Range | None = None,
) -> Any:
    """Return a parameter field with its metadata (unit, range, mechanism, meaning).

    Where the data do not pin it down, also its plausible range (``"plausible"``: what-ifs are
    checked across it, :mod:`diffusion.robustness`).
    """
    meta = {"unit": unit, "range": bounds, "mechanism": mechanism, "doc": doc}
    if plausible is not None:
        meta["plausible"] = plausible
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class IdeasParams:
    """Parameters of :class:`~diffusion.models.ideas.IdeasModel`.

    ``docs/calibration.md`` says which defaults are fitted and which provisional.

    Units: ``p_..._per_week`` are probabilities per weekly step; ``..._effect`` in [0, 1] are
    the half-widths of a multiplier ``1 + effect * (2 * level - 1)`` that runs from
    ``1 - effect`` (level 0) to ``1 + effect`` (level 1); exposure is in tie-weight units
    (one cluster colleague who took the course = 1.0). The neutral value that switches a
    mechanism off is given in :func:`parameter_table` and ``docs/ideas-model.md``.

    The parameters in :data:`PER_RUN` may also be given per run: a numpy array ``(runs,)``,
    one value per run of the simulation, each in the parameter's range (kept as float64).

    Raises
    ------
    ValueError
        In one line, naming the parameter and its allowed range, when a value is out of range
        or not a number.
    """

    # -- awareness ---------------------------------------------------------------------------
    p_aware_per_week: float = _p(
        0.03,
        "1/week",
        "aware",
        "unaware -> aware at saturated exposure, x E/(1+E)",
        plausible=(0.01, 0.1),
    )
    p_aware_presentation: float = _p(
        0.6,
        "per talk attended",
        "4",
        "unaware audience member becomes aware at a presentation",
        plausible=(0.3, 0.9),
    )
    # -- 1 recruitment into cohorts ----------------------------------------------------------
    p_leader_nominates: float = _p(
        0.18,
        "probability per round",
        "1",
        "a manager at support level 1 names staff they manage in a round (x S_level)",
        plausible=(0.02, 1.0),
    )
    nomination_leader_effect: float = _p(
        31.0,
        "multiplier gain",
        "1",
        "nomination weight x 1 + g for a person their manager names this round",
        _NONNEG,
        plausible=(1.0, 100.0),
    )
    nomination_pair: float = _p(
        0.83,
        "probability",
        "1",
        "a nominating manager names two of their people, not one (7 of 27 cells are pairs)",
        plausible=(0.0, 1.0),
    )
    nomination_team_leader: float = _p(
        2.7,
        "multiplier",
        "1",
        "nomination weight of a team leader vs an employee (leaders take part more)",
        _NONNEG,
        plausible=(0.5, 10.0),
    )
    nomination_top: float = _p(
        0.0,
        "multiplier",
        "1",
        "nomination weight of heads and the secretary (0: they take no seats, as in Table 1)",
        _NONNEG,
    )
    nomination_word_of_mouth: float = _p(
        8.5,
        "multiplier gain",
        "1",
        "nomination weight x 1 + g Et/(1+Et), Et = exposure to trained",
        _NONNEG,
        plausible=(0.1, 30.0),
    )
    nomination_presentation: float = _p(
        0.34,
        "multiplier gain",
        "1",
        "nomination weight x 1 + g s/(1+s), s = presentations seen",
        _NONNEG,
        plausible=(0.1, 30.0),
    )
    nomination_aware: float = _p(
        1.1,
        "multiplier",
        "1",
        "nomination weight of aware or lapsed people vs unaware",
        _NONNEG,
        plausible=(1.0, 4.0),
    )
    nomination_adopter: float = _p(
        3.9,
        "multiplier",
        "1",
        "nomination weight of adopters vs unaware (self-selection: the ideas 'in de kiem')",
        _NONNEG,
        plausible=(1.0, 6.0),
    )
    taster_p_aware: float = _p(
        0.5,
        "probability",
        "1",
        "unaware taster-workshop attendee becomes aware",
        plausible=(0.2, 0.8),
    )
    # -- 2 complex contagion -----------------------------------------------------------------
    p_adopt_per_week: float = _p(
        0.0024,
        "1/week",
        "2",
        "aware -> adopter at full exposure and neutral multipliers (busy work folded in)",
        plausible=(0.0015, 0.009),
    )
    adopt_threshold: float = _p(
        1.5,
        "tie weight",
        "2",
        "exposure at which the Hill term E^h/(E^h+theta^h) is one half",
        (1e-6, math.inf),
        plausible=(1.0, 2.5),
    )
    adopt_steepness: float = _p(
        3.0,
        "dimensionless",
        "2",
        "Hill exponent h; 1 = no reinforcement needed",
        (1.0, 20.0),
        plausible=(1.5, 5.0),
    )
    adopter_influence: float = _p(
        0.7,
        "dimensionless",
        "2",
        "influence of an adopter relative to a trained person",
        (0.0, 10.0),
        plausible=(0.3, 1.0),
    )
    readopt_factor: float = _p(
        0.3,
        "multiplier",
        "6",
        "lapsed/dropped-out re-adoption probability vs aware",
        plausible=(0.1, 0.6),
    )
    # -- 3 leader support --------------------------------------------------------------------
    leader_effect: float = _p(
        0.6,
        "multiplier half-width",
        "3",
        "adoption x 1 + e(2S-1), S = leader support",
        plausible=(0.2, 0.9),
    )
    head_share: float = _p(
        0.4,
        "weight",
        "3",
        "weight of the second-line manager (head) in S; first-line (team leader) 1 - this",
        _UNIT,
        plausible=(0.2, 0.6),
    )
    support_unaware: float = _p(
        0.056,
        "level",
        "3",
        "support level of an unaware (or lapsed) leader",
        _UNIT,
        plausible=(0.0, 0.5),
    )
    support_aware: float = _p(
        0.31, "level", "3", "support level of an aware leader", _UNIT, plausible=(0.3, 0.7)
    )
    support_adopted: float = _p(
        1.0,
        "level",
        "3",
        "support level of a trained or adopting leader",
        _UNIT,
        plausible=(0.8, 1.0),
    )
    p_leader_backs: float = _p(
        0.062,
        "probability",
        "3",
        "a leader backs the course without taking it (per run)",
        plausible=(0.0, 0.6),
    )
    support_backing: float = _p(
        0.8, "level", "3", "support level floor of a backing leader", _UNIT, plausible=(0.6, 1.0)
    )
    # -- 4 top support -----------------------------------------------------------------------
    top_effect: float = _p(
        0.4,
        "multiplier half-width",
        "4",
        "adoption x 1 + e(2T-1), T = top support",
        plausible=(0.1, 0.8),
    )
    top_support_initial: float = _p(
        0.5, "level", "4", "top support T at step 0", _UNIT, plausible=(0.3, 0.7)
    )
    secretary_support: float = _p(
        0.8,
        "level",
        "4/5",
        "the secretary's sponsorship level (target of T)",
        _UNIT,
        plausible=(0.6, 1.0),
    )
    alderman_backing: float = _p(
        1.0,
        "level",
        "4/5",
        "support floor a backing alderman gives the staff tied to them (board ties)",
        _UNIT,
        plausible=(0.6, 1.0),
    )
    top_relax_per_week: float = _p(
        0.02,
        "1/week",
        "4",
        "fraction of the gap to the target T closes per week",
        plausible=(0.005, 0.05),
    )
    top_gain_per_presentation: float = _p(
        0.03,
        "level per talk",
        "4",
        "T rises by this for each presentation (pecha kucha)",
        plausible=(0.01, 0.06),
    )
    course_weeks: int = _p(
        26, "weeks", "4", "from cohort start to the participant's presentation", (0, 520)
    )
    audience_department: float = _p(
        0.46,
        "attendance",
        "4",
        "attendance of the rest of the department (own team, MT, board attend fully)",
        _UNIT,
        plausible=(0.2, 0.8),
    )
    # -- 6 isolation and lapse ---------------------------------------------------------------
    p_lapse_per_week: float = _p(
        0.0025,
        "1/week",
        "6",
        "trained/adopter -> dropped out/lapsed, alone (busy work folded in)",
        plausible=(0.0015, 0.015),
    )
    like_minded_effect: float = _p(
        1.0,
        "1/tie weight",
        "6",
        "lapse / (1 + k L), L = like-minded exposure incl. buddies",
        _NONNEG,
        plausible=(0.3, 2.0),
    )
    buddy_weight: float = _p(
        2.0,
        "multiplier",
        "6",
        "like-minded support of a buddy: per unit of buddy tie, or per buddies-action buddy",
        _NONNEG,
        plausible=(1.0, 4.0),
    )
    resistance_lapse: float = _p(
        1.0,
        "multiplier gain",
        "6/10",
        "lapse x 1 + g R/(1+R), R = exposure to resistant people",
        _NONNEG,
        plausible=(0.3, 2.0),
    )
    # -- 7 receptivity -----------------------------------------------------------------------
    receptivity_soft: float = _p(
        1.0, "level", "7", "receptivity on the soft side (and for plain graphs)", _UNIT
    )
    receptivity_hard: float = _p(
        0.1,
        "level",
        "7",
        "receptivity on the hard side at the start (step 0)",
        _UNIT,
        plausible=(0.02, 1.0),
    )
    hard_side_opening_per_year: float = _p(
        1.7,
        "1/year",
        "7",
        "hard-side receptivity x 1 + g t (t in years from step 0; capped at 1): late entry",
        _NONNEG,
        plausible=(0.0, 2.0),
    )
    receptivity_policy_officer: float = _p(
        0.26,
        "multiplier",
        "7",
        "factor on the receptivity of policy officers",
        _UNIT,
        plausible=(0.02, 1.0),
    )
    # -- 9 regime pressure -------------------------------------------------------------------
    cross_department_factor: float = _p(
        0.5,
        "multiplier",
        "9",
        "factor on cross_department tie weights",
        _NONNEG,
        plausible=(0.2, 1.0),
    )
    line_up_factor: float = _p(
        0.5,
        "multiplier",
        "9",
        "factor on upward line (line_up) tie weights",
        _NONNEG,
        plausible=(0.2, 1.0),
    )
    # -- 10 counter-movement -----------------------------------------------------------------
    p_resist_per_week: float = _p(
        0.00091,
        "1/week",
        "10",
        "unaware/aware -> resistant at saturated irritation, x s/(1+s) (talks seen)",
        plausible=(0.0002, 0.004),
    )
    push_resistance: float = _p(
        1.0,
        "multiplier gain",
        "10",
        "resistance driver + g P/(1+P), P = top-down pressure (the push's counter-movement)",
        _NONNEG,
        plausible=(0.0, 2.0),
    )
    resistance_damping: float = _p(
        1.0,
        "1/tie weight",
        "10",
        "adoption / (1 + k R), R = exposure to resistant people",
        _NONNEG,
        plausible=(0.3, 2.0),
    )
    p_unresist_per_week: float = _p(
        0.005, "1/week", "10", "resistant -> aware", plausible=(0.002, 0.02)
    )
    pressure_decay_per_week: float = _p(
        0.02,
        "1/week",
        "10",
        "fraction of the top-down pressure that fades per week",
        plausible=(0.005, 0.05),
    )
    push_adoption_effect: float = _p(
        0.5,
        "multiplier gain",
        "10",
        "adoption x 1 + g P/(1+P), P = top-down pressure",
        _NONNEG,
        plausible=(0.0, 1.0),
    )
    # -- 11 project ties ---------------------------------------------------------------------
    project_factor: float = _p(
        1.0,
        "multiplier",
        "11",
        "factor on project tie weights (0 = ignore projects)",
        _NONNEG,
        plausible=(0.5, 1.5),
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            low, high = f.metadata["range"]
            if isinstance(value, np.ndarray):
                object.__setattr__(self, f.name, _per_run_values(f.name, value, low, high))
                continue
            is_int = isinstance(f.default, int)
            kind = int if is_int else (int, float)
            if isinstance(value, bool) or not isinstance(value, kind):
                what = "an integer" if is_int else "a number"
                raise ValueError(f"{f.name} must be {what} in {_show(low, high)}, got {value!r}")
            if not (low <= value <= high) or (isinstance(value, float) and math.isnan(value)):
                raise ValueError(f"{f.name} must be in {_show(low, high)}, got {value!r}")


def _per_run_values(name: str, value: np.ndarray, low: float, high: float) -> np.ndarray:
    """Return a per-run parameter as float64 ``(runs,)``, or raise ValueError in one line."""
    if name not in PER_RUN:
        raise ValueError(f"{name} takes one value, not one per run (per run: {', '.join(PER_RUN)})")
    if value.ndim != 1 or value.dtype.kind not in "iuf":
        raise ValueError(f"{name} per run must be a 1-d array of numbers, got {value!r}")
    values = value.astype(np.float64)
    inside = (values >= low) & (values <= high)  # False for NaN
    if not inside.all():
        bad = float(values[~inside][0])
        raise ValueError(f"{name} must be in {_show(low, high)}, got {bad!r} (per run)")
    return values


def _show(low: float, high: float) -> str:
    return f"[{low:g}, {'inf)' if math.isinf(high) else f'{high:g}]'}"


#: the value that switches each mechanism's parameter off (no effect), where one exists
NEUTRAL: dict[str, float] = {
    "nomination_leader_effect": 0.0,
    "nomination_pair": 0.0,
    "nomination_team_leader": 1.0,
    "nomination_top": 1.0,
    "nomination_adopter": 1.0,
    "nomination_word_of_mouth": 0.0,
    "nomination_presentation": 0.0,
    "nomination_aware": 1.0,
    "adopt_steepness": 1.0,
    "leader_effect": 0.0,
    "top_effect": 0.0,
    "top_gain_per_presentation": 0.0,
    "alderman_backing": 0.0,
    "hard_side_opening_per_year": 0.0,
    "push_resistance": 0.0,
    "p_lapse_per_week": 0.0,
    "like_minded_effect": 0.0,
    "buddy_weight": 0.0,
    "resistance_lapse": 0.0,
    "receptivity_soft": 1.0,
    "receptivity_hard": 1.0,
    "receptivity_policy_officer": 1.0,
    "cross_department_factor": 1.0,
    "line_up_factor": 1.0,
    "p_resist_per_week": 0.0,
    "resistance_damping": 0.0,
    "push_adoption_effect": 0.0,
    "project_factor": 0.0,
}


def parameter_table() -> list[dict[str, Any]]:
    """One row per parameter.

    Name, unit, default, range, mechanism, neutral value, plausible range (``"fixed"`` where the
    value is a fact or a reference), meaning.

    Used to write the table of ``docs/ideas-model.md`` and by the tests that keep it in step.
    """
    return [
        {
            "name": f.name,
            "unit": f.metadata["unit"],
            "default": f.default,
            "range": _show(*f.metadata["range"]),
            "mechanism": f.metadata["mechanism"],
            "neutral": NEUTRAL.get(f.name, ""),
            "plausible": _show(*f.metadata["plausible"]) if "plausible" in f.metadata else "fixed",
            "doc": f.metadata["doc"],
        }
        for f in fields(IdeasParams)
    ]
