"""Run the benchmarks and print (or write) the report.

Usage::

    .venv/bin/python -m benchmarks            # everything (several minutes)
    .venv/bin/python -m benchmarks --quick    # smoke version, under a minute
    .venv/bin/python -m benchmarks --write    # also update benchmarks/README.md
    .venv/bin/python -m benchmarks --only rng --only standard

The report is markdown: a header (command, date, machine, library versions, the machine
yardstick) and one table per benchmark. A benchmark that cannot run (a module not there yet,
an error) gets a line saying why, and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as ``python benchmarks/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import REPEAT, SINGLE_LIMIT_S, Table, fmt_s, machine_info, yardstick

#: name -> (module, function); each function takes ``quick`` and returns a list of Tables
REGISTRY: dict[str, tuple[str, str]] = {
    "standard": ("benchmarks.bench_standard", "bench_standard"),
    "ideas": ("benchmarks.bench_ideas", "bench_ideas"),
    "org100k": ("benchmarks.bench_org100k", "bench_org100k"),
    "rng": ("benchmarks.bench_rng", "bench_rng"),
    "advise": ("benchmarks.bench_advise", "bench_advise"),
    "advise-evaluation": ("benchmarks.bench_evaluation", "bench_evaluation"),
    "sweep": ("benchmarks.bench_sweep", "bench_sweep"),
    "yardstick": ("benchmarks.bench_yardstick", "bench_yardstick"),
    "memory": ("benchmarks.bench_memory", "bench_memory"),
    "dask": ("benchmarks.bench_dask", "bench_dask"),
    "calibration": ("benchmarks.bench_calibration", "bench_calibration"),
}

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- BEGIN BENCHMARK RESULTS -->", "<!-- END BENCHMARK RESULTS -->"


def _load(name: str) -> Callable[..., list[Table]]:
    module, function = REGISTRY[name]
    return getattr(importlib.import_module(module), function)


def header(command: str, quick: bool, ys: float) -> str:
    """The report's header: how, when and where the figures were measured."""
    info = machine_info()
    lines = [
        f"Command: `{command}`{' (quick smoke run: small sizes)' if quick else ''}  ",
        f"Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}  ",
        f"Machine: {info['cpu']}, nproc {info['nproc']}, {info['platform']}  ",
        f"Python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, "
        f"networkx {info['networkx']}; BLAS/threads: {info['blas']}  ",
        f"Machine yardstick (fixed hand-written numpy SIR, 300 nodes x 1,000 runs x 40 steps, "
        f"best of 5): {fmt_s(ys)} s  ",
        f"Timing: best of {REPEAT} (a measurement whose single run exceeds "
        f"{SINGLE_LIMIT_S:.0f} s is not repeated; the timing column says how many); wall "
        "clock. Ratios compare figures measured in the same run, so they are more stable "
        "than the absolute times on a shared machine.",
    ]
    return "\n".join(lines) + "\n"


def run(names: Sequence[str], quick: bool, command: str) -> tuple[str, dict[str, str]]:
    """Run the named benchmarks; return the report's header and each one's markdown."""
    ys = yardstick()
    parts: dict[str, str] = {}
    for name in names:
        start = time.perf_counter()
        print(f"[benchmarks] {name} ...", file=sys.stderr, flush=True)
        try:
            tables = _load(name)(quick=quick, yardstick_s=ys)
        except Exception as exc:  # report and go on with the other benchmarks
            traceback.print_exc(file=sys.stderr)
            parts[name] = f"### {name}\n\nnot run: {type(exc).__name__}: {exc}\n"
            continue
        parts[name] = "\n".join(t.markdown() for t in tables)
        print(
            f"[benchmarks] {name} done in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return header(command, quick, ys), parts


def _marks(name: str) -> tuple[str, str]:
    """The markers of one benchmark's part inside the results."""
    return f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"


def write_readme(
    head: str, parts: Mapping[str, str], path: Path = README, *, whole: bool = True
) -> None:
    """Put the report between the markers of ``path`` (adding them at the end if missing).

    With ``whole`` (every benchmark ran) the results are replaced by ``head`` and the parts;
    else (``--only``) only the named parts are, each with ``head`` (how and when it was
    measured) and between its own markers, the others' results and notes left as they are
    (a part not there yet goes at the end of the results).
    """
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    inside, after = rest.split(END, 1)
    blocks = {name: f"{_marks(name)[0]}\n{part}\n{_marks(name)[1]}" for name, part in parts.items()}
    if whole:
        inside = "\n" + head + "\n" + "\n\n".join(blocks.values()) + "\n"
    else:
        for name, block in blocks.items():
            begin, end = _marks(name)
            stamped = block.replace(begin, f"{begin}\n{head}", 1)
            if begin in inside and end in inside:
                head_part, tail = inside.split(begin, 1)
                inside = head_part + stamped + tail.split(end, 1)[1]
            else:
                inside = inside.rstrip("\n") + "\n\n" + stamped + "\n"
    path.write_text(before + BEGIN + inside + END + after)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run the benchmarks and print the report."
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--write", action="store_true", help=f"update {README.name}")
    parser.add_argument(
        "--only", action="append", choices=list(REGISTRY), help="run only these (repeatable)"
    )
    args = parser.parse_args(argv)
    names = args.only or list(REGISTRY)
    command = "python -m benchmarks" + " ".join(
        ["", *(["--quick"] if args.quick else []), *(f"--only {n}" for n in args.only or [])]
    )
    before = os.environ.get("BENCH_BEFORE")
    if before:  # the 'before' columns' checkout, by its commit
        from benchmarks.bench_yardstick import _commit_of

        command = f"BENCH_BEFORE=<checkout of {_commit_of(before)}> {command}"
    head, parts = run(names, args.quick, command)
    print("\n".join([head, *parts.values()]))
    if args.write:
        write_readme(head, parts, whole=not args.only)
        print(f"[benchmarks] wrote {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
