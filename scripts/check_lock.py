#!/usr/bin/env python3
"""Check that the lock (requirements/base.txt, requirements/dev.txt) still satisfies pyproject.toml and
that .venv holds exactly what the lock pins.

    .venv/bin/python scripts/check_lock.py

Fails (exit 1, naming each problem) when pyproject.toml asks for a package the lock does not pin, when a
pinned version falls outside the range pyproject.toml allows, when a pin has no hash, when the two lock
files pin a package at different versions, or when the installed version of a pinned package differs
(run `make lock` after editing pyproject.toml; `make venv` after pulling a new lock).
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# Extras whose packages a lock must pin too (psycopg[binary] needs psycopg-binary).
EXTRA_PACKAGES = {("psycopg", "binary"): "psycopg-binary"}


class Pin:
    def __init__(self, version: str, marker: str | None, hashed: bool) -> None:
        self.version = Version(version)
        self.marker = Marker(marker) if marker else None
        self.hashed = hashed

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        match = PIN.match(line.strip())
        if not match:
            continue
        following = "".join(lines[index + 1 : index + 4])
        pins[canonicalize_name(match[1])] = Pin(match[2], match[3], "--hash=sha256:" in following)
    return pins


def problems_with(requirements: list[str], pins: dict[str, Pin], lock_name: str) -> list[str]:
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{lock_name}: {requirement.name} is required by pyproject.toml but not pinned")
            continue
        if not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(
                f"{lock_name}: {requirement.name}=={pin.version} is outside {requirement.specifier}"
            )
        for extra in requirement.extras:
            package = EXTRA_PACKAGES.get((name, extra))
            if package and package not in pins:
                problems.append(f"{lock_name}: {requirement.name}[{extra}] needs {package} pinned")
    return problems


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = read_lock(ROOT / "requirements" / "base.txt")
    dev = read_lock(ROOT / "requirements" / "dev.txt")
    problems = problems_with(project["dependencies"], base, "requirements/base.txt")
    problems += problems_with(
        project["dependencies"] + project["optional-dependencies"]["dev"], dev, "requirements/dev.txt"
    )
    for lock_name, pins in (("requirements/base.txt", base), ("requirements/dev.txt", dev)):
        problems += [f"{lock_name}: {name} has no hash" for name, pin in pins.items() if not pin.hashed]
    problems += [
        f"requirements/base.txt pins {name}=={pin.version} but requirements/dev.txt {dev[name].version}"
        for name, pin in base.items()
        if name in dev and dev[name].version != pin.version
    ]
    for name, pin in dev.items():
        if not pin.applies():
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            problems.append(f".venv: {name} is pinned but not installed (run make venv)")
            continue
        if installed != pin.version:
            problems.append(f".venv: {name} {installed} is installed, the lock pins {pin.version}")
    for problem in problems:
        print(f"lock: {problem}", file=sys.stderr)
    if problems:
        print("lock: refresh it with `make lock`, run `make test`, commit requirements/", file=sys.stderr)
        return 1
    print(f"lock: {len(dev)} pinned packages satisfy pyproject.toml and match .venv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
