"""The cached organisation of the large benchmarks is keyed on every file that shapes it."""

from __future__ import annotations

from benchmarks.bench_org100k import ROOT, source_files


def test_the_cache_key_covers_every_module_the_generator_reads():
    files = {p.relative_to(ROOT).as_posix() for p in source_files()}
    # the builders, the node kinds and tie weights (vocabulary.py, once org/kinds.py, which
    # the former hand-kept list still named after it had moved), and a module imported
    # inside a function (the generator's memory check)
    for name in (
        "diffusion/org/generate.py",
        "diffusion/org/spec.py",
        "diffusion/org/graph.py",
        "diffusion/compile.py",
        "diffusion/vocabulary.py",
        "diffusion/budget.py",
    ):
        assert name in files
    # nothing the generation does not import (the engine, the models)
    assert "diffusion/engine.py" not in files
    assert not any(name.startswith("diffusion/models/") for name in files)
