"""Issue 13 §4: a client's roster is read or explained in one go, with warnings for what
is allowed but probably not meant, and ``validate`` checks a scenario's events, cohorts and
quotas against the organisation it names."""

from __future__ import annotations

import pytest

from tests.safety.common import ROSTER, SCENARIO, assert_refused, error_lines, invoke


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_roster_problem_is_reported_at_once(cwd):
    bad = ROSTER.replace("e2,D,T1,employee", "e2,D,T1,wizard").replace(
        "e3,D,T1,policy_officer,tl", "e3,D,T1,policy_officer,boss"
    )
    (cwd / "r.csv").write_text(bad + "e1,D,T1,employee,tl,c1,hard\n")
    lines = assert_refused(invoke("org", "--roster", "r.csv"), 3)
    assert lines == [
        "error: r.csv: line 6: unknown role 'wizard'; use one of employee, policy_officer, "
        "team_leader, head, secretary, mayor, alderman, partner",
        "error: r.csv: line 9: duplicate id 'e1' (first on line 5); give every person a unique id",
        "error: r.csv: line 7: unknown manager_id 'boss' (no person has that id); use the id of "
        "a person in the roster, or leave it empty",
    ]


def test_every_ties_problem_is_reported_at_once(cwd):
    (cwd / "r.csv").write_text(ROSTER)
    (cwd / "t.csv").write_text("source,target,kind\ne1,zz,team\ne2,e3,friend\ne4,e4,team\n")
    lines = assert_refused(invoke("org", "--roster", "r.csv", "--ties", "t.csv"), 3)
    assert [line.split(": ")[2] for line in lines] == ["line 2", "line 3", "line 4"]


def test_a_semicolon_separated_roster_is_read(cwd):
    (cwd / "r.csv").write_text(ROSTER.replace(",", ";"))
    result = invoke("org", "--roster", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert "7 people" in result.output


def test_a_roster_with_a_utf8_byte_order_mark_is_read(cwd):
    (cwd / "r.csv").write_bytes(b"\xef\xbb\xbf" + ROSTER.encode())
    result = invoke("org", "--roster", "r.csv")
    assert result.exit_code == 0, result.stderr


def test_a_utf16_roster_is_explained(cwd):
    (cwd / "r.csv").write_bytes(ROSTER.encode("utf-16"))
    assert_refused(invoke("org", "--roster", "r.csv"), says="r.csv: line 1: saved as UTF-16")


def test_all_missing_columns_are_named_in_one_line(cwd):
    (cwd / "r.csv").write_text("id,name\na,b\n")
    assert_refused(
        invoke("org", "--roster", "r.csv"),
        says="line 1: missing columns 'department', 'team', 'role', 'manager_id'",
    )


def test_a_roster_without_side_warns_that_everyone_is_soft(cwd):
    (cwd / "r.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in ROSTER.splitlines()))
    result = invoke("org", "--roster", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert error_lines(result.stderr) == [
        "warning: r.csv: line 1: no side column: all staff are treated as the soft side; add a "
        "side column (soft or hard) to tell the hard side apart"
    ]


def test_one_person_departments_and_teams_warn(cwd):
    (cwd / "r.csv").write_text(ROSTER + "x1,Finance,T2,employee,sec,,soft\n")
    result = invoke("org", "--roster", "r.csv")
    assert result.exit_code == 0, result.stderr
    warnings = error_lines(result.stderr)
    assert [w.split(": ")[2:4] for w in warnings] == [
        ["line 9", "department 'Finance' has one person; check the spelling of its name (a "
         "one-person department has no colleagues in it to learn from)"],
        ["line 9", "team 'T2' has one person; check the spelling of its name (a one-person "
         "team has no colleagues in it to learn from)"],
    ]  # fmt: skip


def test_validate_refuses_a_shock_on_a_side_the_roster_does_not_have(cwd):
    (cwd / "r.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in ROSTER.splitlines()))
    (cwd / "s.toml").write_text(
        SCENARIO
        + '[organisation]\nroster = "r.csv"\n'
        + '[[events]]\nkind = "landscape_shock"\ndate = 2015-06-01\nside = "hard"\nfactor = 2.0\n'
    )
    result = invoke("validate", "s.toml")
    assert result.exit_code == 2
    lines = error_lines(result.stderr)
    assert lines[0].startswith("warning: r.csv: line 1: no side column")
    assert lines[1:] == [
        "s.toml: events[0].side: no one in the organisation is on this side (sides there: "
        "soft; a roster without a side column puts all staff on the soft side) (got 'hard')"
    ]


def test_validate_checks_quotas_and_ids_against_the_roster(cwd):
    (cwd / "r.csv").write_text(ROSTER)
    (cwd / "s.toml").write_text(
        SCENARIO
        + '[organisation]\nroster = "r.csv"\n'
        + '[[cohorts]]\nname = "A"\ndate = 2015-03-01\nquotas = {role = {head = 1, alderman = 1}}\n'
        + '[[cohorts]]\nname = "B"\ndate = 2015-04-01\nids = ["e1", "e9"]\n'
    )
    result = invoke("validate", "s.toml")
    assert result.exit_code == 2
    quota, ids = error_lines(result.stderr)
    assert quota == (
        "s.toml: cohorts[0].quotas.role.alderman: no role of that name; valid: employee, "
        "policy_officer, team_leader, head, secretary (got 'alderman')"
    )
    assert ids.startswith("s.toml: cohorts[1].ids[1]: no person of that id in the organisation")
    assert ids.endswith("(got 'e9')")


def test_a_quote_left_open_does_not_swallow_the_people_after_it(cwd):
    # the csv reader takes the rest of the file as one value: 37 of 40 people were lost
    lines = ROSTER.splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ',"unclosed\n'
    (cwd / "r.csv").write_text("".join(lines))
    [line] = assert_refused(invoke("org", "--roster", "r.csv"))
    last = len(lines)
    assert line == (
        f"error: r.csv: line 3: a quoted value runs on to line {last} (a quote without its "
        "closing quote?); close the quote or remove it"
    )


def test_more_values_than_columns_are_refused_and_empty_ones_at_the_end_are_not(cwd):
    lines = ROSTER.splitlines(keepends=True)
    columns = lines[0].count(",") + 1
    extra = lines.copy()
    extra[3] = extra[3].rstrip("\n") + ",Anna,x\n"
    (cwd / "r.csv").write_text("".join(extra))
    [line] = assert_refused(invoke("org", "--roster", "r.csv"))
    assert line == (
        f"error: r.csv: line 4: {columns + 2} values but the header has {columns} columns "
        "(first extra: 'Anna'); quote values that hold the separator"
    )
    trailing = lines.copy()
    trailing[3] = trailing[3].rstrip("\n") + ",,\n"  # as some spreadsheets write rows
    (cwd / "r.csv").write_text("".join(trailing))
    result = invoke("org", "--roster", "r.csv")
    assert result.exit_code == 0, result.stderr
    assert "7 people" in result.output


def test_a_manager_whose_row_is_wrong_is_one_problem_not_one_per_report(cwd):
    # tl's row has a bad workload: its four reports were each said to have an unknown manager
    (cwd / "r.csv").write_text(
        ROSTER.replace(
            "id,department,team,role,manager_id,cluster,side",
            "id,department,team,role,manager_id,cluster,side,workload",
        ).replace("tl,D,T1,team_leader,h1,,hard", "tl,D,T1,team_leader,h1,,hard,1.5")
    )
    [line] = assert_refused(invoke("org", "--roster", "r.csv"))
    assert line.startswith("error: r.csv: line 4: workload '1.5' is not a number in [0, 1]")
    # a manager that is really missing is still said, for each person who names them
    (cwd / "r.csv").write_text(ROSTER.replace(",tl,", ",nobody,"))
    lines = assert_refused(invoke("org", "--roster", "r.csv"), 4)
    assert all("unknown manager_id 'nobody'" in line for line in lines)


def test_an_id_with_a_control_character_is_refused(cwd):
    # an escape sequence in an id reached every table and file that names the person
    (cwd / "r.csv").write_text(ROSTER.replace("e4,D,T1", "e\x1b[31m4,D,T1"))
    [line] = assert_refused(invoke("org", "--roster", "r.csv"))
    assert line == (
        "error: r.csv: line 8: id 'e\\x1b[31m4' holds a control character; use letters, digits "
        "and punctuation"
    )


def test_a_direction_weight_on_a_tie_without_direction_is_refused(cwd):
    # weight_down on a team tie was read and then silently dropped
    (cwd / "r.csv").write_text(ROSTER)
    (cwd / "t.csv").write_text("source,target,kind,weight,weight_down\ne1,e3,team,,0.2\n")
    [line] = assert_refused(invoke("org", "--roster", "r.csv", "--ties", "t.csv"))
    assert line == (
        "error: t.csv: line 2: weight_down is for line ties (a manager and their report), and "
        "this is a team tie; give its weight in the weight column"
    )
