"""The package's imports point one way: no cycles, and no import up the declared layers.

The layers follow the flow of data (scenario -> organisation graph -> compiled arrays ->
engine -> results -> plots, reports and the command line), read from the bottom: a module may
import modules of its own layer or of the layers below it, never above. Every import counts,
also one inside a function; only imports under ``if TYPE_CHECKING:`` are left out (they do
not run). A new module must be given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "diffusion"

#: layers from the bottom up: (name, module prefixes)
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "errors",
            "io",
            "outputs",
            "budget",
            "rng",
            "jit",
            "calendar",
            "vocabulary",
            "strict",
            "data",
            "allocator",
        ),
    ),
    ("organisation graph", ("org",)),
    ("compiled arrays", ("compile", "graphs", "summary")),
    ("models and events", ("models", "events")),
    ("engine and results", ("engine", "results", "tally")),
    ("study", ("study", "comparison")),
    ("scenario", ("scenario", "baseline")),
    (
        "workflows",
        (
            "executors",
            "processes",
            "chunks",
            "sweeps",
            "calibration",
            "advisor",
            "plotting",
            "tables",
            "comparison_plots",
            "comparison_files",
            "runfiles",
            "htmlreport",
            "catalogue",
            "robustness",
        ),
    ),
    ("library API", ("api",)),
    ("command line", ("cli",)),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """Index of the layer of ``module`` (``diffusion.x.y``); the package itself is on top."""
    if module == "diffusion":
        return len(LAYERS)
    first = module.split(".")[1]
    for index, (_, prefixes) in enumerate(LAYERS):
        if first in prefixes:
            return index
    raise LookupError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def imported(module: str) -> set[str]:
    """The package's modules that ``module`` imports (anywhere but under TYPE_CHECKING)."""
    path = MODULES[module]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if "TYPE_CHECKING" in ast.unparse(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    out = set()
    for name in found:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        # importing diffusion.a.b runs diffusion/a/__init__.py: not an edge of its own
        if name and name != module and not module.startswith(name + "."):
            out.add(name)
    return out


GRAPH: dict[str, set[str]] = {m: imported(m) for m in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_checks_see_a_cycle_and_an_upward_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("diffusion.org.graph") < layer_of("diffusion.compile")
    assert "diffusion.compile" in GRAPH["diffusion.engine"]


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_import_cycles():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_upward_import(module):
    upward = sorted(d for d in GRAPH[module] if layer_of(d) > layer_of(module))
    assert upward == [], f"{module} ({LAYERS[layer_of(module)][0]}) imports upward: {upward}"
