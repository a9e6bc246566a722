"""Issue 10 §3: memory estimates before allocating, and refusing work that cannot fit."""

from __future__ import annotations

import os
import tracemalloc

import pytest

from diffusion import budget
from diffusion.org.generate import generate
from diffusion.org.spec import spec_from_dict
from diffusion.scenario.build import build_study
from diffusion.scenario.load import load_scenario, packaged
from tests.safety.common import ROSTER, SCENARIO, assert_refused, invoke, listing


def test_the_simulation_estimate_bounds_what_a_simulation_allocates():
    study = build_study(
        load_scenario(packaged("etten-leur-baseline"), ["calendar.years=1"]).scenario
    )
    runs = 120
    # numba and the compiled loops are loaded once per process, as numpy is: not the
    # simulation's memory (budget.USABLE_SHARE leaves room for them)
    import diffusion.jit  # noqa: F401

    tracemalloc.start()
    results = study.simulate(runs, 1, batch_size=60, threads=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrays = list(results.counts.values())  # per grouping: (runs, records, groups, states)
    groups = sum(a.shape[2] for a in arrays) + 1  # the groupings' groups, and everyone
    estimate = budget.simulation_bytes(
        runs=runs,
        records=arrays[0].shape[1],
        groups=groups,
        states=len(study.model.state_names),
        people=study.org.n_nodes,
        batch=60,
    )
    # an upper bound that is not wildly above: the per-person working memory is a rounded-up
    # measurement, so the estimate may exceed the peak, but by less than 3 times
    assert peak <= estimate <= 3 * peak, (peak, estimate)


def test_the_organisation_estimate_bounds_what_building_it_allocates():
    spec = spec_from_dict(
        {"departments": [{"name": f"D{d}", "side": "soft", "teams": [
            {"name": f"T{d}-{t}", "size": 30} for t in range(6)]} for d in range(4)]}
    )  # fmt: skip
    people, ties = spec.expected_size()
    tracemalloc.start()
    G = generate(spec, seed=2)
    from diffusion.compile import compile_graph

    compile_graph(G)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert people == G.number_of_nodes()  # sizes are fixed here, so the count is exact
    # ties are drawn at random: the expectation is within 5% of the draw (about 7,000 ties,
    # a binomial sum with a standard deviation near 1%)
    assert abs(ties - G.number_of_edges()) < 0.05 * G.number_of_edges()
    assert peak <= budget.organisation_bytes(people, ties) <= 3 * peak


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(budget.ENV, raising=False)
    return tmp_path


def test_too_many_runs_are_refused_with_the_estimate_and_the_levers(cwd):
    (cwd / "s.toml").write_text(SCENARIO)
    before = listing(cwd)
    result = invoke("run", "s.toml", "--runs", "100000", "--max-memory", "50M", "--out", "o")
    [line] = assert_refused(result, says="error: 100000 runs of 318 people")
    assert "would need about" in line and "more than the 50.0 MiB of --max-memory" in line
    assert "--record-every" in line and "--scheduler" in line
    assert listing(cwd) == before
    assert os.environ.get(budget.ENV) is None  # the option does not outlive the command


def test_a_million_runs_are_refused_on_this_machine(cwd):
    (cwd / "s.toml").write_text(SCENARIO)
    assert_refused(invoke("run", "s.toml", "--runs", "100000000", "--out", "o"), says="runs")


def test_validate_of_a_ten_million_person_spec_is_refused_not_run_out_of_memory(cwd):
    teams = ", ".join(f'{{name = "T{t}", size = 1000}}' for t in range(100))
    departments = "".join(
        f'[[departments]]\nname = "D{d}"\nside = "soft"\nteams = [{teams.replace("T", f"D{d}T")}]\n'
        for d in range(100)
    )
    (cwd / "org.toml").write_text(departments)
    (cwd / "s.toml").write_text(SCENARIO + '[organisation]\nspec = "org.toml"\n')
    [line] = assert_refused(invoke("validate", "s.toml"), says="organisation")
    assert "10000101 people" in line and "would need about" in line


def test_a_spec_too_large_names_its_file_and_largest_team(cwd):
    (cwd / "org.toml").write_text(
        '[[departments]]\nname = "D"\nside = "soft"\n'
        'teams = [{ name = "T1", size = 6 }, { name = "T2", size = 10000000 }]\n'
    )
    [line] = assert_refused(invoke("org", "--spec", "org.toml"))
    assert line.startswith(
        "error: org.toml: departments[0].teams[1].size: an organisation of 10000008 people"
    )


def test_a_team_of_20000_is_refused_before_its_ties_are_made(cwd):
    rows = "".join(f"x{k},D,T1,employee,tl,,hard\n" for k in range(20_000))
    (cwd / "r.csv").write_text(ROSTER + rows)
    [line] = assert_refused(invoke("org", "--roster", "r.csv", "--max-memory", "4G"))
    assert line.startswith("error: r.csv: an organisation of 20007 people and about 2e+08 ties")


def test_max_memory_must_be_a_size(cwd):
    assert_refused(invoke("validate", "x.toml", "--max-memory", "lots"), says="--max-memory")


def test_parse_size():
    assert budget.parse_size("4G") == 4 * 2**30
    assert budget.parse_size("2.5GB") == int(2.5 * 2**30)
    assert budget.parse_size("512 MiB") == 512 * 2**20
    for bad in ("", "G", "-1G", "1X", "nan"):
        with pytest.raises(ValueError):
            budget.parse_size(bad)


def test_local_workers_are_capped_at_the_cores():
    cores = len(os.sched_getaffinity(0))
    assert budget.cap_workers(cores) == (cores, None)
    capped, note = budget.cap_workers(cores + 62)
    assert (
        capped == cores
        and note == f"--workers {cores + 62} capped at {cores}, the cores of this machine"
    )
