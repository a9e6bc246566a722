"""(d) A generated 100,000-person organisation, 100 runs x 10 years of the ideas model.

The organisation (:func:`org_spec`): 100 departments of 50 teams of 20 people (team leader
included), three clusters a team, plus a head per department and the secretary: 100,101
staff. Tie probabilities keep the degree organisation-like (~15 ties a person, as in the
built-in Etten-Leur organisation) whatever the size: dense clusters (0.8) and teams (0.25),
about 5 department ties and 2 ties across departments a person, the full management team and
a sparse team leaders' forum (~10 ties a leader).

Events: a cohort of 1% of staff every 13 weeks (4% a year, the Etten-Leur cadence of four
cohorts of three among ~300 staff).

Recording: lean (counts by department, role and side, every 4 steps). The default recording
(the four default groupings, teams included, at every step) is not measured at this size: its
output alone is 521 records x 100 runs x ~5,100 groups x 7 states, ~3.6 GB even in uint16,
over the memory target by itself; an organisation this size is recorded leanly by choice.

Targets: at most 60 s and 2 GB. The graph is generated and compiled once in a child process
and cached under ``benchmarks/.cache/`` (keyed on the spec and the generator's source); each
measurement then runs in a fresh process that loads it, so the peak memory (``ru_maxrss``)
is the simulation's, with the loaded organisation and the imports.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    CHILD_LIMIT_MIB,
    ROOT,
    ChildError,
    Table,
    child_main,
    fmt_rate,
    fmt_ratio,
    fmt_s,
    peak_rss_mib,
    run_child,
    timed,
    yardstick,
)

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 2024
ORG_SEED = 1
TARGET_S, TARGET_MIB = 60.0, 2048.0
#: weeks between cohorts and seats per cohort as a share of staff
COHORT_EVERY, COHORT_SHARE = 13, 0.01


def org_spec(departments: int, teams: int = 50, team_size: int = 20) -> dict[str, Any]:
    """The organisation spec (a dict for :func:`diffusion.org.spec.spec_from_dict`)."""
    n_dept = departments * teams * team_size
    return {
        "name": f"generated-{departments}x{teams}x{team_size}",
        "team_defaults": {"size": team_size, "clusters": 3, "policy_officer_share": 0.15},
        "departments": [
            {
                "name": f"D{d:03d}",
                "side": "soft" if d % 2 else "hard",
                "teams": [{"name": f"D{d:03d}T{t:02d}"} for t in range(teams)],
            }
            for d in range(departments)
        ],
        "tie_probabilities": {
            "cluster": 0.8,
            "team": 0.25,
            # ~5 ties a person inside the department, ~2 across departments
            "department": min(1.0, 5.0 / max(teams * team_size, 1)),
            "cross_department": min(1.0, 2.0 / max(n_dept, 1)),
            "mt": 1.0,
            # ~10 forum ties a team leader
            "team_leaders_forum": min(1.0, 10.0 / max(departments * teams, 1)),
        },
        "workload": {"a": 3.0, "b": 3.0},
    }


#: the modules that build the cached organisation (``build``); what they import is followed
BUILDERS = ("diffusion.org.spec", "diffusion.org.generate", "diffusion.compile")


def source_files() -> list[Path]:
    """Return every file of the package that shapes the generated organisation.

    The :data:`BUILDERS` and every ``diffusion`` module they import, at the top or inside a
    function, followed to the end (read from the sources with :mod:`ast`, nothing imported),
    so a module that moves or is added is covered without a hand-kept list.
    """
    import ast

    package = ROOT / "diffusion"
    seen: dict[str, Path] = {}
    todo = list(BUILDERS)
    while todo:
        name = todo.pop()
        if name in seen or not name.startswith("diffusion"):
            continue
        parts = name.split(".")[1:]
        path = package.joinpath(*parts).with_suffix(".py")
        if not path.exists():
            path = package.joinpath(*parts, "__init__.py")
        if not path.exists():  # a name imported from a module, not a module
            continue
        seen[name] = path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                todo.append(node.module)
                todo += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
    return sorted(seen.values())


def _source_hash() -> str:
    """Hash of the code that shapes the cached organisation (:func:`source_files`)."""
    h = hashlib.sha256()
    for path in source_files():
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_path(departments: int) -> Path:
    """Where the compiled organisation of ``departments`` departments is cached."""
    key = hashlib.sha256(repr((org_spec(departments), ORG_SEED)).encode()).hexdigest()[:16]
    return CACHE / f"org-{departments}-{key}-{_source_hash()}.pickle"


def build(departments: int, path: str) -> dict[str, Any]:
    """In a child: generate and compile the organisation, pickle it to ``path``."""
    from diffusion.compile import compile_graph
    from diffusion.org.generate import generate
    from diffusion.org.spec import spec_from_dict

    start = time.perf_counter()
    G = generate(spec_from_dict(org_spec(departments)), seed=ORG_SEED)
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    org = compile_graph(G)
    compile_s = time.perf_counter() - start
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(org, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    return {
        "generate_s": generate_s,
        "compile_s": compile_s,
        "n_nodes": org.n_nodes,
        "n_ties": int(org.combined.nnz),
    }


def cohorts(n_staff: int, n_steps: int) -> list[Any]:
    """Cohort events: ``COHORT_SHARE`` of staff every ``COHORT_EVERY`` weeks."""
    from diffusion.events import Cohort

    seats = max(1, round(COHORT_SHARE * n_staff))
    return [
        Cohort(step, name=f"C{k}", seats=seats)
        for k, step in enumerate(range(COHORT_EVERY, n_steps, COHORT_EVERY))
    ]


#: recording variants: name -> (groupings, record_every)
RECORDINGS: dict[str, tuple[tuple[str, ...] | None, int]] = {
    "default": (None, 1),
    "lean": (("department", "role", "side"), 4),
}
#: (model, recording) rows of the table (see the module docstring for why not "default")
ROWS: tuple[tuple[str, str], ...] = (
    ("ideas", "lean"),
    ("sir", "lean"),
)
#: SIR for comparison: slow enough to last most of the 10 years
SIR_BETA, SIR_GAMMA, SIR_INITIAL = 0.01, 0.01, 10


def measure(
    path: str, model: str, recording: str, n_runs: int, n_steps: int, repeat: int
) -> dict[str, Any]:
    """In a child: load the organisation and time ``n_runs`` runs of ``n_steps`` steps."""
    from benchmarks.bench_standard import live_steps
    from diffusion.engine import simulate

    org = pickle.loads(Path(path).read_bytes())
    if model == "ideas":
        from diffusion.models.ideas import IdeasModel

        sim_model: Any = IdeasModel()
        events = cohorts(int(org.is_staff.sum()), n_steps)
    else:
        from diffusion.models.epidemic import SIR, SIRParams

        sim_model = SIR(SIRParams(beta=SIR_BETA, gamma=SIR_GAMMA, initial_infected=SIR_INITIAL))
        events = []
    groupings, record_every = RECORDINGS[recording]
    options: dict[str, Any] = {"record_every": record_every}
    if groupings is not None:
        options["groupings"] = groupings
    rss_before = peak_rss_mib()
    ys = yardstick()

    def run() -> Any:
        return simulate(
            sim_model, org, n_runs=n_runs, n_steps=n_steps, seed=SEED, events=events, **options
        )

    t = timed(run, repeat=repeat)
    adopted = [sim_model.code(s) for s in sim_model.adopted_states]
    steps = live_steps(t.value.total) * record_every
    return {
        "best_s": t.best_s,
        "cpu_s": t.cpu_s,
        "yardstick_s": ys,
        "n": t.n,
        "n_nodes": org.n_nodes,
        "n_ties": int(org.combined.nnz),
        "n_events": len(events),
        "rss_before_mib": rss_before,
        "mean_steps": float(min(n_steps, steps.mean())),
        "mean_adopted_final": float(t.value.total[:, -1, adopted].sum(axis=-1).mean()),
    }


def _default_recording_gb(departments: int, n_runs: int, n_steps: int) -> float:
    """GB of the counts the default recording would hold (uint16, 7 states), from the spec:
    every team and department (and the empty label of each), roles and sides."""
    spec = org_spec(departments)
    teams = sum(len(d["teams"]) for d in spec["departments"])
    groups = (teams + 1) + (len(spec["departments"]) + 1) + 6 + 3
    return (n_steps + 1) * n_runs * groups * 7 * 2 / 1e9


def _short(reason: str) -> str:
    """An error line without the module path of the exception type."""
    kind, _, message = reason.partition(": ")
    return f"{kind.rsplit('.', 1)[-1]}: {message}" if message else reason


def bench_org100k(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (d): the ideas model (and SIR) on a generated 100k-person organisation."""
    departments, n_runs, n_steps = (4, 20, 104) if quick else (100, 100, 520)
    path = cache_path(departments)
    built = f"cached in {path.relative_to(ROOT)}"
    if not path.exists():
        b = run_child(
            "benchmarks.bench_org100k",
            {"task": "build", "departments": departments, "path": str(path)},
        )
        built = (
            f"generated in {fmt_s(b['generate_s'])} s and compiled in {fmt_s(b['compile_s'])} s "
            f"(peak RSS {b['peak_rss_mib']:,.0f} MiB)"
        )
    table = Table(
        f"(d) generated organisation ({departments} departments x 50 teams x 20), "
        f"{n_runs} runs x {n_steps} weekly steps",
        [
            "model",
            "recording",
            "time (s)",
            "CPU (s)",
            "agent-steps/s",
            "steps/run",
            "time / yardstick",
            "peak RSS (MiB)",
            "target",
            "timing",
        ],
    )
    ideas_ok = False
    notes: dict[str, str] = {}
    for model, recording in ROWS:
        groupings, every = RECORDINGS[recording]
        rec = f"{'default groupings' if groupings is None else ', '.join(groupings)}, every {every}"
        try:
            r = run_child(
                "benchmarks.bench_org100k",
                {
                    "task": "measure",
                    "path": str(path),
                    "model": model,
                    "recording": recording,
                    "n_runs": n_runs,
                    "n_steps": n_steps,
                    "repeat": 1 if quick else 2,
                },
            )
        except ChildError as exc:
            table.add(model, rec, f"failed: {_short(exc.reason)}", "", "", "", "", "", "", "")
            continue
        verdict = ""
        if not quick and (model == "ideas" or not ideas_ok):
            ok = r["best_s"] <= TARGET_S and r["peak_rss_mib"] <= TARGET_MIB
            ideas_ok |= model == "ideas"
            verdict = (
                f"<= {TARGET_S:.0f} s and <= {TARGET_MIB / 1024:.0f} GiB: "
                f"{'met' if ok else 'NOT met'}"
            )
        table.add(
            model,
            rec,
            fmt_s(r["best_s"]),
            fmt_s(r["cpu_s"]),
            fmt_rate(n_runs * r["mean_steps"] * r["n_nodes"] / r["best_s"]),
            f"{r['mean_steps']:.0f}",
            fmt_ratio(r["best_s"] / r["yardstick_s"]),
            f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})",
            verdict,
            f"best of {r['n']}",
        )
        notes.setdefault(model, f"{model}: mean adopted at the end {r['mean_adopted_final']:,.0f}")
        notes.setdefault("size", f"{r['n_nodes']:,} nodes, {r['n_ties']:,} directed ties")
    n_cohorts = len(range(COHORT_EVERY, n_steps, COHORT_EVERY))
    table.notes += [
        f"Organisation: {notes.pop('size', '')}; {built}. See the module docstring for the spec.",
        f"ideas: default parameters, {n_cohorts} cohorts of {COHORT_SHARE:.0%} of staff every "
        f"{COHORT_EVERY} weeks. sir: beta {SIR_BETA}, gamma {SIR_GAMMA}, {SIR_INITIAL} "
        "infected at step 0 (for comparison and as the fallback if the ideas model cannot "
        "run; finished runs are dropped).",
        "recording: lean = counts by department, role and side (no teams), every 4 steps. "
        "The default recording (four groupings, teams included, every step) is not measured: "
        f"its counts alone would take {_default_recording_gb(departments, n_runs, n_steps):.1f} "
        "GB (uint16), over the memory target by themselves.",
        "agent-steps/s = nodes x runs x steps/run / time, steps/run the mean steps up to each "
        "run's last change (to a multiple of the recording interval). The target is judged "
        "on every ideas row that ran, and on the SIR rows only when no ideas row ran.",
        "peak RSS: ru_maxrss of a fresh process per row (imports and the loaded organisation "
        "included; 'before' is the peak before simulating); each child is capped at "
        f"{CHILD_LIMIT_MIB / 1024:.0f} GiB of address space so a runaway allocation fails "
        "instead of swapping the shared machine.",
        *notes.values(),
    ]
    return [table]


def _child(task: str, **args: Any) -> dict[str, Any]:
    return build(**args) if task == "build" else measure(**args)


if __name__ == "__main__":
    child_main(_child)
