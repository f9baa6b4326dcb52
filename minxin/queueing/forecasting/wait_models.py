"""The wait model behind the range a ticket was shown at issue, stored on the ticket (in batches on
PostgreSQL): with the wait that follows it teaches the hall its bands' width."""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.db import DatabaseError, connection

from minxin.queueing import sql
from minxin.queueing.estimates import WaitModel

logger = logging.getLogger(__name__)


def ticket_wait_model_record(ticket_id: int, model: WaitModel | None) -> None:
    """Store the wait model behind the range a ticket was shown at issue, once.

    Only the first model sticks (`wait_shape IS NULL`): a replayed request or a second call cannot move
    it. None (no estimate, or "called at once": no range shown) stores nothing.

    On PostgreSQL the models are written in batches (`_PendingModels`): one UPDATE for up to
    WAIT_MODEL_BATCH tickets, sent by the number taken that fills the batch or finds it older than
    WAIT_MODEL_BATCH_SECONDS, before `hall_wait_dispersion` reads them, and at the process's exit.
    Writing each on its own was a second statement on every number taken (a quarter of its cost). The
    models only teach later bands their width, from hundreds of tickets: the few a crashed process had
    not written yet are not missed. On SQLite each is written at once.
    """
    if model is None:
        return
    if connection.vendor != "postgresql":
        sql.ticket_wait_model_write(ticket_id=ticket_id, shape=model.shape, mean_minutes=model.mean_minutes)
        return
    due = _PENDING.add(ticket_id, model)
    if due:
        _write_wait_models(due)


def wait_models_flush() -> int:
    """Write the wait models this process still holds (`ticket_wait_model_record`); how many."""
    due = _PENDING.take()
    if due:
        _write_wait_models(due)
    return len(due)


WAIT_MODEL_BATCH = 16
WAIT_MODEL_BATCH_SECONDS = 2.0


class _PendingModels:
    """The wait models of this process not written yet: (ticket id, shape, mean minutes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, tuple[int, float, float]] = {}
        self._since = 0.0

    def add(self, ticket_id: int, model: WaitModel) -> list[tuple[int, float, float]]:
        """Hold one more (a ticket's first model only: one UPDATE … FROM may not name a row twice);
        the whole batch back when it is due to be written."""
        now = time.monotonic()
        with self._lock:
            if not self._rows:
                self._since = now
            self._rows.setdefault(ticket_id, (ticket_id, model.shape, model.mean_minutes))
            if len(self._rows) < WAIT_MODEL_BATCH and now - self._since < WAIT_MODEL_BATCH_SECONDS:
                return []
            rows, self._rows = list(self._rows.values()), {}
        return rows

    def take(self) -> list[tuple[int, float, float]]:
        with self._lock:
            rows, self._rows = list(self._rows.values()), {}
        return rows

    def __bool__(self) -> bool:
        return bool(self._rows)


_PENDING = _PendingModels()


def _write_wait_models(rows: list[tuple[int, float, float]]) -> None:
    ids, shapes, means = (list(column) for column in zip(*rows, strict=True))
    try:
        # A savepoint inside a caller's transaction: a failed write must not abort the caller's work.
        sql.ticket_wait_models_write(ids=ids, shapes=shapes, means=means)
    except DatabaseError:
        logger.exception("could not store %d wait models", len(rows))


@atexit.register
def _flush_at_exit() -> None:
    if _PENDING:  # without models, nothing to do and no connection to open
        try:
            wait_models_flush()
        except Exception:  # the process is ending: a database gone first must not spoil the exit
            logger.warning("wait models not stored at exit", exc_info=True)
