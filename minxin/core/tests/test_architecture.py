"""The apps form floors (DESIGN.md): an app imports only from floors below its own, never sideways or up
(tests excepted). A cycle or an upward import fails here before it can become a tangle."""

from __future__ import annotations

import ast
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


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("minxin.") and name.count(".") >= 1}


def app_modules() -> list[tuple[str, Path]]:
    found = []
    for app in FLOORS:
        folder = ROOT / "minxin" / app
        for path in folder.rglob("*.py") if folder.exists() else ():
            if "tests" not in path.parts and "migrations" not in path.parts:
                found.append((app, path))
    return found


@pytest.mark.parametrize(("app", "path"), app_modules(), ids=lambda v: str(v).rsplit("minxin/", 1)[-1])
def test_apps_import_only_from_floors_below(app: str, path: Path) -> None:
    for other in imported_apps(path) - {app}:
        if other in FLOORS:
            assert FLOORS[other] < FLOORS[app], f"{path} ({app}) imports {other}, which is not below it"
