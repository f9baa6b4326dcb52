"""Core's hand-written SQL, in one place (the architecture test allows `connection.cursor()` only in an
app's `sql.py` or `pg.py`): human numbers, live signals and their wake-up calls, the health check.
Values always go as named parameters (`%(name)s`); table names are the models' own constants.

`Statement` is how a hot path's one-statement SQL travels: its common table expressions and its final
SELECT kept apart, so that `core.events.publish_within` can add one more expression without parsing SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, transaction

from minxin.core.models import Counter, LiveMessage, Throttle

COUNTER_TABLE = Counter._meta.db_table
THROTTLE_TABLE = Throttle._meta.db_table
LIVE_MESSAGE_TABLE = LiveMessage._meta.db_table

_COUNTER_UPSERT = (
    f"INSERT INTO {COUNTER_TABLE} (scope, key, value) "  # noqa: S608 - table name is a constant
    "VALUES (%(scope)s, %(key)s, %(step)s) "
    f"ON CONFLICT (scope, key) DO UPDATE SET value = {COUNTER_TABLE}.value + excluded.value "
    "RETURNING value"
)
_THROTTLE_UPSERT = (
    f"INSERT INTO {THROTTLE_TABLE} (key, hits, expires_at) "  # noqa: S608 - constant table name
    "VALUES (%(key)s, 1, %(expires_at)s) "
    f"ON CONFLICT (key) DO UPDATE SET hits = {THROTTLE_TABLE}.hits + 1 RETURNING hits"
)
# The LiveMessage row and its wake-up call in one statement; `rows` gives (topic, payload, created_at).
NOTIFYING_INSERT = (
    f"INSERT INTO {LIVE_MESSAGE_TABLE} (topic, payload, created_at) {{rows}} "
    "RETURNING pg_notify({channel}, id::text)"
)


@dataclass(frozen=True, slots=True)
class Statement:
    """`WITH <ctes> SELECT <select>` with named parameters. `ctes` are "name AS (…)" texts."""

    ctes: tuple[str, ...]
    select: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def sql(self) -> str:
        return "WITH " + ",\n".join(self.ctes) + "\nSELECT " + self.select

    def with_cte(self, cte: str, params: dict[str, Any]) -> Statement:
        """This statement with one more expression (run for its side effect) and its parameters."""
        clash = self.params.keys() & params.keys()
        if clash:
            raise ValueError(f"parameters named twice: {sorted(clash)}")
        return replace(self, ctes=(*self.ctes, cte), params=self.params | params)


def counter_upsert(*, scope: str, key: str, step: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_UPSERT, {"scope": scope, "key": key, "step": step})
        row = cursor.fetchone()
    return int(row[0])


def throttle_upsert(*, key: str, expires_at: Any) -> int:
    """Count one hit in the rate-limit window `key` (created on first use); the hits so far."""
    with connection.cursor() as cursor:
        cursor.execute(_THROTTLE_UPSERT, {"key": key, "expires_at": expires_at})
        row = cursor.fetchone()
    return int(row[0])


def live_message_notify_insert(*, topic: str, payload: Any, at: Any, channel: str) -> None:
    """Insert one LiveMessage row and send its NOTIFY in the same statement (PostgreSQL)."""
    sql = NOTIFYING_INSERT.format(rows="VALUES (%(topic)s, %(payload)s, %(at)s)", channel="%(channel)s")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"topic": topic, "payload": payload, "at": at, "channel": channel})


def listen(channel: str) -> None:
    """LISTEN on `channel` with this thread's connection (`channel` is a constant of core.events)."""
    if not channel.isidentifier():
        raise ValueError("a notification channel is a plain identifier")
    with connection.cursor() as cursor:
        cursor.execute(f"LISTEN {channel}")


def select_one() -> None:
    """The database answers (`SELECT 1`): the health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def one_row(sql: str, params: dict[str, Any], *, prepare: bool = True) -> Any:
    """Run one statement and return its first row (None without one). In autocommit the statement is
    its own transaction; inside a caller's transaction a savepoint keeps a refused statement (a phone
    that already holds a number, a window already busy) from aborting the caller's work.

    `prepare=False` keeps PostgreSQL planning it for its values every time, for a statement whose best
    plan depends on them (settings: statements are otherwise prepared on their fifth use)."""
    with (
        transaction.atomic() if connection.in_atomic_block else nullcontext(),
        connection.cursor() as cursor,
        nullcontext() if prepare else _unprepared(),
    ):
        cursor.execute(sql, params)
        return cursor.fetchone()


@contextmanager
def _unprepared() -> Iterator[None]:
    raw = connection.connection
    threshold = getattr(raw, "prepare_threshold", None)
    if threshold is None:
        yield
        return
    raw.prepare_threshold = None  # psycopg then neither prepares nor uses a prepared plan
    try:
        yield
    finally:
        raw.prepare_threshold = threshold
