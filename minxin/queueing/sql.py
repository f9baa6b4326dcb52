"""The queue's hand-written SQL that runs on both databases (the PostgreSQL-only one-statement hot
paths are in `pg.py`). The architecture test allows `connection.cursor()` only in these two modules.
Values always go as named parameters (`%(name)s`); table and column names come from the models."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Value
from django.db.models.sql.compiler import SQLCompiler

from minxin.queueing.models import QueueDay, Ticket, WindowState

DAY = QueueDay._meta.db_table
TICKET = Ticket._meta.db_table
TICKET_FIELDS = list(Ticket._meta.concrete_fields)
TICKET_ATTNAMES = [field.attname for field in TICKET_FIELDS]
TICKET_COLUMNS = ", ".join(f'"{field.column}"' for field in TICKET_FIELDS)

# A number from the queue's day row: one upsert that also says how many left the line and how many are
# reserved, so "people ahead" costs nothing extra.
DAY_UPSERT = (
    f"INSERT INTO {DAY} (queue_id, service_date, issued, departed, reserved) "  # noqa: S608 - constant
    "VALUES (%(queue)s, %(day)s, 1, 0, %(reserved)s) "
    f"ON CONFLICT (queue_id, service_date) DO UPDATE SET issued = {DAY}.issued + 1, "
    f"reserved = {DAY}.reserved + excluded.reserved "
    "RETURNING issued, departed, reserved, last_called"
)
_TICKET_BY_PUBLIC_ID = f"SELECT {TICKET_COLUMNS} FROM {TICKET} WHERE public_id = %(public_id)s"  # noqa: S608
_LAST_CALLED = (
    f"SELECT last_called FROM {DAY} "  # noqa: S608 - constant
    "WHERE queue_id = %(queue)s AND service_date = %(day)s"
)
_RECORD_WAIT_MODEL = (
    f"UPDATE {TICKET} SET wait_shape = %(shape)s, wait_mean_minutes = %(mean)s "  # noqa: S608 - constant
    "WHERE id = %(ticket)s AND wait_shape IS NULL"
)
# One fixed statement for any batch (arrays, not a VALUES list of varying length), so it is prepared.
_RECORD_WAIT_MODELS = (
    f"UPDATE {TICKET} AS t SET wait_shape = v.shape, wait_mean_minutes = v.mean "  # noqa: S608
    "FROM unnest(%(ids)s::bigint[], %(shapes)s::float8[], %(means)s::float8[]) AS v(id, shape, mean) "
    # = ANY lets the plan find the tickets by primary key; with the join alone it may scan the table
    "WHERE t.id = ANY(%(ids)s::bigint[]) AND t.id = v.id AND t.wait_shape IS NULL"
)


_WORD = re.compile(r"[a-z_]+")


class SqliteLiteral(Value):
    """A status written into the statement's text on SQLite, and bound as a parameter elsewhere.

    SQLite uses a partial index only when the query's WHERE names the index's condition literally:
    `status IN ('called', 'serving') AND window_id = ?` finds a window's number through
    queueing_ticket_one_per_window in microseconds, where `status IN (?, ?)` scans the whole table
    (milliseconds, growing with the day); and `status = 'waiting'` spares a re-preparation of the
    call-next query on each run (bench/README.md). Only lowercase words (the models' status values)
    are accepted: never a value from a request."""

    def __init__(self, value: str) -> None:
        if not _WORD.fullmatch(value):
            raise ValueError(f"not a status word: {value!r}")
        super().__init__(str(value))

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        return f"'{self.value}'", []


def sqlite_literals(statuses: Iterable[str]) -> list[SqliteLiteral]:
    """`statuses` for a `status__in=` filter that SQLite can match to a partial index."""
    return [SqliteLiteral(status) for status in statuses]


# SQLite's call-next reads (services.calling): the window's number, and the best waiting ticket it may
# call, in the order `services.calling.candidates` builds with the ORM (a test compares the two). The
# statuses are literal, so SQLite finds both through their partial indexes; written once, not compiled
# by the ORM on every call (a third of call-next's time on SQLite, bench/README.md).
STATE = WindowState._meta.db_table
_SQLITE_OPEN = (
    f"NOT EXISTS (SELECT 1 FROM {STATE} WHERE window_id = %(window)s AND status IN ('paused', 'closed'))"  # noqa: S608
)
_SQLITE_AT_WINDOW = (
    f"SELECT {TICKET_COLUMNS} FROM {TICKET} "  # noqa: S608 - constant
    f"WHERE window_id = %(window)s AND status IN ('called', 'serving') AND {_SQLITE_OPEN} ORDER BY id LIMIT 1"
)
_SQLITE_CANDIDATE = (
    f"SELECT {TICKET_COLUMNS} FROM {TICKET} "  # noqa: S608 - constant
    "WHERE hall_id = %(hall)s AND service_date = %(day)s AND status = 'waiting' "
    "AND (return_to_window_id IS NULL OR return_to_window_id = %(window)s) {queues}"
    f"AND {_SQLITE_OPEN} ORDER BY priority DESC{{order}}, issued_at, id LIMIT 1"
)


def sqlite_ticket_at_window(*, window_id: int) -> Ticket | None:
    """SQLite: the number called or served at the window, if any and the window is not paused or
    closed (its relations are left to load)."""
    return next(iter(Ticket.objects.raw(_SQLITE_AT_WINDOW, {"window": window_id})), None)


def sqlite_call_candidate(
    *,
    hall_id: int,
    day: dt.date,
    window_id: int,
    queues: Sequence[int],
    urgent: Sequence[tuple[int, dt.datetime]],
    ranks: Sequence[tuple[int, int]],
) -> Ticket | None:
    """SQLite: the best waiting ticket the window may call (see `services.calling.candidates` for the
    order: priority, then a queue whose wait passed its limit, then the listed queue order, then the
    longest wait), or None. `queues`: the window's queues (none: any)."""
    params: dict[str, Any] = {
        "hall": hall_id,
        "day": connection.ops.adapt_datefield_value(day),
        "window": window_id,
    }
    adapt = connection.ops.adapt_datetimefield_value
    names = [f"%(q{i})s" for i in range(len(queues))]
    params |= {f"q{i}": queue for i, queue in enumerate(queues)}
    # `+queue_id` keeps the queue index out: the plan walks the waiting-order index instead of sorting.
    where = f"AND +queue_id IN ({', '.join(names)}) " if queues else ""
    order = ""
    if urgent:
        whens = [f"WHEN queue_id = %(uq{i})s AND issued_at <= %(us{i})s THEN 0" for i in range(len(urgent))]
        order += ", CASE " + " ".join(whens) + " ELSE 1 END"
        for i, (queue, since) in enumerate(urgent):
            params[f"uq{i}"], params[f"us{i}"] = queue, adapt(since)
    if ranks:
        whens = [f"WHEN %(rq{i})s THEN %(rp{i})s" for i in range(len(ranks))]
        order += ", CASE queue_id " + " ".join(whens) + " ELSE 999 END"
        for i, (queue, position) in enumerate(ranks):
            params[f"rq{i}"], params[f"rp{i}"] = queue, position
    statement = _SQLITE_CANDIDATE.format(queues=where, order=order)
    return next(iter(Ticket.objects.raw(statement, params)), None)


class DayCount(NamedTuple):
    """The queue's day row right after a number was taken from it."""

    issued: int
    departed: int
    reserved: int
    last_called: str


def day_number_take(*, queue_id: int, service_date: dt.date, reserved: bool) -> DayCount:
    """The next number of the queue's day (its seq), counting a remote one as reserved."""
    with connection.cursor() as cursor:
        cursor.execute(DAY_UPSERT, {"queue": queue_id, "day": service_date, "reserved": int(reserved)})
        return DayCount(*cursor.fetchone())


def ticket_row_by_public_id(key: Any) -> tuple[Any, ...] | None:
    """The ticket's row (`TICKET_COLUMNS`) by its public id, already prepared for the database. A fixed
    statement: every step at the window asks it."""
    with connection.cursor() as cursor:
        cursor.execute(_TICKET_BY_PUBLIC_ID, {"public_id": key})
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def ticket_values(row: Sequence[Any]) -> Sequence[Any]:
    """A row of `TICKET_COLUMNS` with the values the ORM would have read: the database backend's converters
    applied, as a queryset applies them (SQLite gives datetimes as naive UTC and UUIDs as 32 hex digits;
    PostgreSQL needs none)."""
    converters = _ticket_converters(connection.vendor)
    if not converters:
        return row
    values = list(row)
    for index, functions, column in converters:
        for function in functions:
            values[index] = function(values[index], column, connection)
    return values


@functools.cache
def _ticket_converters(vendor: str) -> list[tuple[int, list[Any], Any]]:
    """(column index, converters, column expression) for each ticket column the backend converts."""
    found = []
    for index, field in enumerate(TICKET_FIELDS):
        column = field.cached_col
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((index, functions, column))
    return found


def queue_last_called(*, queue_id: int, service_date: dt.date) -> str | None:
    """The number called last in a queue on a date (kept on its day row by call-next), or None."""
    with connection.cursor() as cursor:  # a fixed statement: every ticket answer asks it
        cursor.execute(_LAST_CALLED, {"queue": queue_id, "day": service_date})
        row = cursor.fetchone()
    return (row[0] if row else "") or None


def ticket_wait_model_write(*, ticket_id: int, shape: float, mean_minutes: float) -> None:
    """Store one ticket's wait model, unless it has one already."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_WAIT_MODEL, {"shape": shape, "mean": mean_minutes, "ticket": ticket_id})


def ticket_wait_models_write(*, ids: list[int], shapes: list[float], means: list[float]) -> None:
    """Store a batch of wait models (PostgreSQL), each unless its ticket has one already. Inside a
    caller's transaction a savepoint keeps a failed write from aborting the caller's work."""
    with (
        transaction.atomic() if connection.in_atomic_block else nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(_RECORD_WAIT_MODELS, {"ids": ids, "shapes": shapes, "means": means})
