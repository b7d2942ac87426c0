"""The house: packages in layers, imports that run one way, no import circle.

Every import in the package counts, at module level or inside a function, so a lazy import is no
way around the rule. The layer order is the data flow of the three journeys: shared utilities,
then the gold (what is scored and loaded), then scoring, then systems (which make predictions and
may score them), then curation (which builds and extends the gold with all of the above), then
the command line on top.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nkru_bench"

# A module may import from its own layer and the layers below it, never from one above.
LAYERS = {
    "nkru_bench.common": 0,
    "nkru_bench.gold": 1,
    "nkru_bench.scoring": 2,
    "nkru_bench.systems": 3,
    "nkru_bench.curation": 4,
    "nkru_bench.cli": 5,
    "nkru_bench.__main__": 5,
    "nkru_bench": 5,  # the package itself: the lazy public API
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(name: str) -> int:
    best = max((prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``path`` imports (a name imported from a package counts as its
    submodule when there is one); ``import_module("nkru_bench....")`` strings count too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("nkru_bench"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("nkru_bench")}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = re.fullmatch(r"(nkru_bench(?:\.\w+)+)(?::[\w.]+)?", node.value)
            if match and match.group(1) in known:
                found.add(match.group(1))
    found.discard(module_name(path))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_circle_and_an_upward_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer("nkru_bench.gold.records") < layer("nkru_bench.scoring.matching")
    assert layer("nkru_bench.curation.interop.brat") == LAYERS["nkru_bench.curation"]


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        assert any(name == p or name.startswith(p + ".") for p in LAYERS), f"{name}: add it to LAYERS"


def test_no_import_circle() -> None:
    assert cycles(graph()) == []


def test_imports_run_down_the_layers_only() -> None:
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, targets in graph().items()
        for target in sorted(targets)
        if layer(target) > layer(name)
    ]
    assert upward == []


def test_the_readme_map_names_every_module() -> None:
    """The README's repository map lists each package's modules; it matches the tree exactly."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Repository map", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(nkru_bench/[\w/]+\.py)`", section))
    on_disk = {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py")}
    assert listed == on_disk, {"missing from the map": on_disk - listed, "not in the tree": listed - on_disk}
