"""Thin pages (issue 23): every page begins with ``page_setup()`` and none imports ``store``.

A page draws; it reads through ui/data.py (the one caching boundary and the one place
database errors become a plain message) and writes through the loaders' and access APIs. Read
with ast, so nothing is run: a page that breaks a rule fails here by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls_page_setup(node: ast.stmt) -> bool:
    """``page_setup(...)`` or ``ctx = page_setup(...)`` (also as ``page.page_setup``)."""
    value = node.value if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "page_setup"


def _draws(value: ast.expr) -> bool:
    """Whether ``value`` calls Streamlit (``st.column_config.*`` only describes a column)."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            if called.startswith("st.") and not called.startswith("st.column_config."):
                return True
    return False


def _first_statement(tree: ast.Module) -> ast.stmt | None:
    """The first statement that is not the docstring, an import, a function, a class or a
    constant (an ALL_CAPS assignment that draws nothing): what the page does first."""
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if (
            isinstance(node, ast.Assign)
            and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
            and not _draws(node.value)
        ):
            continue  # a constant of the page (labels, column configs)
        return node
    return None


def test_pages_are_found():
    assert len(PAGES) >= 12, [_name(p) for p in PAGES]


@pytest.mark.parametrize("path", PAGES, ids=_name)
def test_page_begins_with_page_setup(path):
    first = _first_statement(_tree(path))
    line = f"line {first.lineno}: {ast.unparse(first)[:80]}" if first else "nothing"
    assert first is not None and _calls_page_setup(first), (
        f"{_name(path)} does not begin with page_setup() (ui/page.py); its first statement is "
        f"{line}"
    )


@pytest.mark.parametrize("path", PAGES, ids=_name)
def test_page_does_not_import_store(path):
    found = [
        node.lineno
        for node in ast.walk(_tree(path))
        if (
            isinstance(node, ast.Import)
            and any(a.name == "store" or a.name.startswith("store.") for a in node.names)
        )
        or (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module == "store" or (node.module or "").startswith("store."))
        )
    ]
    assert not found, (
        f"{_name(path)} imports store (line {', '.join(map(str, found))}): read through "
        "ui/data.py, write through the loaders' and access APIs"
    )
