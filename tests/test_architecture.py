"""The layout keeps its promises (docs/architecture.md): no import circles, lower layers
never import higher ones, and no module grows past what a newcomer can read.

Imports are read with `ast`, lazy ones inside functions included: a lazy import is
exactly how a circle hides. `from package import module` is an edge to the module,
not to the package's `__init__`, and a submodule's implicit import of its own
package is not counted (Python does that for every package).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "rulekit"

# Bottom to top. A module may import its own layer and those below it, never above.
LAYERS = (
    {"diagnostics", "personal", "sourceyaml", "atomic", "files", "calendar", "textnorm", "i18n"},   # the ground floor
    {"dsl", "records"},
    {"policy"},
    {"people"},
    {"evaluator", "columnar"},
    {"amend", "policytest"},
    {"report"},
    {"cli", "web"},  # web: `rulekit serve`'s pages, a shell over the library like the CLI
)
MAX_LINES = 450


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


MODULES = {_module_name(p)[0]: p for p in sorted(PACKAGE.rglob("*.py"))}


def _target(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> set[str]:
    """The rulekit modules `module` imports, anywhere in its body."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "rulekit"}
        elif isinstance(node, ast.ImportFrom):
            target = _target(module, is_package, node)
            if target.split(".")[0] != "rulekit":
                continue
            submodules = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(target)
    parents = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    return {m for m in found if m in MODULES and m != module and m not in parents}


GRAPH = {m: imports_of(m) for m in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_cycle_finder_finds_a_circle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circles():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS and docs/architecture.md")


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "rulekit"))
def test_lower_layers_never_import_higher_ones(module):
    upward = sorted(m for m in GRAPH[module] if m != "rulekit" and _layer(m) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports higher layers: {upward}"


def test_root_stays_small():
    entries = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__" and not (p / "__init__.py").exists()]
    assert len(entries) <= 8, sorted(entries)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_the_limit(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module]} has {lines} lines: split it by concern"


def test_architecture_doc_names_files_that_exist():
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = {m for m in __import__("re").findall(r"`(src/rulekit/[\w/]+\.py)`", doc)}
    assert named, "docs/architecture.md names no file"
    missing = sorted(p for p in named if not (SRC.parent / p).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_web_pages_never_import_the_cli():
    """The web pages and the CLI are two shells over the library: neither goes through the other."""
    through = sorted((m, t) for m in GRAPH if m.startswith("rulekit.web") for t in GRAPH[m] if t.startswith("rulekit.cli"))
    assert not through, through
