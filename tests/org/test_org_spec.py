"""Loading and validating organisation specs."""

from __future__ import annotations

import pytest

from diffusion.errors import InputError
from diffusion.org.spec import SpecError, load_spec, spec_from_dict


def test_defaults_and_size_forms(small_spec):
    a1, a2 = small_spec.departments[0].teams
    assert small_spec.team_size(a1) == (6, 9)  # from team_defaults
    assert small_spec.team_size(a2) == (5, 5)  # an int means a fixed size
    assert small_spec.team_clusters(small_spec.departments[1].teams[0]) == 3
    assert small_spec.team_policy_share(a1) == 0.2
    assert small_spec.tie_probabilities.cluster == 0.8


def test_load_spec_from_toml(tmp_path):
    path = tmp_path / "org.toml"
    path.write_text(
        'name = "X"\nseed = 4\n[[departments]]\nname = "D"\nside = "soft"\n'
        'teams = [{ name = "T1", size = [5, 6] }]\n[tie_weights]\nline_up = 0.3\n'
    )
    spec = load_spec(path)
    assert spec.name == "X" and spec.seed == 4
    assert spec.departments[0].teams[0].size == (5, 6)
    assert spec.tie_weights == {"line_up": 0.3}


@pytest.mark.parametrize(
    ("change", "path", "text"),
    [
        (lambda d: d["departments"][1].update(side="medium"), "departments[1].side", "'medium'"),
        (lambda d: d["team_defaults"].update(size="8"), "team_defaults.size", "'8'"),
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (lambda d: d["departments"][0]["teams"][0].update(size=[9, 6]), "teams[0].size", "min"),
        (
            lambda d: d["departments"][0]["teams"][0].update(size=2),
            "departments[0].teams[0].size",
            "at least one member per cluster",
        ),
        (lambda d: d["departments"][1].update(name="A"), "departments[1].name", "duplicate"),
        (lambda d: d.update(tie_weights={"friend": 1.0}), "tie_weights.friend", "unknown tie"),
        (lambda d: d["people"][0].update(team="Z9"), "people[0].team", "no team"),
        (lambda d: d["board"]["ties"][0].update(alderman=5), "board.ties[0].alderman", "only 2"),
        (
            lambda d: d.update(tie_probabilities={"cluster": 1.5}),
            "tie_probabilities.cluster",
            "less than or equal to 1",
        ),
        (
            lambda d: d["departments"][0]["teams"][0].update(leader_is_head=True),
            "departments[0].teams[1].leader_is_head",
            "at most one team",
        ),
    ],
)
def test_spec_errors_name_the_path(small_spec_dict, change, path, text):
    change(small_spec_dict)
    with pytest.raises(SpecError) as info:
        spec_from_dict(small_spec_dict, "org.toml")
    message = str(info.value)
    assert message.startswith("org.toml: ")
    assert path in message
    assert text in message
    assert "\n" not in message
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_missing_value_and_bad_toml(tmp_path):
    with pytest.raises(SpecError, match=r"^<spec>: departments: missing; this key is required$"):
        spec_from_dict({})
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(SpecError, match=r"bad\.toml: not valid TOML"):
        load_spec(bad)
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "absent.toml")


def test_spec_is_frozen(small_spec):
    with pytest.raises(ValueError, match="frozen"):
        small_spec.seed = 9
