"""The apps form floors (DESIGN.md): an app imports only from floors below its own, never sideways or up
(tests excepted). A cycle or an upward import fails here before it can become a tangle. Besides:

- every import is absolute and names its app (`from minxin import queueing` counts as importing it);
  no app imports the project's own modules (`minxin.api`, `minxin.urls`, …), which sit above them all;
- no import cycle between the modules of one app, counting imports inside functions (a lazy import
  hides a cycle, it does not remove it);
- hand-written SQL only in an app's `sql.py` or `pg.py` (`connection.cursor()` nowhere else);
- no module over 400 lines and no function over 60, but for the modules listed below by name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from minxin.core.tests.procs import ROOT

FLOORS = {
    "core": 1,
    "accounts": 2,
    "orgs": 2.5,  # orgs uses accounts' roles and users; accounts knows nothing of orgs
    "catalog": 3,
    "voting": 3,
    "watch": 3,
    "queueing": 4,
    "appointments": 5.5,  # a home visit opens a case; cases knows nothing of appointments
    "cases": 5,
    "feedback": 6,
    "competition": 7,
    "insights": 7.5,  # the dashboards show every system, the competition included
    "demo": 8,
}
PROJECT_MODULES = {"api", "urls", "asgi", "wsgi", "settings"}  # minxin.<these>: above every app
SQL_MODULES = {"sql.py", "pg.py"}
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60

# Known debt, named so it cannot grow (all empty now): modules over the limits, to be split along their
# seams; a listed module that meets the limits must leave the list (test below).
OVER_THE_LIMITS: set[str] = set()
# Hand-written SQL outside sql.py / pg.py: none left.
CURSOR_ELSEWHERE: set[str] = set()
# Apps that still use relative imports, and apps with an import cycle between their own modules.
RELATIVE_IMPORTS_PENDING: set[str] = set()
CYCLES_PENDING: set[str] = set()
# The one module that may import the project's API: it writes docs/openapi.json from it.
PROJECT_IMPORTERS = {"core/management/commands/export_openapi.py"}


def app_modules() -> list[tuple[str, Path]]:
    found = []
    for app in FLOORS:
        folder = ROOT / "minxin" / app
        for path in sorted(folder.rglob("*.py")) if folder.exists() else ():
            if "tests" not in path.parts and "migrations" not in path.parts:
                found.append((app, path))
    return found


def short(path: Path) -> str:
    return str(path.relative_to(ROOT / "minxin"))


@cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """Every module named by an import of `path` (inside functions too), with its line: for
    `from a.b import c`, both `a.b` and `a.b.c` (c may be a module); relative imports as level dots."""
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}" if node.module else base + alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def imported_apps(path: Path) -> set[str]:
    return {
        name.split(".")[1]
        for name, _line in imported_modules(path)
        if name.startswith("minxin.") and name.split(".")[1] in FLOORS
    }


MODULES = app_modules()
IDS = [short(path) for _app, path in MODULES]


@pytest.mark.parametrize(("app", "path"), MODULES, ids=IDS)
def test_apps_import_only_from_floors_below(app: str, path: Path) -> None:
    for other in imported_apps(path) - {app}:
        assert FLOORS[other] < FLOORS[app], f"{path} ({app}) imports {other}, which is not below it"


@pytest.mark.parametrize(("app", "path"), MODULES, ids=IDS)
def test_imports_are_absolute_and_never_reach_the_project_modules(app: str, path: Path) -> None:
    for name, line in imported_modules(path):
        if app not in RELATIVE_IMPORTS_PENDING:
            assert not name.startswith("."), f"{short(path)}:{line}: relative import {name}"
        parts = name.split(".")
        if parts[0] == "minxin" and len(parts) > 1 and short(path) not in PROJECT_IMPORTERS:
            assert parts[1] not in PROJECT_MODULES, f"{short(path)}:{line}: an app imports {name}"


def test_the_import_check_sees_every_spelling() -> None:
    """The cases that passed unseen before: the app named as a name, a relative import, the project."""
    source = (
        "from minxin import queueing\nfrom . import models\nfrom .services import x\n"
        "import minxin.api\ndef f():\n    from minxin.voting import sql\n"
    )
    path = ROOT / "minxin" / "core" / "tests" / "_spelling_probe.py"
    tree_of.cache_clear()
    try:
        path.write_text(source, encoding="utf-8")
        names = {name for name, _line in imported_modules(path)}
        assert imported_apps(path) == {"queueing", "voting"}
    finally:
        path.unlink()
        tree_of.cache_clear()
    assert {".", ".models", ".services", "minxin.api"} <= names


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(app: str) -> dict[str, set[str]]:
    """The app's modules and, for each, the modules of the same app it imports."""
    paths = {module_name(path): path for other, path in MODULES if other == app}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        for imported, _line in imported_modules(path):
            if imported in paths and imported != name:
                graph[name].add(imported)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("app", list(FLOORS))
def test_no_import_cycle_inside_an_app(app: str) -> None:
    if app in CYCLES_PENDING:
        pytest.skip(f"{app}: a known cycle (CYCLES_PENDING)")
    assert cycles(import_graph(app)) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def cursor_lines(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree_of(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cursor"
        and isinstance(node.func.value, ast.Name | ast.Attribute)
        and (node.func.value.id if isinstance(node.func.value, ast.Name) else node.func.value.attr)
        in {"connection", "conn"}
    ]


@pytest.mark.parametrize(("app", "path"), MODULES, ids=IDS)
def test_hand_written_sql_only_in_sql_modules(app: str, path: Path) -> None:
    if path.name in SQL_MODULES or (path.parent.name == "sql" and path.suffix == ".py"):
        return
    if short(path) in CURSOR_ELSEWHERE:
        return
    assert cursor_lines(path) == [], f"{short(path)}: connection.cursor() outside sql.py/pg.py"


def function_lengths(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
            yield node.name, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize(("app", "path"), MODULES, ids=IDS)
def test_no_module_over_400_lines_and_no_function_over_60(app: str, path: Path) -> None:
    if short(path) in OVER_THE_LIMITS:
        return
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{short(path)}: {lines} lines (split it by seam into a package)"
    long = [(name, length) for name, length in function_lengths(path) if length > MAX_FUNCTION_LINES]
    assert long == [], f"{short(path)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_exceptions_are_still_needed() -> None:
    """A module listed above that is now within the limits leaves the list (so it cannot grow back)."""
    for name in OVER_THE_LIMITS:
        path = ROOT / "minxin" / name
        assert path.exists(), f"{name} is gone: take it off OVER_THE_LIMITS"
        lines = len(path.read_text(encoding="utf-8").splitlines())
        longest = max((length for _name, length in function_lengths(path)), default=0)
        assert lines > MAX_MODULE_LINES or longest > MAX_FUNCTION_LINES, f"{name} is within the limits now"
