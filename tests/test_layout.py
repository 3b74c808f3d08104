"""The package's layout: no import cycle between the modules of `scheduler`, and every module
imports on its own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scheduler"


def module_names() -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(tree: ast.AST, name: str, is_package: bool) -> set[str]:
    """Every module name an import statement in `tree` names (at any depth, lazy imports in a
    function included), except under `if TYPE_CHECKING:`, which never runs."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                anchor = here[:len(here) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it makes Python execute: what it imports, and the parent
    packages of those (an import runs each parent's __init__ first), other than its own."""
    modules = module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        own = set(_ancestors(name))
        deps: set[str] = set()
        for target in _imported(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py"):
            if target not in modules:
                continue
            deps.update(m for m in (*_ancestors(target), target) if m in modules and m not in own)
        deps.discard(name)
        graph[name] = deps
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "scheduler.scenario.loader" in graph and "scheduler.workbook.writer" in graph
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
    assert set(order) == set(graph)


def test_the_graph_sees_a_cycle_through_a_package_init():
    # scheduler.forecast imports the scenario models only for type checking; at run time that
    # import would run scheduler/scenario/__init__.py, which imports the loader, which imports forecast
    source = "from scheduler.scenario.models import Scenario\n"
    found = _imported(ast.parse(source), "scheduler.forecast", False)
    assert "scheduler.scenario.models" in found
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    " + source
    assert "scheduler.scenario.models" not in _imported(ast.parse(guarded), "scheduler.forecast", False)
    graph = import_graph()
    graph["scheduler.forecast"] |= {"scheduler.scenario", "scheduler.scenario.models"}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("a cycle through scheduler.scenario's __init__ went unseen")


def test_every_module_imports_in_a_fresh_interpreter_in_dependency_order():
    order = list(TopologicalSorter(import_graph()).static_order())
    code = f"import importlib\nfor name in {order!r}:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr[-2000:]
