"""The insights API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["insights"])
