"""Hand-written SQL of the watch (named parameters)."""

from __future__ import annotations

from django.db import connection


def region_fire_lock(*, region_id: int) -> None:
    """Serialise fire reports of one region until the transaction ends, so two towers reporting the
    same smoke at the same moment join one incident instead of opening two. PostgreSQL only: SQLite
    already runs one write transaction at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%(namespace)s, %(region)s)",
            {"namespace": 16_016, "region": region_id},
        )
