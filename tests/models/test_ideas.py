"""The ideas model: one test per mechanism of docs/model-from-seed.md, plus the machinery.

Directional tests run two arms with the same seed (common random numbers: the arms share
every draw wherever their states agree) and compare per-run counts. A direction is accepted
when the mean paired difference exceeds ``K`` standard errors of that mean. ``K = 4``: a
one-sided normal tail of 3e-5, so with no true effect a pass by noise is practically excluded,
and the effects below are sized so that their expected z-scores are far above 4 (a true effect
does not fail by bad luck of the seed either). "Switching a mechanism off" is tested as exact
equality of the two arms: with the mechanism's neutral value the difference must vanish, not
just shrink.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from diffusion.compile import CompiledOrg
from diffusion.engine import simulate
from diffusion.events import AddTies, Cohort, ModelAction, RemoveTies, SetParams, SetState
from diffusion.graphs import from_edges
from diffusion.models import ideas
from diffusion.models.base import State
from diffusion.models.ideas import (
    IdeasModel,
    IdeasParams,
    adoption_probability,
    hill,
    isolated_trained,
    lapse_probability,
    resistance_probability,
)
from diffusion.models.ideas_params import NEUTRAL, parameter_table
from diffusion.rng import RunRandom
from diffusion.vocabulary import STAFF_ROLES

#: paired differences must exceed this many standard errors (see the module docstring)
K = 4.0
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ideas-model.md"


# --------------------------------------------------------------------------------------------
# a small organisation: departments of teams, a leader per team, a head per department
# --------------------------------------------------------------------------------------------


def make_org(
    departments: tuple[tuple[str, str], ...] = (("A", "soft"), ("B", "hard")),
    teams_per_department: int = 2,
    team_size: int = 8,
    cross_pairs: int = 4,
    workload: float = 0.0,
) -> CompiledOrg:
    """Secretary; per department a head; per team a leader and ``team_size - 1`` employees.

    Ties: ``team`` (weight 1) inside each team, ``line_down`` 0.8 / ``line_up`` 0.4 along the
    line, ``mt`` 0.7 between the secretary and the heads, ``cross_department`` 0.5 between
    the first ``cross_pairs`` employees of the first team of the first two departments.
    Team ``"A1"`` is the first team of department ``"A"``.
    """
    ids, dept, team, role, side, manager = [], [], [], [], [], []

    def add(name: str, d: str, t: str, r: str, s: str, m: int) -> int:
        ids.append(name), dept.append(d), team.append(t), role.append(r), side.append(s)
        manager.append(m)
        return len(ids) - 1

    edges: dict[str, list[tuple[int, int, float]]] = {}

    def tie(kind: str, receiver: int, source: int, w: float) -> None:
        edges.setdefault(kind, []).append((receiver, source, w))

    secretary = add("secretary", "", "", "secretary", "soft", -1)
    members: dict[str, list[int]] = {}
    for d, s in departments:
        head = add(f"head-{d}", d, "", "head", s, secretary)
        tie("mt", head, secretary, 0.7), tie("mt", secretary, head, 0.7)
        for k in range(1, teams_per_department + 1):
            name = f"{d}{k}"
            leader = add(f"{name}-lead", d, name, "team_leader", s, head)
            people = [leader] + [
                add(f"{name}-{j}", d, name, "employee", s, leader) for j in range(1, team_size)
            ]
            members[name] = people
            for i in people:
                for j in people:
                    if i != j:
                        tie("team", i, j, 1.0)
    for i, m in enumerate(manager):
        if m >= 0:
            tie("line_down", i, m, 0.8), tie("line_up", m, i, 0.4)
    if len(departments) > 1:
        a, b = members[f"{departments[0][0]}1"], members[f"{departments[1][0]}1"]
        for i, j in zip(a[1 : 1 + cross_pairs], b[1 : 1 + cross_pairs], strict=True):
            tie("cross_department", i, j, 0.5), tie("cross_department", j, i, 0.5)
    n = len(ids)
    weights = {
        kind: sp.csr_array(
            (
                np.array([w for *_, w in e], np.float32),
                (np.array([r for r, *_ in e]), np.array([c for _, c, _ in e])),
            ),
            shape=(n, n),
        )
        for kind, e in edges.items()
    }
    labels = {
        "department": ("", *sorted({d for d in dept if d})),
        "team": ("", *sorted({t for t in team if t})),
        "role": STAFF_ROLES,
        "side": ("hard", "none", "soft"),
        "cluster": ("",),
        "kind": ("staff",),
    }
    values = {"department": dept, "team": team, "role": role, "side": side}
    groups = {g: np.array([labels[g].index(v) for v in values[g]]) for g in values}
    groups |= {"cluster": np.zeros(n, int), "kind": np.zeros(n, int)}
    return CompiledOrg(
        node_ids=tuple(ids),
        weights=weights,
        groups=groups,
        group_labels=labels,
        workload=np.full(n, workload, np.float32),
        manager=np.array(manager, np.int32),
        is_staff=np.ones(n, bool),
        name="test-org",
    )


def team(org: CompiledOrg, name: str, leader: bool = False) -> list[int]:
    """Positions of a team's employees (and its leader first if ``leader``)."""
    lead = leader_of(org, name)
    people = [int(i) for i in np.flatnonzero(org.mask("team", name)) if i != lead]
    return [lead, *people] if leader else people


def leader_of(org: CompiledOrg, name: str) -> int:
    return org.index[f"{name}-lead"]


def run(model: IdeasModel, org: CompiledOrg, events=(), n_runs=400, n_steps=52, seed=7):
    return simulate(model, org, n_runs=n_runs, n_steps=n_steps, seed=seed, events=events, threads=1)


def count(res, states, grouping: str, label: str, step: int | None = None) -> np.ndarray:
    """People per run in ``states`` in group ``label`` at ``step`` (default: the last)."""
    record = -1 if step is None else res.record_of_step(step)
    g = res.group_labels[grouping].index(label)
    idx = [res.state_names.index(s) for s in ([states] if isinstance(states, str) else states)]
    return res.counts[grouping][:, record, g][:, idx].sum(axis=1).astype(float)


def newly_adopted(res, nodes) -> np.ndarray:
    """People per run among ``nodes`` who adopted after step 0."""
    return (res.adopted_step[:, nodes] > 0).sum(axis=1).astype(float)


def assert_more(low: np.ndarray, high: np.ndarray, k: float = K) -> None:
    """Mean of ``high - low`` (paired by run) exceeds ``k`` standard errors."""
    d = np.asarray(high, float) - np.asarray(low, float)
    mean, se = d.mean(), d.std(ddof=1) / np.sqrt(d.size)
    assert mean > k * se, f"mean paired difference {mean:.4g} is not > {k} x SE ({se:.4g})"


def assert_same(a, b) -> None:
    """Two runs of the engine recorded exactly the same thing."""
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.adopted_step, b.adopted_step)


def seeded(org: CompiledOrg, trained=(), aware=()) -> list:
    """Events at step 0 putting people into ``trained`` and ``aware``."""
    events = []
    if len(aware):
        events.append(SetState(0, nodes=tuple(aware), state="aware"))
    if len(trained):
        events.append(SetState(0, nodes=tuple(trained), state="trained"))
    return events


def everyone(org: CompiledOrg) -> list[int]:
    return list(range(org.n_nodes))


@pytest.fixture(scope="module")
def org() -> CompiledOrg:
    return make_org()


# --------------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("p_adopt_per_week", 1.5, "p_adopt_per_week must be in [0, 1]"),
        ("p_lapse_per_week", -0.1, "p_lapse_per_week must be in [0, 1]"),
        ("adopt_steepness", 0.5, "adopt_steepness must be in [1, 20]"),
        ("nomination_word_of_mouth", -1.0, "nomination_word_of_mouth must be in [0, inf)"),
        ("leader_effect", float("nan"), "leader_effect must be in [0, 1]"),
        ("top_effect", True, "top_effect must be a number"),
        ("course_weeks", 26.5, "course_weeks must be an integer"),
        ("secretary_support", "high", "secretary_support must be a number"),
    ],
)
def test_invalid_parameters_raise_one_line_naming_the_parameter(name, value, words):
    with pytest.raises(ValueError, match=r"^" + words.replace("[", r"\[").replace(")", r"\)")):
        IdeasParams(**{name: value})
    with pytest.raises(ValueError, match=name):
        IdeasModel().with_params(**{name: value})


def test_plausible_ranges_hold_the_default_inside_the_allowed_range():
    fixed = []
    for f in dataclasses.fields(IdeasParams):
        if "plausible" not in f.metadata:
            fixed.append(f.name)
            continue
        low, high = f.metadata["plausible"]
        allowed = f.metadata["range"]
        assert allowed[0] <= low <= f.default <= high <= allowed[1], f.name
        assert low < high, f.name
    # values that are facts or the reference level (docs/ideas-model.md, "Parameters")
    assert sorted(fixed) == ["course_weeks", "nomination_top", "receptivity_soft"]


def test_every_parameter_has_unit_range_mechanism_and_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    rows = parameter_table()
    assert [r["name"] for r in rows] == [f.name for f in dataclasses.fields(IdeasParams)]
    for row in rows:
        assert row["unit"] and row["mechanism"] and row["doc"]
        assert f"`{row['name']}`" in text, f"{row['name']} is missing from {DOCS.name}"
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{row['name']}` |"))
        assert line.split("|")[3].strip() == str(row["default"]), f"{row['name']}: stale default"
    assert set(NEUTRAL) <= {r["name"] for r in rows}
    IdeasParams(**NEUTRAL)  # every neutral value is valid


# --------------------------------------------------------------------------------------------
# 2 complex contagion: against the formula, analytically
# --------------------------------------------------------------------------------------------


def test_adoption_probability_is_the_hill_formula_and_less_than_proportional():
    p = IdeasParams()
    e = np.array([1.0, 2.0])
    h, theta = p.adopt_steepness, p.adopt_threshold
    expected = p.p_adopt_per_week * e**h / (e**h + theta**h)
    got = adoption_probability(p, e)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[0] < 0.5 * got[1]  # one contact gives less than half of what two give
    assert float(hill(0.0, theta, h)) == 0.0 and float(hill(np.inf, theta, h)) == 1.0
    # mechanism off (h = 1): no reinforcement, one contact gives more than half
    simple = adoption_probability(dataclasses.replace(p, adopt_steepness=1.0), e)
    assert simple[0] > 0.5 * simple[1]


def test_one_step_adoption_frequency_matches_the_formula_at_exposure_1_and_2():
    # hubs 0 and 1 took the course; nodes 2..41 see hub 0 only (E = 1), 42..81 both (E = 2)
    n_single, n_double = 40, 40
    single = np.arange(2, 2 + n_single)
    double = np.arange(2 + n_single, 2 + n_single + n_double)
    src = np.r_[single * 0, double * 0, double * 0 + 1]
    dst = np.r_[single, double, double]
    org = from_edges(2 + n_single + n_double, src, dst, 1.0)
    params = IdeasParams(p_adopt_per_week=0.5)
    model = IdeasModel(params)
    n_runs = 2000
    rand = RunRandom(3, np.arange(n_runs))
    prep = model.prepare(org)
    state = model.init(org, prep, rand)
    aware = np.zeros(state.code.shape, bool)
    aware[:, 2:] = True
    model.set_state(state, aware, "aware", 0)
    model.set_state(
        state, np.isin(np.arange(org.n_nodes), [0, 1])[None].repeat(n_runs, 0), "trained", 0
    )
    model.step(org, prep, state, 0, rand)
    adopted = state.code == model.code("adopter")
    for nodes, e in ((single, 1.0), (double, 2.0)):
        p = float(adoption_probability(params, e))
        freq = adopted[:, nodes].mean()
        se = np.sqrt(p * (1 - p) / adopted[:, nodes].size)
        assert abs(freq - p) < K * se, (e, freq, p)


# --------------------------------------------------------------------------------------------
# 1 recruitment
# --------------------------------------------------------------------------------------------


def _state_with(model: IdeasModel, org: CompiledOrg, n_runs: int = 1, **states) -> tuple:
    """Model (with no backing leaders), prep, state and random numbers, with people put into
    the states given as ``state_name=positions``."""
    rand = RunRandom(0, np.arange(n_runs))
    model = dataclasses.replace(model, params=dataclasses.replace(model.params, p_leader_backs=0.0))
    prep = model.prepare(org)
    state = model.init(org, prep, rand)
    for name, nodes in states.items():
        mask = np.zeros(state.code.shape, bool)
        mask[:, list(nodes)] = True
        model.set_state(state, mask, name, 0)
    return model, prep, state, rand


def test_a_trained_leader_names_their_people_more_often(org):
    # a trained leader (support level 1) answers the secretary's round with
    # p_leader_nominates, an unaware one with p_leader_nominates * support_unaware; a leader
    # who answers names one of their people, or two with nomination_pair, and a named person
    # weighs 1 + nomination_leader_effect (word of mouth off, so only naming differs)
    params = IdeasParams(
        nomination_word_of_mouth=0.0, nomination_presentation=0.0, nomination_pair=0.4
    )
    model, prep, state, _ = _state_with(
        IdeasModel(params), org, n_runs=2000, trained=[leader_of(org, "A1")]
    )
    w = model.nomination_weights(org, prep, state)
    a1, a2 = team(org, "A1"), team(org, "A2")
    plain = w[:, a2].min()
    boosted = 1.0 + params.nomination_leader_effect
    assert set(np.unique(np.round(w[:, a1] / plain, 4))) <= {1.0, round(boosted, 4)}
    named_a1 = (w[:, a1] > plain).sum(axis=1)  # people named per run
    named_a2 = (w[:, a2] > plain).sum(axis=1)
    assert named_a1.max() <= 2 and named_a2.max() <= 2  # never more than two
    # binomial SE of a share over 2000 runs <= 0.011; 4 SE = 0.045
    assert (named_a1 > 0).mean() == pytest.approx(params.p_leader_nominates, abs=0.045)
    assert (named_a2 > 0).mean() == pytest.approx(
        params.p_leader_nominates * params.support_unaware, abs=0.045
    )
    # of the answering leaders, the share naming two is nomination_pair (A1 answers in
    # ~500 runs: SE <= 0.022, 4 SE = 0.09)
    assert (named_a1[named_a1 > 0] == 2).mean() == pytest.approx(0.4, abs=0.09)
    # mechanism off: both teams weigh the same in every run
    off = IdeasModel(dataclasses.replace(params, nomination_leader_effect=0.0))
    model, prep, state, _ = _state_with(off, org, n_runs=50, trained=[leader_of(org, "A1")])
    w = model.nomination_weights(org, prep, state)
    np.testing.assert_array_equal(w[:, team(org, "A1")], w[:, team(org, "A2")])


def test_named_people_are_drawn_by_their_plain_weight(org):
    # a leader names among their own people in proportion to the plain weight: an adopter
    # weighs nomination_adopter against an unaware colleague (self-selection)
    params = IdeasParams(
        nomination_word_of_mouth=0.0,
        nomination_presentation=0.0,
        nomination_pair=0.0,
        nomination_adopter=3.0,
        p_leader_nominates=1.0,
    )
    a1 = team(org, "A1")
    model, prep, state, _ = _state_with(
        IdeasModel(params), org, n_runs=4000, trained=[leader_of(org, "A1")], adopter=a1[:1]
    )
    w = model.nomination_weights(org, prep, state)
    named = w[:, a1] > w[:, team(org, "A2")].min() * params.nomination_adopter
    assert (named.sum(axis=1) == 1).all()  # a trained leader at p = 1 names one every run
    expected = 3.0 / (3.0 + len(a1) - 1)  # the adopter's share of the plain weight
    # binomial SE over 4000 runs <= 0.008; 4 SE = 0.032
    assert named[:, 0].mean() == pytest.approx(expected, abs=0.032)


def test_naming_two_makes_pairs_of_one_team_in_a_cohort(org):
    # the four team leaders took the course (support 1) and all answer the round
    # (p_leader_nominates = 1); a cohort of 2 seats a week later, paired seeds: managers who
    # name two of their people make a pair of one team more often than managers who name
    # one (then a pair needs two managers of one team: only a head and their team leader)
    leaders = [leader_of(org, name) for name in ("A1", "A2", "B1", "B2")]
    events = [*seeded(org, trained=leaders), Cohort(1, "LC", seats=2)]

    def pairs(params: IdeasParams) -> np.ndarray:
        res = run(IdeasModel(params), org, events, n_runs=1000, n_steps=2)
        took = res.adopted_step == 1
        teams = [team(org, name) for name in ("A1", "A2", "B1", "B2")]
        return np.sum([took[:, t].sum(axis=1) >= 2 for t in teams], axis=0).astype(float)

    base = IdeasParams(p_leader_nominates=1.0, nomination_word_of_mouth=0.0, nomination_pair=0.0)
    assert_more(pairs(base), pairs(dataclasses.replace(base, nomination_pair=0.9)))
    # off: a manager who names one person never names two
    one = IdeasModel(dataclasses.replace(base, nomination_pair=0.0, nomination_word_of_mouth=0.0))
    model, prep, state, _ = _state_with(one, org, n_runs=500)
    w = model.nomination_weights(org, prep, state)
    for name in ("A1", "A2", "B1", "B2"):
        people = team(org, name)
        assert ((w[:, people] > w[:, people].min(axis=1, keepdims=True)).sum(axis=1) <= 1).all()


def test_team_leaders_take_part_more_and_the_top_takes_no_seats(org):
    # no nominations in this round: the weights differ only by role (and side)
    params = IdeasParams(p_leader_nominates=0.0, nomination_team_leader=2.5, nomination_top=0.0)
    model, prep, state, _ = _state_with(IdeasModel(params), org)
    w = model.nomination_weights(org, prep, state)[0]
    assert w[leader_of(org, "A1")] / w[team(org, "A1")[0]] == pytest.approx(2.5, rel=1e-6)
    assert w[org.index["head-A"]] == 0 and w[org.index["secretary"]] == 0
    # mechanism off: a head weighs as an employee of the same side would
    neutral = dataclasses.replace(params, nomination_team_leader=1.0, nomination_top=1.0)
    model, prep, state, _ = _state_with(IdeasModel(neutral), org)
    w = model.nomination_weights(org, prep, state)[0]
    assert w[org.index["head-A"]] == pytest.approx(w[team(org, "A1")[0]], rel=1e-6)
    assert w[leader_of(org, "A1")] == pytest.approx(w[team(org, "A1")[0]], rel=1e-6)


def test_the_hard_side_opens_over_time(org):
    params = IdeasParams(
        p_leader_nominates=0.0, receptivity_hard=0.2, hard_side_opening_per_year=0.5
    )
    model, prep, state, _ = _state_with(IdeasModel(params), org)
    b, a = team(org, "B1")[0], team(org, "A1")[0]
    w0 = model.nomination_weights(org, prep, state)[0]
    state.extra["t"][:] = 104  # two years on: 0.2 * (1 + 0.5 * 2) = 0.4
    w2 = model.nomination_weights(org, prep, state)[0]
    assert w0[b] / w0[a] == pytest.approx(0.2, rel=1e-5)
    assert w2[b] / w2[a] == pytest.approx(0.4, rel=1e-5)
    state.extra["t"][:] = 52 * 20  # capped at the soft side's 1
    assert model.nomination_weights(org, prep, state)[0][b] == pytest.approx(w0[a], rel=1e-5)
    # mechanism off: no change with time
    model, prep, state, _ = _state_with(
        IdeasModel(dataclasses.replace(params, hard_side_opening_per_year=0.0)), org
    )
    before = model.nomination_weights(org, prep, state)[0]
    state.extra["t"][:] = 104
    np.testing.assert_array_equal(model.nomination_weights(org, prep, state)[0], before)


def test_the_alderman_backs_the_staff_tied_to_them_until_leaving(org):
    # a board tie from an outsider to one employee of B1: that employee's leader support is at
    # least alderman_backing, nobody else's changes; alderman_leaves takes it away
    n = org.n_nodes
    target = team(org, "B1")[0]
    board = sp.csr_array(([1.0], ([target], [org.index["secretary"]])), shape=(n, n))
    tied = dataclasses.replace(org, weights={**org.weights, "board": board})
    model, prep, state, rand = _state_with(IdeasModel(IdeasParams(alderman_backing=0.9)), tied)
    nodes = np.arange(n)
    with_board = ideas._leader_support(prep, state, nodes)[0]
    assert with_board[target] == pytest.approx(0.9)
    plain = ideas._leader_support(model.prepare(org), state, nodes)[0]
    others = nodes != target
    np.testing.assert_array_equal(with_board[others], plain[others])
    model.act(tied, prep, state, 0, rand, "top_change", alderman_leaves=True)
    np.testing.assert_array_equal(ideas._leader_support(prep, state, nodes)[0], plain)


def test_nomination_weights_eligibility_receptivity_and_word_of_mouth(org):
    a1 = team(org, "A1")
    model, prep, state, _ = _state_with(
        IdeasModel(), org, trained=a1[:1], adopter=a1[1:2], resistant=a1[2:3], aware=a1[3:4]
    )
    w = model.nomination_weights(org, prep, state)[0]
    assert w[a1[0]] == 0 and w[a1[2]] == 0  # trained and resistant people are never nominated
    # self-selection: adopters, then the aware, are nominated before the unaware (one team)
    p = model.params
    assert w[a1[1]] / w[a1[4]] == pytest.approx(p.nomination_adopter, rel=1e-5)
    assert w[a1[3]] / w[a1[4]] == pytest.approx(p.nomination_aware, rel=1e-5)
    assert w[team(org, "A2")].min() > w[team(org, "B2")].max()  # soft beats hard
    # word of mouth: a trained team mate raises the weight of the rest of the team
    assert w[a1[4]] > w[team(org, "A2")[0]]


def test_taster_and_competing_course_scale_nomination_weights_exactly(org):
    model, prep, state, rand = _state_with(IdeasModel(), org)
    before = model.nomination_weights(org, prep, state)[0]
    model.act(org, prep, state, 0, rand, "taster", team="A2", boost=1.0, p_aware=0.0)
    model.act(org, prep, state, 0, rand, "competing_course", department="B", factor=0.5)
    after = model.nomination_weights(org, prep, state)[0]
    a2, b = org.mask("team", "A2"), org.mask("department", "B")
    np.testing.assert_allclose(after[a2], 2 * before[a2], rtol=1e-6)
    np.testing.assert_allclose(after[b], 0.5 * before[b], rtol=1e-6)
    rest = ~a2 & ~b
    np.testing.assert_array_equal(after[rest], before[rest])
    # a taster makes unaware attendees aware
    model.act(org, prep, state, 1, rand, "taster", team="A2", p_aware=1.0)
    assert np.all(state.code[0, a2] == model.code("aware"))


def test_cohorts_draw_more_from_the_team_of_a_trained_leader(org):
    a1, a2 = team(org, "A1"), team(org, "A2")
    candidates = np.isin(np.arange(org.n_nodes), a1 + a2)
    events = [Cohort(1, "LC", seats=3, candidates=candidates)]
    model = IdeasModel(IdeasParams(p_leader_backs=0.0))
    res = run(model, org, seeded(org, trained=[leader_of(org, "A1")]) + events, n_steps=1)
    assert_more(newly_adopted(res, a2), newly_adopted(res, a1))


# --------------------------------------------------------------------------------------------
# 3 leader support, 4 top support, 5 changes at the top
# --------------------------------------------------------------------------------------------


def _adoption_setup(org: CompiledOrg, name: str = "A1", n_trained: int = 3) -> tuple[list, list]:
    people = team(org, name)
    return seeded(org, trained=people[:n_trained], aware=everyone(org)), people[n_trained:]


def test_a_supportive_team_leader_raises_adoption_in_the_team(org):
    events, targets = _adoption_setup(org)
    backing = ModelAction(0, "leader_backing", {"level": 1.0, "nodes": [leader_of(org, "A1")]})
    for effect, compare in (
        (0.6, assert_more),
        (0.0, np.testing.assert_array_equal),
    ):
        model = IdeasModel(IdeasParams(p_leader_backs=0.0, leader_effect=effect))
        base = run(model, org, events, n_steps=26)
        backed = run(model, org, [*events, backing], n_steps=26)
        compare(newly_adopted(base, targets), newly_adopted(backed, targets))


def test_more_top_support_raises_adoption(org):
    events, targets = _adoption_setup(org)
    low = dict(top_support_initial=0.0, secretary_support=0.0, alderman_backing=0.0)
    high = dict(top_support_initial=1.0, secretary_support=1.0, alderman_backing=1.0)
    res = {
        k: run(IdeasModel(IdeasParams(**v)), org, events, n_steps=26)
        for k, v in (("low", low), ("high", high))
    }
    assert_more(newly_adopted(res["low"], targets), newly_adopted(res["high"], targets))
    off = {
        k: run(IdeasModel(IdeasParams(top_effect=0.0, **v)), org, events, n_steps=26)
        for k, v in (("low", low), ("high", high))
    }
    assert_same(off["low"], off["high"])


def test_a_top_change_that_lowers_support_lowers_adoption(org):
    events, targets = _adoption_setup(org)
    change = ModelAction(2, "top_change", {"secretary_support": 0.0, "alderman_leaves": True})
    model = IdeasModel()
    base = run(model, org, events, n_steps=40)
    changed = run(model, org, [*events, change, RemoveTies(2, kind="board")], n_steps=40)
    assert_more(newly_adopted(changed, targets), newly_adopted(base, targets))
    off = IdeasModel(IdeasParams(top_effect=0.0))
    assert_same(run(off, org, events, n_steps=40), run(off, org, [*events, change], n_steps=40))


def test_top_change_sets_the_sponsor_and_loses_support(org):
    model, prep, state, rand = _state_with(IdeasModel(), org)
    state.extra["top"][:] = 0.8
    model.act(
        org,
        prep,
        state,
        0,
        rand,
        "top_change",
        secretary_support=0.2,
        alderman_leaves=True,
        support_loss=0.25,
    )
    np.testing.assert_allclose(state.extra["top"], 0.6)
    assert state.extra["sponsor"][0] == np.float32(0.2) and state.extra["board"][0] == 0
    model.step(org, prep, state, 0, rand)
    target = 0.2  # the new sponsor level; the alderman's backing is no part of T
    np.testing.assert_allclose(
        state.extra["top"], 0.6 + model.params.top_relax_per_week * (target - 0.6), rtol=1e-6
    )


# --------------------------------------------------------------------------------------------
# presentations (4), isolation and lapse (6), workload (8, folded into the base rates)
# --------------------------------------------------------------------------------------------


def test_presentations_make_the_audience_aware_and_raise_top_support(org):
    params = IdeasParams(
        p_aware_per_week=0.0, p_aware_presentation=1.0, p_lapse_per_week=0.0, course_weeks=5
    )
    model, prep, state, rand = _state_with(IdeasModel(params), org, n_runs=50)
    presenter = team(org, "A1")[0]
    mask = np.zeros(state.code.shape, bool)
    mask[:, presenter] = True
    model.set_state(state, mask, "trained", 0)
    for t in range(5):
        model.step(org, prep, state, t, rand)
    unaware, aware = model.code("unaware"), model.code("aware")
    assert np.all(state.code[:, org.index["secretary"]] == unaware)
    top_before = state.extra["top"].copy()
    model.step(org, prep, state, 5, rand)
    audience = [i for i in team(org, "A1", leader=True) if i != presenter]
    audience += [org.index[name] for name in ("secretary", "head-A", "head-B")]
    assert np.all(state.code[:, audience] == aware)
    assert np.all(state.extra["seen"][:, team(org, "A2")] == np.float32(params.audience_department))
    assert np.all(state.code[:, team(org, "B2")] == unaware)  # not in the audience
    target = params.secretary_support
    relaxed = top_before + params.top_relax_per_week * (target - top_before)
    np.testing.assert_allclose(
        state.extra["top"] - relaxed, params.top_gain_per_presentation, atol=1e-6
    )
    assert np.all(state.extra["present_at"] == -1)


def explicit_attendance(org: CompiledOrg, share: float, talks: np.ndarray, n_runs: int):
    """Oracle: the talks attended, from the explicit ``(nodes, nodes)`` attendance matrix the
    model used to build (own team 1, MT and board 1, rest of the department ``share``; only
    staff talks; not one's own), summed talk by talk in float64 and rounded to float32."""
    n = org.n_nodes

    def labels(grouping: str) -> np.ndarray:
        if grouping not in org.groups:
            return np.full(n, "", dtype=object)
        return np.asarray(org.group_labels[grouping], dtype=object)[org.groups[grouping]]

    staff = org.is_staff.astype(np.float32)
    team, dept = labels("team"), labels("department")
    same_team = (team[:, None] == team[None, :]) & (team[:, None] != "")
    same_dept = (dept[:, None] == dept[None, :]) & (dept[:, None] != "")
    top = np.isin(labels("role"), ("head", "secretary")) & org.is_staff
    top |= labels("kind") == "board"
    a = np.maximum(same_dept.astype(np.float32) * np.float32(share), same_team.astype(np.float32))
    a = np.maximum(a, np.outer(top, staff).astype(np.float32)) * staff[None, :]
    np.fill_diagonal(a, 0)
    tally = np.zeros((n_runs, n))
    for r, j in zip(*np.divmod(talks, n), strict=True):
        tally[r] += a[:, j]
    return tally.astype(np.float32)


def test_implicit_audience_equals_the_explicit_matrix(org):
    from diffusion.compile import compile_graph
    from diffusion.org.etten_leur import etten_leur

    # the test organisation with two board members, a non-staff node and one without a team
    kind = np.zeros(org.n_nodes, int)
    kind[[3, 20]] = 1
    staff = kind == 0
    staff[11] = False
    groups = dict(org.groups, kind=kind)
    groups["team"] = groups["team"].copy()
    groups["team"][team(org, "B1")[2]] = 0  # label ""
    mixed = dataclasses.replace(
        org,
        groups=groups,
        group_labels=dict(org.group_labels, kind=("staff", "board")),
        is_staff=staff,
    )
    picks = np.random.default_rng(3)
    for case in (mixed, compile_graph(etten_leur(0))):
        n_runs, n = 6, case.n_nodes
        talks = np.flatnonzero(picks.random(n_runs * n) < 0.2)
        talks = np.concatenate([talks[talks < (n_runs - 1) * n], [(n_runs - 1) * n + 3]])
        for share in (0.0, 0.3, 0.5, 1.0):
            audience = ideas._audience(case, share)
            got = ideas._attendance(
                audience, case.is_staff.astype(np.float32), n_runs, *np.divmod(talks, n)
            )
            np.testing.assert_array_equal(got, explicit_attendance(case, share, talks, n_runs))


def test_buddies_lower_lapse_and_isolated_trained_counts_eenlingen(org):
    loners = [team(org, t)[0] for t in ("A1", "A2", "B1", "B2")]
    events = seeded(org, trained=loners)
    buddies = AddTies(
        0, kind="buddy", sources=(loners[0], loners[2]), targets=(loners[1], loners[3])
    )
    quiet = dict(
        p_adopt_per_week=0.0, p_aware_per_week=0.0, p_aware_presentation=0.0, p_lapse_per_week=0.02
    )
    for bw, compare in (
        (2.0, assert_more),
        (0.0, np.testing.assert_array_equal),
    ):
        model = IdeasModel(IdeasParams(buddy_weight=bw, **quiet))
        alone = run(model, org, events, n_steps=104)
        paired = run(model, org, [*events, buddies], n_steps=104)
        dropped = [r.total[:, -1, r.state_names.index("dropped_out")] for r in (paired, alone)]
        compare(*dropped)
    # eenlingen: trained with nobody like-minded in the direct work environment
    a1 = team(org, "A1")
    code = np.zeros((2, org.n_nodes), np.int8)
    code[:, a1[0]] = IdeasModel.code("trained")
    code[1, a1[1]] = IdeasModel.code("adopter")
    lonely = isolated_trained(org, State(code))
    assert lonely[0, a1[0]] and not lonely[1, a1[0]] and lonely.sum() == 1


def _eenlingen(org: CompiledOrg) -> list[int]:
    """One trained employee per team: each is an eenling (their team, leader and cluster
    hold nobody like-minded)."""
    return [team(org, t)[0] for t in ("A1", "A2", "B1", "B2")]


def test_the_buddies_action_lowers_lapse(org):
    # Four eenlingen, no adoption or awareness (so their buddies stay unaware and supportive,
    # and nobody comes back from dropping out), lapse 0.02 a week. Alone, each drops out by
    # week 104 with probability 1 - 0.98^104 = 0.88; with a buddy (L = buddy_weight = 2, lapse
    # / 3) with 1 - (1 - 0.02/3)^104 = 0.50. The mean paired difference in dropped-out people
    # is about -4 x 0.38 = -1.5 a run; its SD is at most about 1.4 (four Bernoulli
    # differences), so with 200 runs SE <= 0.1 and the expected z is about -15, far beyond
    # -K. With buddy_weight = 0 the buddies change nothing: the arms must be identical.
    events = seeded(org, trained=_eenlingen(org))
    pair = ModelAction(0, "buddies", {"within": "team"})
    quiet = dict(
        p_adopt_per_week=0.0, p_aware_per_week=0.0, p_aware_presentation=0.0, p_lapse_per_week=0.02
    )
    for bw, compare in ((2.0, assert_more), (0.0, np.testing.assert_array_equal)):
        model = IdeasModel(IdeasParams(buddy_weight=bw, **quiet))
        alone = run(model, org, events, n_runs=200, n_steps=104)
        paired = run(model, org, [*events, pair], n_runs=200, n_steps=104)
        dropped = [r.total[:, -1, r.state_names.index("dropped_out")] for r in (paired, alone)]
        compare(*dropped)


def test_buddies_pair_every_eenling_in_their_team_and_the_count_falls(org):
    model, prep, state, rand = _state_with(IdeasModel(), org, n_runs=50, trained=_eenlingen(org))
    before = isolated_trained(org, state)
    assert np.all(before.sum(axis=1) == 4)
    model.act(org, prep, state, 3, rand, "buddies", within="team")
    buddy = state.extra["buddy"]
    run_, node = np.nonzero(buddy >= 0)
    assert np.array_equal(buddy >= 0, before)  # exactly the eenlingen got a buddy
    teams = org.groups["team"]
    assert np.all(teams[buddy[run_, node]] == teams[node]) and np.all(buddy[run_, node] != node)
    assert not isolated_trained(org, state).any()  # in every team someone could be asked
    # the buddies are drawn per run (purpose "buddies"), not the same colleague everywhere
    assert np.unique(buddy[:, _eenlingen(org)[0]]).size > 1
    # a buddy who drops out no longer supports: the eenling is isolated again
    state.code[run_, buddy[run_, node]] = IdeasModel.code("dropped_out")
    assert np.array_equal(isolated_trained(org, state), before)


def test_buddies_prefer_the_like_minded_and_respect_p_accept(org):
    # within the department, the eenling of A1 has a trained person in A2 and aware people in
    # A1; the trained one must be chosen (every run). With p_accept = 0.4, exactly the runs
    # whose "buddies" draw is below 0.4 get a buddy.
    a1, a2 = team(org, "A1"), team(org, "A2")
    model, prep, state, rand = _state_with(
        IdeasModel(), org, n_runs=200, trained=[a1[0], a2[0]], aware=a1[1:]
    )
    # a2[0] is not tied to a1[0]: both are eenlingen; each other's only trained candidate
    model.act(org, prep, state, 5, rand, "buddies", within="department", p_accept=0.4)
    u = rand.uniform("buddies", 5, org.n_nodes)
    buddy = state.extra["buddy"]
    accepted = u[:, a1[0]] < 0.4
    assert 40 < accepted.sum() < 120  # binomial(200, 0.4): mean 80, SD 7
    assert np.all(buddy[accepted, a1[0]] == a2[0]) and np.all(buddy[~accepted, a1[0]] == -1)
    with pytest.raises(ValueError, match="within must be one of"):
        model.act(org, prep, state, 5, rand, "buddies", within="building")


def test_same_seed_same_buddies_whatever_the_batch(org):
    # random states in 64 runs; the pairing of runs 10-29 done as a batch of their own (the
    # state subset with State.take, the draws with their run ids) equals theirs in the big one
    model = IdeasModel()
    prep = model.prepare(org)
    rand = RunRandom(5, np.arange(64))
    state = model.init(org, prep, rand)
    state.code[...] = np.random.default_rng(3).choice(
        len(ideas.STATES), size=state.code.shape, p=[0.3, 0.3, 0.15, 0.05, 0.05, 0.1, 0.05]
    )
    rows = np.arange(10, 30)
    part = state.take(rows)
    assert part.extra["buddy"].shape == (rows.size, org.n_nodes)
    model.act(org, prep, state, 7, rand, "buddies")
    model.act(org, prep, part, 7, RunRandom(5, rows), "buddies")
    assert (state.extra["buddy"] >= 0).sum() > 20  # the test pairs people at all
    np.testing.assert_array_equal(part.extra["buddy"], state.extra["buddy"][rows])


def test_workload_is_folded_into_the_base_rates():
    # the report: busy work is a concern of everyone, "in this they surely do not differ from
    # other employees" ("Te veel op je bord"), and no output can tell a per-person workload
    # effect from the base rates, so the model reads no workload: an organisation of idle
    # people and one of overloaded people give the same runs, draw for draw
    light, heavy = make_org(workload=0.0), make_org(workload=1.0)
    events = seeded(light, trained=team(light, "A1")[:3], aware=team(light, "A1")[3:])
    model = IdeasModel(IdeasParams(p_lapse_per_week=0.01, p_adopt_per_week=0.05))
    a, b = run(model, light, events, n_steps=52), run(model, heavy, events, n_steps=52)
    for states in ("adopter", "dropped_out"):
        seen = count(a, states, "team", "A1")
        assert seen.sum() > 0  # the test compares runs in which both happen
        np.testing.assert_array_equal(seen, count(b, states, "team", "A1"))


def test_lapse_probability_formula():
    p = IdeasParams()
    got = lapse_probability(p, np.array([0.0, 2.0]), resistant_exposure=1.0)
    expected = (
        p.p_lapse_per_week
        * (1 + p.resistance_lapse * 0.5)
        / (1 + p.like_minded_effect * np.array([0.0, 2.0]))
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# 7 receptivity, 9 regime, 10 counter-movement, 11 project ties
# --------------------------------------------------------------------------------------------


def test_a_hard_side_landscape_shock_raises_adoption_there(org):
    events, targets = _adoption_setup(org, "B1")
    shock = ModelAction(0, "landscape_shock", {"side": "hard", "factor": 2.5})
    model = IdeasModel()
    assert_more(
        newly_adopted(run(model, org, events), targets),
        newly_adopted(run(model, org, [*events, shock]), targets),
    )
    # mechanism off: with receptivity 1 everywhere the capped shock changes nothing
    off = IdeasModel(IdeasParams(receptivity_hard=1.0))
    assert_same(run(off, org, events), run(off, org, [*events, shock]))


def test_weaker_cross_department_ties_lower_spread_into_the_other_department(org):
    events = seeded(org, trained=team(org, "A1"))
    reached = ["aware", "trained", "adopter", "lapsed", "dropped_out"]
    strong = run(IdeasModel(IdeasParams(cross_department_factor=1.0)), org, events, n_steps=26)
    weak = run(IdeasModel(IdeasParams(cross_department_factor=0.1)), org, events, n_steps=26)
    assert_more(count(weak, reached, "department", "B"), count(strong, reached, "department", "B"))


def test_t9s_loose_ties_to_its_department_slow_the_spread_into_t9():
    """Moniek's team T9 is loose in department S ("Positie en netwerk", Moniek: "losse banden").

    The same Etten-Leur graph with and without the flag (``tests/org`` checks that only the
    kind of T9's department ties differs); T8's staff trained at step 0, no talks (no
    cohort), 26 weeks: fewer of T9 hear of the ideas through ties when they are loose (a T9
    member's department ties weigh 0.15 x cross_department_factor 0.5 instead of 0.3).
    Measured (seed 7, 400 runs): 0.82 of T9 reached loose, 1.85 tight, paired difference
    1.03 +- 0.046 (z = 22, far above K).
    """
    from diffusion.compile import compile_graph
    from diffusion.org.etten_leur import etten_leur_spec
    from diffusion.org.generate import generate
    from diffusion.org.spec import spec_from_dict

    loose = compile_graph(generate(etten_leur_spec(), seed=0))
    data = etten_leur_spec().model_dump()
    for dept in data["departments"]:
        for t in dept["teams"]:
            t["loose_in_department"] = False
    tight = compile_graph(generate(spec_from_dict(data), seed=0))
    assert loose.n_nodes == tight.n_nodes and list(loose.index) == list(tight.index)
    t8 = [int(i) for i in np.flatnonzero(loose.mask("team", "T8"))]
    reached = ["aware", "trained", "adopter", "lapsed", "dropped_out"]
    arms = [
        count(run(IdeasModel(), o, seeded(o, trained=t8), n_steps=26), reached, "team", "T9")
        for o in (loose, tight)
    ]
    assert_more(*arms)


def test_kind_factors_scale_the_influence(org):
    prep = IdeasModel(IdeasParams(line_up_factor=0.25, cross_department_factor=0.5)).prepare(org)
    lead, member = leader_of(org, "A1"), team(org, "A1")[0]
    assert prep.influence[lead, member] == np.float32(1.0 + 0.4 * 0.25)  # team + line_up
    assert prep.influence[member, lead] == np.float32(1.0 + 0.8)  # team + line_down
    other = team(org, "B1")[0]
    assert prep.influence[member, other] == np.float32(0.5 * 0.5)


def test_irritation_at_the_platform_creates_resistance_without_a_push(org):
    # the trained people of A1 present (seeded as trained: talks after course_weeks); the
    # audience that has seen talks turns resistant at p_resist_per_week * s / (1 + s)
    events, _ = _adoption_setup(org, "A1")
    params = IdeasParams(p_resist_per_week=0.05, course_weeks=1)
    res = run(IdeasModel(params), org, events)
    assert count(res, "resistant", "department", "A").mean() > 1
    # formula: no talks seen and no push, no resistance; saturating in both
    p = IdeasParams(p_resist_per_week=0.1, push_resistance=2.0)
    got = resistance_probability(p, np.array([0.0, 1.0, 0.0]), pressure=np.array([0, 0, 1.0]))
    np.testing.assert_allclose(got, [0.0, 0.1 * 0.5, 0.1 * 2.0 * 0.5], rtol=1e-6)
    # mechanism off
    off = run(IdeasModel(dataclasses.replace(params, p_resist_per_week=0.0)), org, events)
    assert count(off, "resistant", "department", "A").max() == 0


def test_top_down_push_adds_resistance_and_lowers_adoption_nearby(org):
    events, targets = _adoption_setup(org, "B1")
    # adoption at 0.01 a week (above the default) so that the damping shows within 4 SE
    push = ModelAction(0, "top_down_push", {"strength": 3.0})
    model = IdeasModel(
        IdeasParams(push_adoption_effect=0.0, p_resist_per_week=0.02, p_adopt_per_week=0.01)
    )
    base, pushed = run(model, org, events), run(model, org, [*events, push])
    assert_more(
        count(base, "resistant", "department", "B"), count(pushed, "resistant", "department", "B")
    )
    assert_more(newly_adopted(pushed, targets), newly_adopted(base, targets))
    # resistant neighbours damp adoption beyond the people they take out
    undamped = run(
        IdeasModel(
            IdeasParams(
                push_adoption_effect=0.0,
                p_resist_per_week=0.02,
                p_adopt_per_week=0.01,
                resistance_damping=0.0,
            )
        ),
        org,
        [*events, push],
    )
    assert_more(newly_adopted(pushed, targets), newly_adopted(undamped, targets))
    # mechanism off: the push adds no resistance and no adoption, and changes nothing
    off = IdeasModel(IdeasParams(push_adoption_effect=0.0, push_resistance=0.0))
    assert_same(run(off, org, events), run(off, org, [*events, push]))


def test_project_ties_raise_spread_to_the_linked_team(org):
    events = seeded(org, trained=team(org, "A1"))
    a1, b2 = team(org, "A1"), team(org, "B2")
    project = AddTies(4, kind="project", sources=tuple(a1[:4]), targets=tuple(b2[:4]), weight=0.6)
    reached = ["aware", "trained", "adopter", "lapsed", "dropped_out"]
    model = IdeasModel()
    base, linked = (
        run(model, org, events, n_steps=30),
        run(model, org, [*events, project], n_steps=30),
    )
    assert_more(count(base, reached, "team", "B2"), count(linked, reached, "team", "B2"))
    off = IdeasModel(IdeasParams(project_factor=0.0))
    assert_same(run(off, org, events, n_steps=30), run(off, org, [*events, project], n_steps=30))


# --------------------------------------------------------------------------------------------
# machinery: exactness of the thinning and the cached exposures, determinism, batching
# --------------------------------------------------------------------------------------------


def _busy_events(org: CompiledOrg) -> list:
    """Events touching every part of the model, including a re-prepare mid-run."""
    a1, b1 = team(org, "A1"), team(org, "B1")
    return [
        *seeded(org, trained=a1[:2] + b1[:1], aware=a1[2:] + team(org, "A2")),
        Cohort(3, "LC1", seats=2),
        ModelAction(5, "top_down_push", {"strength": 2.0}),
        ModelAction(6, "taster", {"department": "B", "boost": 1.0}),
        AddTies(8, kind="buddy", sources=(b1[0],), targets=(a1[0],)),
        AddTies(9, kind="project", sources=tuple(a1[:3]), targets=tuple(team(org, "B2")[:3])),
        ModelAction(10, "landscape_shock", {"side": "hard", "factor": 2.0}),
        ModelAction(11, "buddies", {"within": "department"}),
        Cohort(12, "LC2", seats=3),
        SetParams(14, {"p_adopt_per_week": 0.05}),
        ModelAction(15, "top_change", {"secretary_support": 0.3}),
        SetState(16, nodes=(b1[2],), state="resistant"),
    ]


def test_thinning_is_exact(org, monkeypatch):
    model = IdeasModel(
        IdeasParams(p_adopt_per_week=0.2, p_lapse_per_week=0.05, p_resist_per_week=0.2)
    )
    events = _busy_events(org)
    thinned = run(model, org, events, n_runs=200, n_steps=40)
    monkeypatch.setattr(ideas, "_BOUND_SLACK", 1e9)  # every cell gets its exact probability
    assert_same(thinned, run(model, org, events, n_runs=200, n_steps=40))


def test_cached_exposures_match_a_full_recomputation(org):
    model = IdeasModel(
        IdeasParams(p_adopt_per_week=0.2, p_lapse_per_week=0.05, p_resist_per_week=0.2)
    )
    rand = RunRandom(5, np.arange(64))
    prep = model.prepare(org)
    state = model.init(org, prep, rand)
    model.act(org, prep, state, 0, rand, "top_down_push", strength=3.0)
    picks = np.random.default_rng(0)
    for t in range(30):
        mask = picks.random(state.code.shape) < 0.02
        model.set_state(state, mask, ("trained", "adopter", "aware")[t % 3], t)
        model.step(org, prep, state, t, rand)
    model._sync(prep, state)
    for k, lut in enumerate((prep.active_weight, prep.resistant_weight)):
        full = (prep.influence @ lut[state.code].T).T
        np.testing.assert_allclose(state.extra["exposure"][:, k], full, atol=1e-5)


def test_same_seed_same_result_and_batch_size_does_not_matter(org):
    model = IdeasModel()
    events = _busy_events(org)
    kwargs = dict(n_runs=300, n_steps=30, seed=11, events=events)
    one = simulate(model, org, batch_size=300, threads=1, **kwargs)
    again = simulate(model, org, batch_size=300, threads=1, **kwargs)
    uneven = simulate(model, org, batch_size=37, threads=2, **kwargs)
    assert_same(one, again)
    assert_same(one, uneven)
    other = simulate(model, org, batch_size=300, threads=1, **{**kwargs, "seed": 12})
    assert not np.array_equal(one.adopted_step, other.adopted_step)


def test_every_declared_action_is_carried_out_and_documented(org):
    # Model.actions is what scenario code checks events against: each must be accepted by
    # act (an unknown name raises "no action"), and documented in act and docs/ideas-model.md
    model, prep, state, rand = _state_with(IdeasModel(), org)
    args = {"top_down_push": {"strength": 1.0}, "landscape_shock": {"factor": 1.0}}
    args |= {"competing_course": {"factor": 1.0}, "leader_backing": {"level": 0.5}}
    docs = DOCS.read_text()
    for action in IdeasModel.actions:
        model.act(org, prep, state, 0, rand, action, **args.get(action, {}))
        assert f"``{action}(" in (IdeasModel.act.__doc__ or "")
        assert f"| `{action}` |" in docs


def test_actions_reject_unknown_names_and_bad_values(org):
    model, prep, state, rand = _state_with(IdeasModel(), org)
    with pytest.raises(ValueError, match="no action 'coffee'"):
        model.act(org, prep, state, 0, rand, "coffee")
    with pytest.raises(ValueError, match="unknown department 'Z'"):
        model.act(org, prep, state, 0, rand, "landscape_shock", department="Z", factor=2.0)
    with pytest.raises(ValueError, match="factor must be a finite number >= 0"):
        model.act(org, prep, state, 0, rand, "landscape_shock", side="hard", factor=-1.0)
    with pytest.raises(ValueError, match="secretary_support must be a probability in"):
        model.act(org, prep, state, 0, rand, "top_change", secretary_support=2.0)
    with pytest.raises(ValueError, match="unknown node id 'nobody'"):
        model.act(org, prep, state, 0, rand, "leader_backing", nodes=["nobody"], level=1.0)


# --------------------------------------------------------------------------------------------
# the built-in organisation
# --------------------------------------------------------------------------------------------


def test_etten_leur_baseline_is_plausible():
    import datetime as dt

    from diffusion.calendar import Calendar
    from diffusion.compile import compile_graph
    from diffusion.org.etten_leur import etten_leur, facts

    org = compile_graph(etten_leur(0))
    cal = Calendar(dt.date(2015, 1, 5), dt.date(2018, 7, 30))
    seats = [2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4]  # 34 in all; seats per cohort are not reported
    events = [
        Cohort(cal.step_of(c["start"]), c["name"], s)
        for c, s in zip(facts()["cohorts"], seats, strict=True)
    ]
    res = simulate(IdeasModel(), org, n_runs=300, n_steps=cal.n_steps, seed=2018, events=events)
    took = ["trained", "dropped_out"]
    total = res.total[:, -1, [res.state_names.index(s) for s in took]].sum(axis=1)
    np.testing.assert_array_equal(total, 34)
    soft = count(res, took, "department", "C") + count(res, took, "department", "S")
    assert (soft / 34).mean() > 0.7  # observed 28 / 34 = 0.82
    adopters = res.total[:, -1, res.state_names.index("adopter")]
    assert 3 < adopters.mean() < 60  # tens, not hundreds
