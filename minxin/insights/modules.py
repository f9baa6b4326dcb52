"""Panels from the modules above the queue (cases, feedback, competition, voting, watch, appointments).

Each panel appears only when its module exists and has data: an adapter imports the module's selectors
lazily and returns None when they are missing or empty, so the dashboards run on a tree where a module
is still being built. Adapters read the modules' selectors only; they never scan raw rows per request.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

from minxin.orgs.models import Region

WallPanel = Callable[[Region, dt.date], dict[str, Any] | None]
_WALL_PANELS: list[tuple[str, WallPanel]] = []


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def wall_panels(*, region: Region, today: dt.date) -> dict[str, Any]:
    panels: dict[str, Any] = {}
    for name, provider in _WALL_PANELS:
        try:
            panel = provider(region, today)
        except Exception:  # a module under construction must not blank the wall
            panel = None
        if panel:
            panels[name] = panel
    return panels


def register_wall_panel(name: str) -> Callable[[WallPanel], WallPanel]:
    def wrap(provider: WallPanel) -> WallPanel:
        _WALL_PANELS.append((name, provider))
        return provider

    return wrap
