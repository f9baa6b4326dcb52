"""Human numbers (ticket A012, case 2026-000123) from a counter row incremented atomically.

Never `max()+1`: that issues duplicates as soon as two processes run (FQM issued 332 duplicates in 3,000
tickets that way). One INSERT … ON CONFLICT DO UPDATE … RETURNING statement creates the row on first
use and increments it otherwise; both SQLite (≥ 3.35) and PostgreSQL execute it atomically, so no
transaction or lock in Python is needed and racing first uses cannot create two rows.
"""

from __future__ import annotations

from minxin.core.models import Counter
from minxin.core.sql import counter_upsert


def counter_next(*, scope: str, key: str, step: int = 1) -> int:
    """Increment the counter (scope, key) by `step` and return the new value (1 on first use)."""
    if step < 1:
        raise ValueError("step must be positive")
    return counter_upsert(scope=scope, key=key, step=step)


def counter_value(*, scope: str, key: str) -> int:
    """The current value without incrementing (0 when the counter was never used)."""
    value = Counter.objects.filter(scope=scope, key=key).values_list("value", flat=True).first()
    return int(value or 0)
