"""The import graph of the project: no cycles, and no import that runs up a floor.

The graph is read from the source with ``ast``: every ``import x`` and ``from x import y`` in
every .py file outside tests/, virtual environments and migrations/versions, including imports
inside functions and under ``if TYPE_CHECKING``, so an import hidden in a function still counts.
The floors are data (``FLOORS``); the imports that still run up are listed in ``EXCEPTIONS``,
each with its reason, and a listed one that is gone fails too: the list can only shrink.
See docs/architecture.md, "The floors".
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "__pycache__", "node_modules"}  # and every folder starting with "."
SKIP_PREFIXES = ("migrations/versions/",)

# Bottom to top. A module's floor is that of the longest name here equal to it or its package;
# a module may import only from its own floor or below. Every module must have a floor.
FLOORS: list[tuple[str, ...]] = [
    ("vocabulary", "redact", "deploy"),  # the ground (stdlib only); deploy: config renderers
    ("config",),
    ("models",),  # the canonical schema (reads config for the RAG mapping)
    ("access.roles", "access.audit"),  # the rules and the audit the store's write path uses
    ("store", "migrations"),
    ("data_loaders", "access", "sample_data"),  # ingest and sync; grants, sessions, --as
    ("analytics",),
    ("charts", "exports", "cadence"),  # cadence: update sheets and the mails that carry them
    ("ui",),
    ("pages", "app", "launcher", "docs", "bench"),  # entry points, docs shots, benchmarks
]

# (importer, imported) -> why it still runs up. Remove a line when the import goes.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("data_loaders.ingest", "analytics.overwrite"): (
        "an upload's overwrite report reuses the analytics' money and open-label wording"
    ),
}


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every project module (dotted name -> file)."""
    mods: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        folders = rel.parts[:-1]
        if any(p in SKIP_DIRS or p.startswith(".") for p in folders):
            continue
        if rel.as_posix().startswith(SKIP_PREFIXES):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            mods[".".join(parts)] = path
    return mods


def _resolve(name: str, modules) -> str | None:
    """The project module ``name`` refers to (its longest known prefix), else None."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(source: str, module: str, is_package: bool, modules) -> set[str]:
    """The project modules ``source`` (the text of ``module``) imports, anywhere in it.

    ``from pkg import sub`` counts as importing ``pkg.sub`` when that is a module, else ``pkg``.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..a import b
                anchor = package.split(".") if package else []
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" if base else a.name for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target and target != module:
                found.add(target)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    return {
        mod: imports_of(path.read_text(encoding="utf-8"), mod, path.name == "__init__.py", modules)
        for mod, path in modules.items()
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle: the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(cycles)


def describe_cycle(cycle: list[str], graph: dict[str, set[str]]) -> str:
    members = set(cycle)
    arrows = [f"{a} -> {b}" for a in cycle for b in sorted(graph.get(a, ())) if b in members]
    return f"cycle of {len(cycle)} modules: " + "; ".join(arrows)


def floor_of(module: str, floors=FLOORS) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching name, floor)
    for level, names in enumerate(floors):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (
                best is None or len(name) > best[0]
            ):
                best = (len(name), level)
    return None if best is None else best[1]


def up_imports(graph: dict[str, set[str]], floors=FLOORS) -> list[tuple[str, str]]:
    """Every import from a lower floor to a higher one."""
    return sorted(
        (a, b)
        for a, targets in graph.items()
        for b in targets
        if floor_of(a, floors) is not None
        and floor_of(b, floors) is not None
        and floor_of(b, floors) > floor_of(a, floors)
    )


GRAPH = import_graph(project_modules())


def test_the_graph_is_read():
    # a sanity check on the reader: known arrows, including one inside a function
    assert "vocabulary.fields" in GRAPH["config"]
    assert "store" in GRAPH["data_loaders.ingest"]
    assert "access.grants" in GRAPH["access.__main__"]  # imported inside a function
    assert not any(m.startswith(("tests", "migrations.versions")) for m in GRAPH)


def test_no_import_cycles():
    cycles = find_cycles(GRAPH)
    assert not cycles, "\n".join(describe_cycle(c, GRAPH) for c in cycles)


def test_every_module_has_a_floor():
    missing = sorted(m for m in GRAPH if floor_of(m) is None)
    assert not missing, f"add these to FLOORS in tests/test_imports.py: {missing}"


def test_no_import_runs_up_a_floor():
    found = up_imports(GRAPH)
    new = [f"{a} -> {b}" for a, b in found if (a, b) not in EXCEPTIONS]
    assert not new, "imports from a lower floor to a higher one:\n" + "\n".join(new)
    gone = [f"{a} -> {b}" for a, b in EXCEPTIONS if (a, b) not in found]
    assert not gone, "no longer imported, remove from EXCEPTIONS: " + ", ".join(gone)


def test_the_ground_floor_imports_nothing_above_it():
    # vocabulary and redact import only the standard library, pandas and each other
    for mod, targets in GRAPH.items():
        if floor_of(mod) == 0:
            assert all(floor_of(t) == 0 for t in targets), (mod, targets)


def test_the_checker_catches_a_cycle_and_an_up_import():
    modules = {"low", "low.a", "low.b", "mid", "top"}
    graph = {
        "low.a": imports_of("import low.b", "low.a", False, modules),
        "low.b": imports_of("def f():\n    from . import a\n", "low.b", False, modules),
        "mid": imports_of("from low import a\nimport os", "mid", False, modules),
        "top": imports_of("import mid", "top", False, modules),
        "low": set(),
    }
    assert graph["low.b"] == {"low.a"}  # relative, inside a function
    assert graph["mid"] == {"low.a"}  # from-import of a submodule; os is not ours
    cycles = find_cycles(graph)
    assert cycles == [["low.a", "low.b"]]
    assert describe_cycle(cycles[0], graph) == "cycle of 2 modules: low.a -> low.b; low.b -> low.a"
    floors = [("low",), ("mid",), ("top",)]
    assert up_imports(graph, floors) == []
    graph["low"].add("top")  # up, but no cycle: top does not reach low itself
    assert up_imports(graph, floors) == [("low", "top")]
    assert find_cycles(graph) == [["low.a", "low.b"]]
    graph["low.a"].add("top")  # now low.a -> top -> mid -> low.a as well
    assert find_cycles(graph) == [["low.a", "low.b", "mid", "top"]]
