"""Every change to tickets and windows. Hot paths (issue, call) take few statements and lock little:

- numbers come from one upsert on the queue's day row (INSERT … ON CONFLICT DO UPDATE … RETURNING),
  which also returns how many left the line, so "people ahead" costs nothing extra;
- a ticket is claimed by a conditional update (status = 'waiting'), and on PostgreSQL candidates are
  read with FOR UPDATE SKIP LOCKED so clerks racing for the same queue take different tickets;
- the database refuses two numbers alike, two active tickets at one window, two active tickets for
  one phone in a hall and a replayed Idempotency-Key (unique constraints), whatever the code does.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Citizen, User
from minxin.catalog.models import Window
from minxin.core import clock
from minxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minxin.core.events import publish_on_commit, publish_within
from minxin.core.memo import memo
from minxin.core.numbering import counter_next
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_is_open
from minxin.queueing.estimates import Estimate
from minxin.queueing.models import (
    ACTIVE,
    AT_WINDOW,
    IN_LINE,
    Channel,
    Priority,
    QueueDay,
    QueueRules,
    Service,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowState,
    WorkProfile,
    WorkProfileQueue,
)

REMOTE_CHANNELS = (Channel.WEB, Channel.APP, Channel.API)
_DAY_TABLE = QueueDay._meta.db_table
_DAY_UPSERT = (
    f"INSERT INTO {_DAY_TABLE} (queue_id, service_date, issued, departed, reserved) "  # noqa: S608 - constant
    "VALUES (%s, %s, 1, 0, %s) "
    f"ON CONFLICT (queue_id, service_date) DO UPDATE SET issued = {_DAY_TABLE}.issued + 1, "
    f"reserved = {_DAY_TABLE}.reserved + excluded.reserved "
    "RETURNING issued, departed, reserved, last_called"
)


def hall_topic(hall: Hall) -> str:
    return f"hall:{hall.code}"


def queue_rules(hall: Hall) -> QueueRules:
    def load() -> QueueRules:
        rules, _created = QueueRules.objects.get_or_create(hall_id=hall.pk)
        return rules

    return memo(("queue-rules", hall.pk), 30, load)


def _service(hall: Hall, code: str) -> Service | None:
    def load() -> Service | None:
        return Service.objects.select_related("queue").filter(hall=hall, code=code, is_active=True).first()

    return memo(("queue-service", hall.pk, code), 30, load)


def service_by_id(service_id: int) -> Service:
    """A service (with its queue) by primary key, cached per process like the services by code."""
    return memo(
        ("queue-service", "id", service_id),
        30,
        lambda: Service.objects.select_related("queue").get(pk=service_id),
    )


def _hall_open(hall: Hall, now: dt.datetime) -> bool:
    """Whether the hall takes numbers now; decided once a minute per process."""
    minute = int(now.timestamp()) // 60
    return memo(("hall-open", hall.pk, minute), 60, lambda: hall_is_open(hall=hall, at=now))


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    ahead: int
    ahead_reserved: int
    replayed: bool = False
    last_called: str | None = None  # the queue's last called number ("" for none yet), when known
    estimate: Estimate | None = None  # the wait shown with the number (its model stored on the ticket)


def _event(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None = None,
    channel: str = "",
    window: Window | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at or clock.now(),
        actor=actor,
        channel=channel,
        window=window,
        details=details or {},
    )


def _publish(ticket: Ticket, kind: str, window: Window | None = None) -> None:
    publish_on_commit(hall_topic(ticket.hall), _live_message(ticket, kind, window))


def _live_message(ticket: Ticket | None, kind: str, window: Window | None) -> dict[str, Any]:
    """The live signal of `kind` for `ticket`; without a ticket (not known before the statement that
    picks it) only the parts that do not depend on it, for `publish_within` to complete."""
    return {
        "type": kind,
        "ticket": str(ticket.public_id) if ticket else None,
        "number": ticket.number if ticket else None,
        "queue": ticket.queue_id if ticket else None,
        "service": ticket.service.code if ticket else None,
        "status": ticket.status if ticket else None,
        "window": window.number if window else None,
        "window_name": window.name if window else None,
        "at": clock.now().isoformat(),
    }


def _one_statement_publishing(
    sql: str,
    params: list[Any],
    *,
    hall: Hall,
    message: dict[str, Any],
    computed: dict[str, str] | None = None,
    prepare: bool = True,
) -> tuple[Any, bool]:
    """`_one_statement` that also publishes `message` when the broker allows it (`publish_within`):
    (the row, whether it was published)."""
    statement = publish_within(
        sql, params, source="t", topic=hall_topic(hall), message=message, computed=computed
    )
    return _one_statement(*(statement or (sql, params)), prepare=prepare), statement is not None


def _bump_day(ticket: Ticket, *, departed: int = 0, reserved: int = 0, called: bool = False) -> None:
    changes: dict[str, Any] = {"departed": F("departed") + departed, "reserved": F("reserved") + reserved}
    if called:
        changes["last_called"] = ticket.number
    QueueDay.objects.filter(queue_id=ticket.queue_id, service_date=ticket.service_date).update(**changes)


def ticket_issue(
    *,
    hall: Hall,
    service_code: str,
    channel: str,
    phone: str | None = None,
    priority: int = Priority.NORMAL,
    priority_reason: str = "",
    idempotency_key: str = "",
    actor: User | None = None,
) -> Issued:
    """Take a number for `service_code` in `hall`, with the wait estimate it is shown.

    Kiosk and counter tickets wait at once; web, app and API tickets are *reserved* until the citizen
    checks in at the hall, and lapse after the hall's remote_lapse_minutes. A retried request with the
    same Idempotency-Key returns the ticket it created (replayed=True). Raises NotFound, InvalidInput or
    Conflict (hall_closed, remote_disabled, quota_reached, phone_has_ticket) and writes nothing then.
    The estimate's wait model is stored with a new ticket, so later bands learn how far waits stray
    from it (`forecasting.hall_wait_dispersion`).
    """
    issued = _number_take(
        hall=hall,
        service_code=service_code,
        channel=channel,
        phone=phone,
        priority=priority,
        priority_reason=priority_reason,
        idempotency_key=idempotency_key,
        actor=actor,
    )
    from minxin.queueing.forecasting import issued_estimate  # forecasting builds on this module

    return replace(issued, estimate=issued_estimate(issued))


def _number_take(
    *,
    hall: Hall,
    service_code: str,
    channel: str,
    phone: str | None = None,
    priority: int = Priority.NORMAL,
    priority_reason: str = "",
    idempotency_key: str = "",
    actor: User | None = None,
) -> Issued:
    """The number itself (see `ticket_issue`)."""
    if channel not in _CHANNELS:
        raise InvalidInput(_("Unknown channel."), details={"field": "channel"})
    request = _Request(service_code, channel, phone, priority, actor)
    if idempotency_key:
        replay = _replay(hall, idempotency_key, request)
        if replay is not None:
            return replay
    service = _service(hall, service_code)
    if service is None or not service.queue.is_active:
        raise NotFound(
            _("This hall offers no service %(code)s.") % {"code": service_code}, code="service_not_found"
        )
    remote = channel in REMOTE_CHANNELS
    rules = queue_rules(hall)
    if remote and not (rules.remote_enabled and service.remote_allowed):
        raise Conflict(_("This service does not take remote numbers."), code="remote_disabled")
    phone_hash = phone_masked = phone_encrypted = ""
    if phone:
        normalized = personal.normalize_phone(phone)
        if normalized is None:
            raise InvalidInput(
                _("Enter a valid mainland mobile number (11 digits)."), details={"field": "phone"}
            )
        phone_hash = personal.keyed_hash(normalized, purpose="phone")
        phone_masked = personal.mask_phone(normalized)
        phone_encrypted = personal.encrypt(normalized)
    elif channel in (Channel.WEB, Channel.APP):
        raise InvalidInput(_("A remote number needs a mobile number."), details={"field": "phone"})
    now = clock.now()
    if not _hall_open(hall, now):
        raise Conflict(_("The hall is closed now."), code="hall_closed")
    today = clock.local_today(hall.time_zone)
    # A service with a daily quota counts its numbers in the transaction that takes one, so a number
    # refused (quota reached, the phone already holds one) leaves no place used up.
    quota = transaction.atomic() if service.daily_quota is not None else nullcontext()
    try:
        with quota:
            if service.daily_quota is not None:
                taken = counter_next(scope="quota", key=f"{service.pk}:{today.isoformat()}")
                if taken > service.daily_quota:
                    raise Conflict(_("Today's numbers for this service are all taken."), code="quota_reached")
            fields = {
                "public_id": uuid.uuid4(),
                "hall": hall,
                "queue": service.queue,
                "service": service,
                "service_date": today,
                "channel": channel,
                "status": TicketStatus.RESERVED if remote else TicketStatus.WAITING,
                "priority": priority,
                "priority_reason": priority_reason,
                "phone_hash": phone_hash,
                "phone_masked": phone_masked,
                "phone_encrypted": phone_encrypted,
                "idempotency_key": idempotency_key,
                "issued_at": now,
                "lapse_at": now + dt.timedelta(minutes=rules.remote_lapse_minutes) if remote else None,
            }
            if connection.vendor == "postgresql":
                ticket, issued, departed, reserved, last_call = _insert_ticket_one_statement(
                    fields, actor=actor, remote=remote
                )
            else:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(_DAY_UPSERT, [service.queue_id, today, 1 if remote else 0])
                        issued, departed, reserved, last_call = cursor.fetchone()
                    ticket = Ticket.objects.create(
                        **fields, seq=issued, number=f"{service.queue.prefix}{issued:03d}"
                    )
                    _event(ticket, TicketEvent.Kind.ISSUED, actor=actor, channel=channel, at=now)
                    _publish(ticket, "issued")
    except IntegrityError as error:
        if idempotency_key and (replay := _replay(hall, idempotency_key, request)) is not None:
            return replay
        if (
            phone_hash
            and Ticket.objects.filter(
                hall=hall, phone_hash=phone_hash, status__in=IN_LINE + AT_WINDOW
            ).exists()
        ):
            raise Conflict(
                _("This phone already holds a number in this hall."), code="phone_has_ticket"
            ) from error
        raise
    ahead, ahead_reserved = issued - 1 - departed, max(reserved - (1 if remote else 0), 0)
    if priority > Priority.NORMAL:
        # A green-channel number goes before the normal ones already waiting: count only those that
        # will really be called first (one indexed COUNT, paid by the few priority tickets only).
        from minxin.queueing.selectors import ticket_ahead

        ahead, ahead_reserved = ticket_ahead(ticket)
    return Issued(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved, last_called=last_call)


_TICKET = Ticket._meta.db_table
_EVENT = TicketEvent._meta.db_table
# PostgreSQL: count, number, insert the ticket and its event in ONE statement (one round trip, no
# BEGIN/COMMIT of its own): DESIGN.md measured 1,000–1,200 issues/s this way against 370–470 with the
# ORM's seven round trips. Ticket numbers past 999 keep all their digits (lpad would cut them).
_ISSUE_ONE_STATEMENT = f"""
WITH day AS ({_DAY_UPSERT}),
t AS (
    INSERT INTO {_TICKET} (public_id, hall_id, queue_id, service_id, service_date, seq, number, channel,
        status, priority, priority_reason, phone_hash, phone_masked, phone_encrypted, idempotency_key,
        issued_at, lapse_at, recalls)
    SELECT %s, %s, %s, %s, %s, day.issued,
        %s || CASE WHEN day.issued < 1000 THEN lpad(day.issued::text, 3, '0') ELSE day.issued::text END,
        %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0
    FROM day
    RETURNING id, seq, number
),
e AS (
    INSERT INTO {_EVENT} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, 'issued', %s, %s, %s, NULL, '{{}}'::jsonb FROM t
)
SELECT t.id, t.seq, t.number, day.issued, day.departed, day.reserved, day.last_called FROM t, day
"""  # noqa: S608 - table names are constants; every value is a parameter


def _one_statement(sql: str, params: list[Any], *, prepare: bool = True) -> Any:
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


def _insert_ticket_one_statement(
    fields: dict[str, Any], *, actor: User | None, remote: bool
) -> tuple[Ticket, int, int, int, str]:
    queue = fields["queue"]
    params = [
        queue.pk,
        fields["service_date"],
        1 if remote else 0,
        fields["public_id"],
        fields["hall"].pk,
        queue.pk,
        fields["service"].pk,
        fields["service_date"],
        queue.prefix,
        fields["channel"],
        fields["status"],
        fields["priority"],
        fields["priority_reason"],
        fields["phone_hash"],
        fields["phone_masked"],
        fields["phone_encrypted"],
        fields["idempotency_key"],
        fields["issued_at"],
        fields["lapse_at"],
        fields["issued_at"],
        actor.pk if actor else None,
        fields["channel"],
    ]
    message = _live_message(None, "issued", None) | {
        "ticket": str(fields["public_id"]),
        "queue": queue.pk,
        "service": fields["service"].code,
        "status": fields["status"],
    }
    row, published = _one_statement_publishing(
        _ISSUE_ONE_STATEMENT, params, hall=fields["hall"], message=message, computed={"number": "t.number"}
    )
    ticket_id, seq, number, issued, departed, reserved, last_call = row
    ticket = _new_ticket(fields | {"id": ticket_id, "seq": seq, "number": number, "recalls": 0})
    if not published:
        _publish(ticket, "issued")
    return ticket, issued, departed, reserved, last_call


def _new_ticket(values: dict[str, Any]) -> Ticket:
    """The Ticket just inserted with `values` (field names; related objects for foreign keys), the rest
    at their defaults: built as a row read from the database is (positional fields), several times
    cheaper than `Ticket(**values)`."""
    related = {name: values[name] for name in _TICKET_RELATIONS if name in values}
    row = [
        values[attname] if attname in values else field.get_default()
        for attname, field in zip(_TICKET_ATTNAMES, _TICKET_FIELDS, strict=True)
    ]
    for name, instance in related.items():
        row[_TICKET_RELATIONS[name]] = instance.pk
    ticket = Ticket.from_db(None, _TICKET_ATTNAMES, row)
    for name, instance in related.items():
        setattr(ticket, name, instance)
    return ticket


_CHANNELS = frozenset(Channel.values)  # Choices.values builds its list anew on every read
CITIZEN_NUMBERS_PER_HOUR = 6
ADDRESS_NUMBERS_PER_HOUR = 60


def citizen_ticket_issue(
    *,
    hall: Hall,
    service_code: str,
    citizen: Citizen,
    channel: str = "web",
    ip: str | None = None,
    idempotency_key: str = "",
) -> Issued:
    """A remote number for a citizen signed in with their phone: the number is tied to that verified
    phone (so nobody holds numbers or receives notices in another's name), a few per hour per citizen
    and per address."""
    throttle_hit(
        scope="remote-number", subject=citizen.phone_hash, limit=CITIZEN_NUMBERS_PER_HOUR, period_seconds=3600
    )
    if ip:
        throttle_hit(
            scope="remote-number-ip", subject=ip, limit=ADDRESS_NUMBERS_PER_HOUR, period_seconds=3600
        )
    return ticket_issue(
        hall=hall,
        service_code=service_code,
        channel=channel,
        phone=personal.decrypt(citizen.phone_encrypted),
        idempotency_key=idempotency_key,
    )


class _Request(NamedTuple):
    """What a request for a number asked, to tell a retry from another request with the same key."""

    service_code: str
    channel: str
    phone: str | None
    priority: int
    actor: User | None


def _replay(hall: Hall, idempotency_key: str, request: _Request) -> Issued | None:
    """The number an earlier request with this key took, or None. A key is one request's: reused by
    another caller, or for another service, channel, phone or priority, it is refused (422), so a
    retry never hands out someone else's number or silently drops what the new request asked."""
    ticket = (
        Ticket.objects.select_related("service", "queue")
        .filter(hall=hall, idempotency_key=idempotency_key)
        .first()
    )
    if ticket is None:
        return None
    issuer = (
        TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ISSUED)
        .values_list("actor_id", flat=True)
        .first()
    )
    caller = request.actor.pk if request.actor is not None else None
    phone = personal.normalize_phone(request.phone) if request.phone else None
    same = (
        issuer == caller
        and ticket.service.code == request.service_code
        and ticket.channel == request.channel
        and ticket.priority == request.priority
        and ticket.phone_hash == (personal.keyed_hash(phone, purpose="phone") if phone else "")
    )
    if not same:
        raise InvalidInput(
            _("This Idempotency-Key was used for another request: use a new key for a new number."),
            code="idempotency_key_reused",
            details={"field": "Idempotency-Key"},
        )
    from minxin.queueing.selectors import ticket_ahead

    ahead, ahead_reserved = ticket_ahead(ticket)
    return Issued(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved, replayed=True)


CHECK_IN_CODE_SECONDS = 10 * 60


def hall_check_in_code(hall: Hall) -> str:
    """A code that proves presence at the hall: shown as a QR on the kiosk and on the check-in screen,
    renewed every minute and valid for ten, so a photo of it sent home soon stops working."""
    return signing.TimestampSigner(salt="minxin.hall-check-in").sign(hall.code)


def hall_check_in_code_valid(hall: Hall, code: str) -> bool:
    try:
        value = signing.TimestampSigner(salt="minxin.hall-check-in").unsign(
            code, max_age=CHECK_IN_CODE_SECONDS
        )
    except signing.BadSignature:
        return False
    return value == hall.code


def ticket_check_in(*, ticket: Ticket, actor: User | None = None) -> Ticket:
    """A remote citizen arrived: reserved → waiting, keeping the place taken at issue."""
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.RESERVED).update(
            status=TicketStatus.WAITING, checked_in_at=clock.now(), lapse_at=None
        )
        if not changed:
            current = Ticket.objects.get(pk=ticket.pk)
            if current.status == TicketStatus.WAITING:
                return current  # checking in twice is harmless
            raise Conflict(
                _("This number cannot be checked in (it is %(status)s).")
                % {"status": current.get_status_display()},
                code="ticket_not_reserved",
            )
        _bump_day(ticket, reserved=-1)
        ticket.refresh_from_db()
        _event(ticket, TicketEvent.Kind.CHECKED_IN, actor=actor)
        _publish(ticket, "checked_in")
    return ticket


def ticket_prioritize(*, ticket: Ticket, priority: int, reason: str) -> bool:
    """Raise a waiting ticket's priority (an appointment's booked time has come): one conditional
    update, so a ticket already called, or ranked as high, is left alone (False). Call-next needs no
    change: it orders by priority first on both of its paths."""
    changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING, priority__lt=priority).update(
        priority=priority, priority_reason=reason[:64]
    )
    if changed:
        ticket.priority, ticket.priority_reason = priority, reason[:64]
        _publish(ticket, "reordered")
    return bool(changed)


def _work_profile(window: Window) -> tuple[str, list[WorkProfileQueue]]:
    def load() -> tuple[str, list[WorkProfileQueue]]:
        profile = WorkProfile.objects.filter(window=window).prefetch_related("entries").first()
        if profile is None:
            return WorkProfile.Strategy.LONGEST_WAIT, []
        return profile.strategy, list(profile.entries.all())

    return memo(("work-profile", window.pk), 30, load)


def _candidates(window: Window, now: dt.datetime) -> QuerySet[Ticket]:
    """Waiting tickets this window may call, best first: green channel and returning tickets, then a
    queue whose longest wait passed its profile limit, then (by the profile's strategy) the listed
    queue order or the longest wait."""
    strategy, entries = _work_profile(window)
    tickets = Ticket.objects.filter(
        hall_id=window.hall_id,
        service_date=clock.local_today(window.hall.time_zone),
        status=TicketStatus.WAITING,
    ).filter(Q(return_to_window__isnull=True) | Q(return_to_window=window))
    # A paused or closed window calls nobody; checked in the same statement that picks the ticket.
    tickets = tickets.exclude(
        Exists(
            WindowState.objects.filter(
                window=window, status__in=[WindowState.Status.PAUSED, WindowState.Status.CLOSED]
            )
        )
    )
    if entries:
        tickets = tickets.filter(queue_id__in=[entry.queue_id for entry in entries])
    urgent = [
        When(
            queue_id=entry.queue_id,
            issued_at__lte=now - dt.timedelta(minutes=entry.first_after_minutes),
            then=Value(0),
        )
        for entry in entries
        if entry.first_after_minutes is not None
    ]
    ordering: list[Any] = ["-priority"]
    if urgent:
        tickets = tickets.annotate(urgency=Case(*urgent, default=Value(1), output_field=IntegerField()))
        ordering.append("urgency")
    if strategy == WorkProfile.Strategy.IN_ORDER and entries:
        rank = [When(queue_id=entry.queue_id, then=Value(entry.position)) for entry in entries]
        tickets = tickets.annotate(queue_rank=Case(*rank, default=Value(999), output_field=IntegerField()))
        ordering.append("queue_rank")
    ordering += ["issued_at", "id"]
    return tickets.order_by(*ordering)


def ticket_call_next(*, window: Window, clerk: User, finish_current: bool = False) -> Ticket | None:
    """Call the next ticket for `window` by its work profile, or None when nobody waits for it.

    Refuses (window_busy) while the window still has a called or served ticket: the database's
    one-active-ticket-per-window index rejects the claim, and the whole transaction rolls back. Takes a
    row lock on PostgreSQL with SKIP LOCKED, so concurrent windows never wait for each other or take
    the same ticket.

    `finish_current` first finishes the number at the window, if any, in the same transaction: the
    clerk's "next" ends one citizen's service and calls the next with one key, as counter terminals
    do. A paused or closed window neither finishes nor calls (window_not_open).
    """
    now = clock.now()
    for _attempt in range(5):
        try:
            called = _claim_next(window, clerk, now, finish=finish_current)
        except IntegrityError:
            busy = Ticket.objects.filter(window=window, status__in=AT_WINDOW).first()
            raise Conflict(
                _("Finish or release the current number first."),
                code="window_busy",
                details={"ticket": busy.number if busy else None},
            ) from None
        if called is None and _window_not_open(window):
            raise Conflict(_("Open the window before calling."), code="window_not_open")
        if called is not False:
            return called
    raise Conflict(_("The queue is very busy; try again."), code="retry")


def _window_not_open(window: Window) -> bool:
    """Whether the window was paused or closed (a window never opened counts as open: API callers need
    not manage state). Asked only when nothing was called, so the hot path pays nothing for it."""
    return WindowState.objects.filter(
        window=window, status__in=[WindowState.Status.PAUSED, WindowState.Status.CLOSED]
    ).exists()


def _claim_next(
    window: Window, clerk: User, now: dt.datetime, *, finish: bool = False
) -> Ticket | Literal[False] | None:
    """One attempt: the ticket called, None when nobody waits, False when another window took the
    candidate between our read and our update (never on SQLite, whose writers queue). `finish`: the
    window's current number is finished first (see `ticket_call_next`)."""
    if connection.vendor == "postgresql":
        ticket = _claim_next_one_statement(window, clerk, now, finish=finish)
        if ticket is not None:
            return ticket
        # Nobody called: the line is empty, the window is paused, or (rarely) the one candidate was
        # taken meanwhile. The general path below tells these apart; the statement has finished the
        # current number already, unless the window is paused.
    with transaction.atomic():
        if finish and not _window_not_open(window):
            current = (
                Ticket.objects.select_related("service", "queue", "hall")
                .filter(window=window, status__in=AT_WINDOW)
                .first()
            )
            if current is not None:
                _finish(current, clerk, now)
        candidates = _candidates(window, now)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ticket = candidates.select_related("service", "queue", "hall").first()
        if ticket is None:
            return None
        claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED, window=window, clerk=clerk, called_at=now, recalls=0
        )
        if not claimed:
            return False
        _bump_day(ticket, departed=1, called=True)
        ticket.status, ticket.window, ticket.clerk, ticket.called_at, ticket.recalls = (
            TicketStatus.CALLED,
            window,
            clerk,
            now,
            0,
        )
        _event(ticket, TicketEvent.Kind.CALLED, actor=clerk, window=window, at=now)
        _publish(ticket, "called", window)
    return ticket


_TICKET_FIELDS = [field for field in Ticket._meta.concrete_fields]
_TICKET_ATTNAMES = [field.attname for field in _TICKET_FIELDS]
_TICKET_RELATIONS = {field.name: i for i, field in enumerate(_TICKET_FIELDS) if field.is_relation}
_TICKET_COLUMNS = ", ".join(f'"{field.column}"' for field in _TICKET_FIELDS)
_TICKET_RETURNING = ", ".join(f'{_TICKET}."{field.column}"' for field in _TICKET_FIELDS)
_TICKET_CALLED_COLUMNS = ", ".join(f't."{field.column}"' for field in _TICKET_FIELDS)
_TICKET_BY_PUBLIC_ID = f"SELECT {_TICKET_COLUMNS} FROM {_TICKET} WHERE public_id = %s"  # noqa: S608
_PUBLIC_ID = Ticket._meta.get_field("public_id")
_WINDOW_STATE = WindowState._meta.db_table
_DAY = QueueDay._meta.db_table

# PostgreSQL: pick the best waiting ticket for the window, claim it, count it out of the line and log
# the call in ONE statement (one round trip; the candidate row is locked with SKIP LOCKED, so windows
# calling at the same moment take different tickets and never wait for each other). The ordering is
# the one `_candidates` builds with the ORM for SQLite; tests run the same profiles on both databases.
_CALL_ONE_STATEMENT = """
WITH {finish}c AS (
    SELECT id FROM {ticket}
    WHERE hall_id = %s AND service_date = %s AND status = 'waiting'
      AND (return_to_window_id IS NULL OR return_to_window_id = %s)
      {queues}
      AND NOT EXISTS (
          SELECT 1 FROM {state} WHERE window_id = %s AND status IN ('paused', 'closed'))
      {after_finish}
    ORDER BY priority DESC{order}, issued_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
),
t AS (
    UPDATE {ticket} SET status = 'called', window_id = %s, clerk_id = %s, called_at = %s, recalls = 0
    FROM c WHERE {ticket}.id = c.id AND {ticket}.status = 'waiting'
    RETURNING {returning}
),
d AS (
    UPDATE {day} SET departed = {day}.departed + 1, last_called = t.number
    FROM t WHERE {day}.queue_id = t.queue_id AND {day}.service_date = t.service_date
),
e AS (
    INSERT INTO {event} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, 'called', %s, %s, '', %s, '{{}}'::jsonb FROM t
)
SELECT {final}
"""

# With `finish_current`, the window's current number is finished first, in the same statement. `f`
# runs to completion before the search `c` starts (c's filter reads f's count), so the index allowing
# one number per window never sees the new call next to the old one. The statement then always returns
# one row: the called ticket's columns (NULL when nobody was called) and the finished number's.
_FINISH_CURRENT = """f AS (
    UPDATE {ticket} SET status = 'done', finished_at = %s, started_at = COALESCE(started_at, called_at)
    WHERE window_id = %s AND status IN ('called', 'serving')
      AND NOT EXISTS (
          SELECT 1 FROM {state} WHERE window_id = %s AND status IN ('paused', 'closed'))
    RETURNING public_id AS f_public_id, number AS f_number, queue_id AS f_queue, service_id AS f_service,
        id AS f_id
),
fe AS (
    INSERT INTO {event} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT f.f_id, 'finished', %s, %s, '', %s, '{{}}'::jsonb FROM f
),
"""
_AFTER_FINISH = "AND (SELECT count(*) FROM f) >= 0"
_FINISHED_COLUMNS = ("f_public_id", "f_number", "f_queue", "f_service")
# The finished ticket's part of its "finished" signal, read from the statement's row `f`.
_FINISHED_TICKET = {
    "ticket": "f.f_public_id::text",
    "number": "f.f_number",
    "queue": "f.f_queue",
    "service": f"(SELECT code FROM {Service._meta.db_table} WHERE id = f.f_service)",  # noqa: S608
}


def _claim_next_one_statement(
    window: Window, clerk: User, now: dt.datetime, *, finish: bool = False
) -> Ticket | None:
    strategy, entries = _work_profile(window)
    params: list[Any] = [now, window.pk, window.pk, now, clerk.pk, window.pk] if finish else []
    params += [window.hall_id, clock.local_today(window.hall.time_zone), window.pk]
    queues = order = ""
    if entries:
        # `+ 0` keeps the queue index out: with several queues it gives no call order, and a plan
        # using it sorts the queues' whole line for each call.
        queues = "AND queue_id + 0 = ANY(%s)"
        params.append([entry.queue_id for entry in entries])
    params.append(window.pk)
    urgent = [entry for entry in entries if entry.first_after_minutes is not None]
    if urgent:
        order += ", CASE " + " ".join("WHEN queue_id = %s AND issued_at <= %s THEN 0" for _ in urgent)
        order += " ELSE 1 END"
        for entry in urgent:
            params += [entry.queue_id, now - dt.timedelta(minutes=entry.first_after_minutes or 0)]
    if strategy == WorkProfile.Strategy.IN_ORDER and entries:
        order += ", CASE queue_id " + " ".join("WHEN %s THEN %s" for _ in entries) + " ELSE 999 END"
        for entry in entries:
            params += [entry.queue_id, entry.position]
    params += [window.pk, clerk.pk, now, now, clerk.pk, window.pk]
    sql = _CALL_ONE_STATEMENT.format(
        ticket=_TICKET,
        state=_WINDOW_STATE,
        day=_DAY,
        event=_EVENT,
        queues=queues,
        order=order,
        returning=_TICKET_RETURNING,
        finish=_FINISH_CURRENT.format(ticket=_TICKET, state=_WINDOW_STATE, event=_EVENT) if finish else "",
        after_finish=_AFTER_FINISH if finish else "",
        final=(
            f"{_TICKET_CALLED_COLUMNS}, {', '.join(_FINISHED_COLUMNS)} "
            "FROM (SELECT 1) AS one LEFT JOIN t ON true LEFT JOIN f ON true"
            if finish
            else f"{_TICKET_COLUMNS} FROM t"
        ),
    )
    finished_published = False
    finished_message: dict[str, Any] = {}
    if finish:
        finished_message = _live_message(None, "finished", window) | {"status": TicketStatus.DONE}
        statement = publish_within(
            sql,
            params,
            source="f",
            topic=hall_topic(window.hall),
            message=finished_message,
            computed=_FINISHED_TICKET,
            name="live_finished",
        )
        if statement is not None:
            (sql, params), finished_published = statement, True
    row, published = _one_statement_publishing(
        sql,
        params,
        hall=window.hall,
        message=_live_message(None, "called", window) | {"status": TicketStatus.CALLED},
        computed=_CALLED_TICKET,
        # Longest wait first (no CASE in the order) walks the call-order index to the first ticket the
        # window may take, whatever the hall and queues: prepared, the statement keeps that plan and
        # skips a millisecond of planning (bench/README.md). A profile's wait limits or queue order
        # need a sort; its best plan depends on the queues' lines, so it is planned every time.
        prepare=not order,
    )
    if finish:
        finished, row = row[len(_TICKET_FIELDS) :], row[: len(_TICKET_FIELDS)]
        if finished[0] is not None and not finished_published:
            ticket_id, number, queue_id, service_id = finished
            publish_on_commit(
                hall_topic(window.hall),
                finished_message
                | {
                    "ticket": str(ticket_id),
                    "number": number,
                    "queue": queue_id,
                    "service": service_by_id(service_id).code,
                },
            )
        if row[0] is None:
            return None
    if row is None:
        return None
    ticket = _ticket_of_row(row, hall=window.hall, window=window)
    ticket.clerk = clerk
    if not published:
        _publish(ticket, "called", window)
    return ticket


# The called ticket's part of the "called" signal, read from the statement's row `t`.
_CALLED_TICKET = {
    "ticket": "t.public_id::text",
    "number": "t.number",
    "queue": "t.queue_id",
    "service": f"(SELECT code FROM {Service._meta.db_table} WHERE id = t.service_id)",  # noqa: S608
}


def _ticket_of_row(row: tuple[Any, ...], *, hall: Hall | None, window: Window | None = None) -> Ticket:
    """A Ticket from a row of `_TICKET_COLUMNS`, with its service, queue and window from the caches, and
    `hall` (None: its window's, when it has one; else left to load)."""
    ticket = Ticket.from_db(None, _TICKET_ATTNAMES, row)
    service = service_by_id(ticket.service_id)
    ticket.service, ticket.queue = service, service.queue
    if ticket.window_id is not None:
        if window is None or window.pk != ticket.window_id:
            from minxin.catalog.selectors import window_by_id

            window = window_by_id(ticket.window_id)
        ticket.window = window
    if hall is not None:
        ticket.hall = hall
    elif ticket.window is not None:
        ticket.hall = ticket.window.hall
    return ticket


# PostgreSQL: a clerk's step on a ticket at the window (start, finish) as ONE statement: the guarded
# update and its event row. No row back means the ticket was not in a state that allows the step; the
# general path then reads it and says why.
_STEP_ONE_STATEMENT = """
WITH t AS (
    UPDATE {ticket} SET {assignments}
    WHERE id = %s AND status = ANY(%s)
    RETURNING {returning}
),
e AS (
    INSERT INTO {event} (ticket_id, kind, at, actor_id, channel, window_id, details)
    SELECT t.id, %s, %s, %s, '', t.window_id, '{{}}'::jsonb FROM t
)
SELECT {columns},
    (SELECT last_called FROM {day} WHERE queue_id = t.queue_id AND service_date = t.service_date)
FROM t
"""


def _step_one_statement(
    ticket: Ticket,
    *,
    assignments: str,
    params: list[Any],
    allowed: tuple[str, ...],
    kind: str,
    clerk: User,
    now: dt.datetime,
) -> Ticket | None:
    if connection.vendor != "postgresql":
        return None
    sql = _STEP_ONE_STATEMENT.format(
        ticket=_TICKET,
        assignments=assignments,
        event=_EVENT,
        day=_DAY,
        returning=_TICKET_RETURNING,
        columns=_TICKET_COLUMNS,
    )
    row, published = _one_statement_publishing(
        sql,
        [*params, ticket.pk, list(allowed), kind, now, clerk.pk],
        hall=ticket.hall,
        message=_live_message(ticket, kind, ticket.window),
        computed={"status": "t.status"},
    )
    if row is None:
        return None
    done = _ticket_of_row(row[:-1], hall=ticket.hall)
    done.last_called_in_queue = row[-1] or ""
    if not published:
        _publish(done, kind, done.window)
    return done


def _at_window(ticket: Ticket, statuses: tuple[str, ...], code: str) -> Ticket:
    current = Ticket.objects.select_related("window", "service", "queue", "hall").get(pk=ticket.pk)
    if current.status not in statuses:
        raise Conflict(
            _("This number is %(status)s.") % {"status": current.get_status_display()},
            code=code,
            details={"status": current.status},
        )
    return current


def ticket_recall(*, ticket: Ticket, clerk: User) -> Ticket:
    """Call the same number again. Past the hall's recall limit the ticket becomes a no-show."""
    rules = queue_rules(ticket.hall)
    with transaction.atomic():
        current = _at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        if current.recalls >= rules.recall_limit:
            return ticket_no_show(ticket=current, clerk=clerk, recalls_used_up=True)
        Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(recalls=F("recalls") + 1)
        current.refresh_from_db()
        _event(
            current,
            TicketEvent.Kind.RECALLED,
            actor=clerk,
            window=current.window,
            details={"recall": current.recalls},
        )
        _publish(current, "recalled", current.window)
    return current


def ticket_no_show(*, ticket: Ticket, clerk: User, recalls_used_up: bool = False) -> Ticket:
    """The called citizen did not come (过号). They may rejoin within the hall's rejoin window.

    Refused (no_show_too_early) until the hall's no_show_grace_seconds have passed since the call: a
    citizen walking across the hall must not lose the place to a quick click. A recall past the
    hall's recall limit (`recalls_used_up`) has called them often enough and is not held back.
    """
    rules = queue_rules(ticket.hall)
    now = clock.now()
    with transaction.atomic():
        current = _at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        left = rules.no_show_grace_seconds - (now - (current.called_at or now)).total_seconds()
        if current.called_at is not None and left > 0 and not recalls_used_up:
            raise Conflict(
                _("Give the citizen time to come: a no-show can be marked %(seconds)d s after the call.")
                % {"seconds": rules.no_show_grace_seconds},
                code="no_show_too_early",
                details={"seconds_left": math.ceil(left)},
            )
        changed = Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.NO_SHOW,
            finished_at=now,
            rejoin_until=now + dt.timedelta(minutes=rules.rejoin_minutes),
        )
        if not changed:
            raise Conflict(_("This number has just changed."), code="ticket_changed")
        current.refresh_from_db()
        _event(current, TicketEvent.Kind.NO_SHOW, actor=clerk, window=current.window)
        _publish(current, "no_show", current.window)
    return current


def ticket_rejoin(*, ticket: Ticket) -> Ticket:
    """A missed citizen comes back in time: back in line in their original place."""
    now = clock.now()
    with transaction.atomic():
        changed = Ticket.objects.filter(
            pk=ticket.pk, status=TicketStatus.NO_SHOW, rejoin_until__gte=now
        ).update(
            status=TicketStatus.WAITING,
            window=None,
            clerk=None,
            called_at=None,
            finished_at=None,
            rejoin_until=None,
        )
        if not changed:
            raise Conflict(_("This number can no longer rejoin the line."), code="rejoin_closed")
        ticket.refresh_from_db()
        _bump_day(ticket, departed=-1)
        _event(ticket, TicketEvent.Kind.REJOINED)
        _publish(ticket, "rejoined")
    return ticket


def ticket_start(*, ticket: Ticket, clerk: User) -> Ticket:
    """The citizen reached the window: called → serving."""
    now = clock.now()
    started = _step_one_statement(
        ticket,
        assignments="status = 'serving', started_at = %s",
        params=[now],
        allowed=(TicketStatus.CALLED,),
        kind=TicketEvent.Kind.STARTED,
        clerk=clerk,
        now=now,
    )
    if started is not None:
        return started
    with transaction.atomic():
        current = _at_window(ticket, (TicketStatus.CALLED,), "ticket_not_called")
        Ticket.objects.filter(pk=current.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.SERVING, started_at=now
        )
        current.refresh_from_db()
        _event(current, TicketEvent.Kind.STARTED, actor=clerk, window=current.window)
        _publish(current, "started", current.window)
    return current


def ticket_finish(*, ticket: Ticket, clerk: User) -> Ticket:
    """Service done. A called ticket that was never marked as started counts from its call."""
    now = clock.now()
    done = _step_one_statement(
        ticket,
        assignments="status = 'done', finished_at = %s, started_at = COALESCE(started_at, called_at)",
        params=[now],
        allowed=AT_WINDOW,
        kind=TicketEvent.Kind.FINISHED,
        clerk=clerk,
        now=now,
    )
    if done is not None:
        return done
    with transaction.atomic():
        current = _at_window(ticket, AT_WINDOW, "ticket_not_at_window")
        if not _finish(current, clerk, now):
            raise Conflict(_("This number has just changed."), code="ticket_changed")
    return current


def _finish(current: Ticket, clerk: User, now: dt.datetime) -> bool:
    """Finish `current`, read at its window inside the caller's transaction; False if it has just
    left the window."""
    started_at = current.started_at or current.called_at
    changed = Ticket.objects.filter(pk=current.pk, status__in=AT_WINDOW).update(
        status=TicketStatus.DONE, finished_at=now, started_at=started_at
    )
    if not changed:
        return False
    current.status, current.finished_at, current.started_at = TicketStatus.DONE, now, started_at
    _event(current, TicketEvent.Kind.FINISHED, actor=clerk, window=current.window)
    _publish(current, "finished", current.window)
    return True


def ticket_transfer(
    *,
    ticket: Ticket,
    clerk: User,
    to_service: Service | None = None,
    to_window: Window | None = None,
    raise_priority: bool = False,
) -> Ticket:
    """Send a citizen at this window on to another service (its queue) or to one window; the new
    ticket keeps the citizen's phone and may be raised in priority so they do not queue twice."""
    if (to_service is None) == (to_window is None):
        raise InvalidInput(_("Transfer to a service or to a window."), details={"field": "to"})
    current = _at_window(ticket, AT_WINDOW, "ticket_not_at_window")
    target_service = to_service or current.service
    if target_service.hall_id != current.hall_id or (
        to_window is not None and to_window.hall_id != current.hall_id
    ):
        raise InvalidInput(_("The target is not in this hall."), details={"field": "to"})
    if not target_service.is_active or not target_service.queue.is_active:
        raise InvalidInput(_("That service takes no numbers now."), details={"field": "service"})
    if to_window is not None:
        _strategy, entries = _work_profile(to_window)
        if entries and target_service.queue_id not in {entry.queue_id for entry in entries}:
            # It would wait for a window that never calls its queue, hidden from every other window.
            raise InvalidInput(
                _(
                    "Window %(window)s does not call queue %(prefix)s: "
                    "transfer to one of its services instead."
                )
                % {"window": to_window.number, "prefix": target_service.queue.prefix},
                code="window_does_not_call_queue",
                details={"field": "window"},
            )
    now = clock.now()
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=current.pk, status__in=AT_WINDOW).update(
            status=TicketStatus.TRANSFERRED, finished_at=now
        )
        if not changed:
            raise Conflict(_("This number has just changed."), code="ticket_changed")
        today = current.service_date
        with connection.cursor() as cursor:
            cursor.execute(_DAY_UPSERT, [target_service.queue_id, today, 0])
            issued, _departed, _reserved, _last_call = cursor.fetchone()
        moved = Ticket.objects.create(
            hall_id=current.hall_id,
            queue_id=target_service.queue_id,
            service=target_service,
            service_date=today,
            seq=issued,
            number=f"{target_service.queue.prefix}{issued:03d}",
            channel=current.channel,
            status=TicketStatus.WAITING,
            priority=Priority.RETURNING if raise_priority else current.priority,
            priority_reason=_("transferred") if raise_priority else current.priority_reason,
            phone_hash=current.phone_hash,
            phone_masked=current.phone_masked,
            phone_encrypted=current.phone_encrypted,
            issued_at=now,
            transferred_from=current,
            return_to_window=to_window,
        )
        _event(
            current,
            TicketEvent.Kind.TRANSFERRED,
            actor=clerk,
            window=current.window,
            details={"to": moved.number, "window": to_window.number if to_window else None},
        )
        _event(
            moved,
            TicketEvent.Kind.ISSUED,
            actor=clerk,
            channel=current.channel,
            details={"from": current.number},
        )
        _publish(current, "transferred", current.window)
        _publish(moved, "issued")
    return moved


def ticket_cancel(*, ticket: Ticket) -> Ticket:
    """The citizen gives up their place."""
    with transaction.atomic():
        current = Ticket.objects.select_related("hall", "service").get(pk=ticket.pk)
        changed = Ticket.objects.filter(pk=ticket.pk, status__in=IN_LINE).update(
            status=TicketStatus.CANCELLED, finished_at=clock.now(), lapse_at=None
        )
        if not changed:
            raise Conflict(_("Only a number still in line can be cancelled."), code="ticket_not_in_line")
        _bump_day(current, departed=1, reserved=-1 if current.status == TicketStatus.RESERVED else 0)
        current.refresh_from_db()
        _event(current, TicketEvent.Kind.CANCELLED)
        _publish(current, "cancelled")
    return current


def tickets_lapse() -> int:
    """Worker job: remote tickets not checked in by their lapse time leave the line. Each is claimed by
    a conditional update, so two workers never lapse the same ticket twice."""
    now = clock.now()
    done = 0
    due = Ticket.objects.filter(status=TicketStatus.RESERVED, lapse_at__lte=now).select_related(
        "hall", "service"
    )
    for ticket in due[:500]:
        with transaction.atomic():
            changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.RESERVED).update(
                status=TicketStatus.LAPSED, finished_at=now, lapse_at=None
            )
            if changed:
                _bump_day(ticket, departed=1, reserved=-1)
                ticket.status = TicketStatus.LAPSED
                _event(ticket, TicketEvent.Kind.LAPSED)
                _publish(ticket, "lapsed")
                done += 1
    return done


def tickets_close_out_days() -> int:
    """Worker job: a ticket still active after its hall's day has ended is closed: one in line lapses,
    one called becomes a no-show, one being served is finished. Without this a forgotten ticket would
    keep its phone from taking a number the next day and its window busy."""
    now = clock.now()
    done = 0
    outcomes = {
        TicketStatus.RESERVED: TicketStatus.LAPSED,
        TicketStatus.WAITING: TicketStatus.LAPSED,
        TicketStatus.CALLED: TicketStatus.NO_SHOW,
        TicketStatus.SERVING: TicketStatus.DONE,
    }
    for hall in Hall.objects.filter(tickets__status__in=ACTIVE).distinct():
        today = clock.local_today(hall.time_zone)
        stale = Ticket.objects.filter(hall=hall, service_date__lt=today, status__in=ACTIVE)
        for ticket in stale.select_related("hall", "service")[:1000]:
            with transaction.atomic():
                if not Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
                    status=outcomes[TicketStatus(ticket.status)], finished_at=now, lapse_at=None
                ):
                    continue
                if ticket.status in IN_LINE:
                    _bump_day(
                        ticket, departed=1, reserved=-1 if ticket.status == TicketStatus.RESERVED else 0
                    )
                _event(
                    ticket, TicketEvent.Kind.LAPSED, details={"reason": "day closed", "was": ticket.status}
                )
                done += 1
    return done


def window_set_state(*, window: Window, clerk: User, status: str) -> WindowState:
    """Open, pause or close a window (pause keeps the clerk; estimates count open windows only)."""
    if status not in WindowState.Status.values:
        raise InvalidInput(_("Unknown window state."), details={"field": "status"})
    state, _created = WindowState.objects.update_or_create(
        window=window, defaults={"status": status, "clerk": clerk, "since": clock.now()}
    )
    publish_on_commit(
        f"hall:{window.hall.code}", {"type": "window", "window": window.number, "status": status}
    )
    return state


def ensure_clerk_at_window(*, user: User, window: Window) -> None:
    from minxin.catalog.selectors import clerk_may_act_at_window

    if not clerk_may_act_at_window(user=user, window=window):
        raise Forbidden(_("You may not act at this window."), code="out_of_scope")


def ticket_for_clerk(*, user: User, public_id: str) -> Ticket:
    """The ticket with `public_id`, if `user` may act on it (at its window, or in its hall as a manager).
    One query: the window, its hall and the service come from the per-process caches."""
    try:
        key = _PUBLIC_ID.get_db_prep_value(uuid.UUID(public_id), connection)
    except ValueError:
        raise NotFound(_("No such number."), code="ticket_not_found") from None
    with connection.cursor() as cursor:  # a fixed statement: every step at the window asks it
        cursor.execute(_TICKET_BY_PUBLIC_ID, [key])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("No such number."), code="ticket_not_found")
    ticket = _ticket_of_row(row, hall=None)
    if ticket.window is not None:
        ensure_clerk_at_window(user=user, window=ticket.window)
    else:
        from minxin.accounts.models import Role
        from minxin.orgs.selectors import staff_may_act_in_hall

        ticket.hall = Hall.objects.select_related("unit__region").get(pk=ticket.hall_id)
        if not staff_may_act_in_hall(
            user=user, hall=ticket.hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER]
        ):
            raise Forbidden(_("You may not act in this hall."), code="out_of_scope")
    return ticket
