"""Database side of bench/bench_queue.py: seed the bench hall, bulk-fill a waiting line, check the result.

Runs as its own process with the app processes' environment (DATABASE_URL, SECRET_KEY, …), so the
benchmark process itself never imports Django. Each subcommand prints one JSON object on stdout.

    python bench/queue_seed.py seed --levels 1,8,32
    python bench/queue_seed.py prefill --service calls --count 12000
    python bench/queue_seed.py check --acked /tmp/acked.json
    python bench/queue_seed.py connections
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")

HALL = "bench"
WINDOWS = tuple(str(n) for n in range(1, 9))
CALL_SERVICE = "calls"  # the line the windows call from (their work profile lists only its queue)
KILL_SERVICE = "kill"
ISSUE_PREFIXES = "ABDEFGHJ"  # one queue per client level, so each level starts from an empty day


def issue_service(clients: int) -> str:
    return f"issue-{clients}"


def _setup() -> None:
    import django

    django.setup()


def seed(levels: list[int]) -> dict[str, Any]:
    """The bench hall, open all day every day, with its queues, 8 open windows, a clerk and a kiosk."""
    from minxin.accounts.models import Role, User
    from minxin.accounts.services import api_token_create
    from minxin.catalog.services import window_assign_clerk, window_create
    from minxin.orgs.models import Hall
    from minxin.orgs.selectors import hall_is_open
    from minxin.orgs.services import (
        hall_create,
        hall_set_opening_hours,
        membership_grant,
        region_create,
        unit_create,
    )
    from minxin.queueing.models import Queue, Service, WorkProfile, WorkProfileQueue
    from minxin.queueing.services import window_set_state

    if Hall.objects.filter(code=HALL).exists():
        raise SystemExit(f"a hall {HALL!r} exists already: run the benchmark on an empty database")
    if len(levels) > len(ISSUE_PREFIXES):
        raise SystemExit(f"at most {len(ISSUE_PREFIXES)} client levels")
    region = region_create(code="990000", name="Bench", level="province")
    unit = unit_create(name="Bench unit", kind="organ", flag_category="administration", region=region)
    hall = hall_create(code=HALL, name="Bench hall", unit=unit)
    hall_set_opening_hours(hall=hall, periods=[(day, dt.time(0), dt.time(23, 59, 59)) for day in range(7)])
    lines = [(issue_service(n), prefix) for n, prefix in zip(levels, ISSUE_PREFIXES, strict=False)]
    lines += [(CALL_SERVICE, "C"), (KILL_SERVICE, "K")]
    queues: dict[str, Queue] = {}
    for position, (code, prefix) in enumerate(lines):
        queues[code] = Queue.objects.create(hall=hall, code=code, prefix=prefix, name=code, position=position)
        Service.objects.create(hall=hall, code=code, name=code, queue=queues[code], position=position)
    clerk = User.objects.create_user(username="bench-clerk", display_name="Bench clerk")
    kiosk = User.objects.create_user(username="bench-kiosk", display_name="Bench kiosk")
    membership_grant(user=clerk, role=Role.WINDOW_CLERK, hall=hall)
    membership_grant(user=kiosk, role=Role.WINDOW_CLERK, hall=hall)
    for number in WINDOWS:
        window = window_create(hall=hall, number=number, name=f"窗口{number}", kind="comprehensive")
        window_assign_clerk(window=window, clerk=clerk)
        profile = WorkProfile.objects.create(window=window)
        WorkProfileQueue.objects.create(profile=profile, queue=queues[CALL_SERVICE], position=0)
        # The windows serve the issue queues too, so a number taken there gets a real estimate (open
        # windows, service history) as in a hall, not the "no estimate" of a queue nobody serves.
        for position, (code, _prefix) in enumerate(lines[: len(levels)], start=1):
            WorkProfileQueue.objects.create(profile=profile, queue=queues[code], position=position)
        window_set_state(window=window, clerk=clerk, status="open")
    _history(hall, [queues[code] for code, _prefix in lines if code != KILL_SERVICE])
    if not hall_is_open(hall=hall):
        raise SystemExit(
            "the bench hall is closed today (a closure or a holiday in the working-day calendar)"
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        version = int(getattr(connection, "pg_version", 0))
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "database": database,
        "hall": HALL,
        "windows": list(WINDOWS),
        "issue_services": {str(n): issue_service(n) for n in levels},
        "call_service": CALL_SERVICE,
        "kill_service": KILL_SERVICE,
        "kiosk_token": api_token_create(user=kiosk, name="bench kiosk").secret,
        "clerk_token": api_token_create(user=clerk, name="bench clerk").secret,
    }


HISTORY_DAYS = 7
HISTORY_PER_DAY = 40


def _history(hall: Any, queues: list[Any]) -> None:
    """A week of finished tickets per queue, 5 minutes at the window each, so the estimate has service
    statistics from the first request (created directly: they are history, not load)."""
    from minxin.core import clock
    from minxin.queueing.models import Service, Ticket

    services = {service.queue_id: service for service in Service.objects.filter(hall=hall)}
    today = clock.local_today(hall.time_zone)
    tickets = []
    for queue in queues:
        for day in range(1, HISTORY_DAYS + 1):
            date = today - dt.timedelta(days=day)
            start = dt.datetime.combine(date, dt.time(1, 0), tzinfo=dt.UTC)
            for seq in range(1, HISTORY_PER_DAY + 1):
                called = start + dt.timedelta(minutes=6 * seq)
                tickets.append(
                    Ticket(
                        hall=hall,
                        queue=queue,
                        service=services[queue.pk],
                        service_date=date,
                        seq=seq,
                        number=f"{queue.prefix}{seq:03d}",
                        channel="kiosk",
                        status="done",
                        issued_at=called - dt.timedelta(minutes=3),
                        called_at=called,
                        started_at=called + dt.timedelta(seconds=30),
                        finished_at=called + dt.timedelta(minutes=5),
                    )
                )
    Ticket.objects.bulk_create(tickets, batch_size=2000)


def _columns(
    instance: Any, computed: dict[str, tuple[str, list[Any]]]
) -> tuple[list[str], list[str], list[Any]]:
    """(columns, SQL expressions, parameters) that insert `instance`'s field values, except for the
    columns in `computed`, which take the given SQL and parameters. Built from the model, so a field
    added later with a default needs no change here."""
    from django.db import connection

    columns: list[str] = []
    expressions: list[str] = []
    params: list[Any] = []
    for field in type(instance)._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        sql, values = computed.get(field.column, ("%s", [getattr(instance, field.attname)]))
        expressions.append(sql)
        params += [
            field.get_db_prep_save(value, connection) if field.column not in computed else value
            for value in values
        ]
    return columns, expressions, params


def prefill(service_code: str, count: int, *, replace: bool = False) -> dict[str, Any]:
    """`count` waiting tickets at once, numbered from the queue's day counter like issued ones, each with
    its `issued` event (one statement: issuing them through the API would take longer than the benchmark
    they feed). With `replace`, the tickets already waiting in the queue are cancelled first."""
    from django.db import connection
    from django.db.models import F

    from minxin.core import clock
    from minxin.queueing.models import QueueDay, Service, Ticket, TicketEvent

    service = Service.objects.select_related("queue", "hall").get(hall__code=HALL, code=service_code)
    today, at = clock.local_today(service.hall.time_zone), clock.now() - dt.timedelta(hours=1)
    if replace:
        cancelled = Ticket.objects.filter(queue=service.queue, status="waiting").update(
            status="cancelled", finished_at=clock.now()
        )
        QueueDay.objects.filter(queue=service.queue, service_date=today).update(
            departed=F("departed") + cancelled
        )
    ticket = Ticket(
        hall=service.hall,
        queue=service.queue,
        service=service,
        service_date=today,
        seq=0,
        number="",
        channel="kiosk",
        status="waiting",
        issued_at=at,
    )
    if connection.vendor != "postgresql":
        return _prefill_orm(service, ticket, count, today, at)
    number = "%s || CASE WHEN s < 1000 THEN lpad(s::text, 3, '0') ELSE s::text END"
    t_columns, t_values, t_params = _columns(
        ticket,
        {
            "public_id": ("gen_random_uuid()", []),
            "seq": ("s", []),
            "number": (number, [service.queue.prefix]),
            "issued_at": ("%s::timestamptz + s * interval '1 microsecond'", [at]),
        },
    )
    e_columns, e_values, e_params = _columns(
        TicketEvent(ticket=ticket, kind="issued", at=at, channel="kiosk"),
        {"ticket_id": ("id", []), "at": ("issued_at", [])},
    )
    day = QueueDay._meta.db_table
    sql = (
        f"WITH day AS (INSERT INTO {day} (queue_id, service_date, issued, departed, reserved) "
        "VALUES (%s, %s, %s, 0, 0) ON CONFLICT (queue_id, service_date) "
        f"DO UPDATE SET issued = {day}.issued + excluded.issued RETURNING issued), "
        f"tickets AS (INSERT INTO {Ticket._meta.db_table} ({', '.join(t_columns)}) "
        f"SELECT {', '.join(t_values)} FROM day, generate_series(day.issued - %s + 1, day.issued) AS s "
        "RETURNING id, issued_at) "
        f"INSERT INTO {TicketEvent._meta.db_table} ({', '.join(e_columns)}) "
        f"SELECT {', '.join(e_values)} FROM tickets"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [service.queue_id, today, count, *t_params, count, *e_params])
        if connection.vendor == "postgresql":
            # What autovacuum does within a minute of a bulk load: without it the planner still
            # believes today's line empty (the table was analyzed before the issue phases filled it)
            # and call-next sorts every waiting ticket of the hall instead of walking the call-order
            # index to the first (bench/README.md: 88 calls/s instead of several hundred).
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
    waiting = Ticket.objects.filter(queue=service.queue, status="waiting").count()
    return {"service": service_code, "added": count, "waiting": waiting}


def _prefill_orm(service: Any, ticket: Any, count: int, today: dt.date, at: dt.datetime) -> dict[str, Any]:
    """The same line on SQLite (the `make demo` layout), with bulk inserts in one transaction."""
    from django.db import transaction
    from django.db.models import F

    from minxin.queueing.models import QueueDay, Ticket, TicketEvent

    with transaction.atomic():
        day, _created = QueueDay.objects.get_or_create(queue=service.queue, service_date=today)
        first = day.issued + 1
        QueueDay.objects.filter(pk=day.pk).update(issued=F("issued") + count)
        rows = []
        for seq in range(first, first + count):
            row = Ticket(**{f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields})
            row.pk, row.public_id, row.seq = None, uuid.uuid4(), seq
            row.number = f"{service.queue.prefix}{seq:03d}"
            row.issued_at = at + dt.timedelta(microseconds=seq)
            rows.append(row)
        Ticket.objects.bulk_create(rows, batch_size=500)
        saved = Ticket.objects.filter(queue=service.queue, service_date=today, seq__gte=first)
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(ticket_id=pk, kind="issued", at=issued, channel="kiosk")
                for pk, issued in saved.values_list("pk", "issued_at")
            ],
            batch_size=500,
        )
    waiting = Ticket.objects.filter(queue=service.queue, status="waiting").count()
    return {"service": service.code, "added": count, "waiting": waiting}


def _scalar(sql: str, params: list[Any]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def check(acked_path: Path | None) -> dict[str, Any]:
    """Invariants the database must hold after the run, and the kill test's acknowledged tickets."""
    from django.db.models import Count

    from minxin.orgs.models import Hall
    from minxin.queueing.models import Service, Ticket, TicketEvent

    hall = Hall.objects.get(code=HALL)
    ticket, event = Ticket._meta.db_table, TicketEvent._meta.db_table
    groups = (
        "SELECT count(*) FROM (SELECT 1 FROM {t} WHERE hall_id = %s GROUP BY {cols} HAVING count(*) > 1) x"
    )
    result: dict[str, Any] = {
        "tickets": Ticket.objects.filter(hall=hall).count(),
        "by_status": dict(
            Ticket.objects.filter(hall=hall).values_list("status").annotate(n=Count("pk")).order_by()
        ),
        "by_service": dict(
            Ticket.objects.filter(hall=hall).values_list("service__code").annotate(n=Count("pk")).order_by()
        ),
        "duplicate_numbers": _scalar(
            groups.format(t=ticket, cols="queue_id, service_date, number"), [hall.pk]
        ),
        "duplicate_seqs": _scalar(groups.format(t=ticket, cols="queue_id, service_date, seq"), [hall.pk]),
        "called_events": TicketEvent.objects.filter(ticket__hall=hall, kind="called").count(),
        "called_twice": _scalar(
            f"SELECT count(*) FROM (SELECT e.ticket_id FROM {event} e JOIN {ticket} t ON t.id = e.ticket_id "
            "WHERE t.hall_id = %s AND e.kind = 'called' GROUP BY e.ticket_id HAVING count(*) > 1) x",
            [hall.pk],
        ),
        "windows_holding_two": _scalar(
            f"SELECT count(*) FROM (SELECT window_id FROM {ticket} WHERE hall_id = %s "
            "AND status IN ('called', 'serving') GROUP BY window_id HAVING count(*) > 1) x",
            [hall.pk],
        ),
    }
    if acked_path is not None:
        acked = set(json.loads(acked_path.read_text()))
        kill = Service.objects.get(hall=hall, code=KILL_SERVICE)
        stored = {str(u) for u in Ticket.objects.filter(service=kill).values_list("public_id", flat=True)}
        result["kill"] = {
            "acknowledged": len(acked),
            "acknowledged_missing": len(acked - stored),
            "stored": len(stored),
            "stored_unacknowledged": len(stored - acked),
        }
    return result


def connections() -> dict[str, Any]:
    """Open server connections to this database, by state (this one included)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"vendor": connection.vendor}  # SQLite: no server, no connection slots
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, count(*) FROM pg_stat_activity WHERE datname = current_database() GROUP BY state"
        )
        by_state = {str(state): int(n) for state, n in cursor.fetchall()}
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    return {"open": sum(by_state.values()), "by_state": by_state, "max_connections": limit}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed")
    seed_parser.add_argument("--levels", default="1,8,32")
    prefill_parser = commands.add_parser("prefill")
    prefill_parser.add_argument("--service", default=CALL_SERVICE)
    prefill_parser.add_argument("--count", type=int, required=True)
    prefill_parser.add_argument("--replace", action="store_true", help="cancel the tickets waiting first")
    check_parser = commands.add_parser("check")
    check_parser.add_argument("--acked", type=Path)
    commands.add_parser("connections")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "seed":
        out = seed([int(n) for n in args.levels.split(",")])
    elif args.command == "prefill":
        out = prefill(args.service, args.count, replace=args.replace)
    elif args.command == "connections":
        out = connections()
    else:
        out = check(args.acked)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
