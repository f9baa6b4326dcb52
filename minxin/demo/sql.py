"""The demo's hand-written SQL (the architecture test allows `connection.cursor()` only in an app's
`sql.py` or `pg.py`)."""

from __future__ import annotations

from django.db import connection


def statistics_refresh() -> None:
    """PostgreSQL: ANALYZE every table (after a bulk load, before the next part plans its queries)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
