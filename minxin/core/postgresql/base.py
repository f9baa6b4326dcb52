"""Django's PostgreSQL backend with a health check that asks the server only when it has to.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a kept connection before the first query of every
request: a round trip and a statement for PostgreSQL on each API call, a third of a ballot's time on the
server and as many statements as the ballot itself. A connection the server closed (a restart, an
administrator's pg_terminate_backend, an idle timeout) is told apart without it: the server's goodbye (its
FATAL message, the end of the stream) makes the idle connection's socket readable. So a connection is
taken as it is when

- it was checked or opened less than HEALTH_CHECK_DELAY seconds ago (a DATABASES entry's key, or the
  `health_check_delay` query option of DATABASE_URL; 1 s unless set),
- libpq holds it open and idle, outside any transaction,
- and its socket has nothing to read;

otherwise Django's own check runs (`SELECT 1`, closing the connection if it fails). PgBouncer does the same
for the server connections it hands out (`server_check_delay`, 30 s there). A connection that goes quiet
for longer than the delay, which is where a silently vanished server hides, is always asked.
"""

from __future__ import annotations

import select
from time import monotonic
from typing import Any

from django.db.backends.postgresql import base
from psycopg import pq

DEFAULT_DELAY = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict: dict[str, Any], alias: str = "default") -> None:
        super().__init__(settings_dict, alias)
        self.health_check_delay = float(settings_dict.get("HEALTH_CHECK_DELAY", DEFAULT_DELAY))
        self.checked_at = 0.0

    def connect(self) -> None:
        super().connect()
        self.checked_at = monotonic()

    def close_if_health_check_failed(self) -> None:
        # Django's attributes (not in its type stubs): the cases where its own check does nothing.
        checking = getattr(self, "health_check_enabled", False) and not getattr(self, "pool", None)
        if self.connection is None or not checking or getattr(self, "health_check_done", False):
            super().close_if_health_check_failed()
            return
        now = monotonic()
        if now - self.checked_at < self.health_check_delay and self._quiet():
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        self.checked_at = now

    def _quiet(self) -> bool:
        """Whether libpq holds the connection open and idle with nothing from the server to read."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN)
        return not poller.poll(0)
