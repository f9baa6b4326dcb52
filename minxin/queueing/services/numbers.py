"""Taking a number (kiosk, counter, web, app, API), replaying a retried request, and what happens to a
number before it is called: check-in, priority, cancel.

Numbers come from one upsert on the queue's day row (INSERT … ON CONFLICT DO UPDATE … RETURNING), which
also returns how many left the line, so "people ahead" costs nothing extra. The database refuses two
numbers alike, two active tickets for one phone in a hall and a replayed Idempotency-Key (unique
constraints), whatever the code does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Citizen, User
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput, NotFound
from minxin.core.numbering import counter_next
from minxin.core.throttle import throttle_hit
from minxin.orgs.models import Hall
from minxin.queueing import pg, sql
from minxin.queueing.forecasting import issued_estimate
from minxin.queueing.models import (
    AT_WINDOW,
    IN_LINE,
    Channel,
    Priority,
    Service,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from minxin.queueing.rules import (
    CHANNELS,
    Issued,
    NumberRequest,
    hall_open_now,
    hall_topic,
    queue_rules,
    service_by_code,
)
from minxin.queueing.selectors import ticket_ahead
from minxin.queueing.services.common import event_add, live_message, publish, ticket_built

CITIZEN_NUMBERS_PER_HOUR = 6
ADDRESS_NUMBERS_PER_HOUR = 60


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
    request = NumberRequest(
        service_code=service_code,
        channel=channel,
        phone=phone,
        priority=priority,
        priority_reason=priority_reason,
        idempotency_key=idempotency_key,
        actor=actor,
    )
    issued = number_take(hall, request)
    return replace(issued, estimate=issued_estimate(issued))


@dataclass(frozen=True, slots=True)
class _Phone:
    hash: str = ""
    masked: str = ""
    encrypted: str = ""


def number_take(hall: Hall, request: NumberRequest) -> Issued:
    """The number itself, without its estimate (see `ticket_issue`)."""
    if request.channel not in CHANNELS:
        raise InvalidInput(_("Unknown channel."), details={"field": "channel"})
    if request.idempotency_key and (replay := _replay(hall, request)) is not None:
        return replay
    service = _service_taking(hall, request)
    phone = _phone(request)
    now = clock.now()
    if not hall_open_now(hall, now):
        raise Conflict(_("The hall is closed now."), code="hall_closed")
    try:
        ticket, day = _ticket_insert(hall, service, request, phone, now)
    except IntegrityError as error:
        if request.idempotency_key and (replay := _replay(hall, request)) is not None:
            return replay
        if (
            phone.hash
            and Ticket.objects.filter(
                hall=hall, phone_hash=phone.hash, status__in=IN_LINE + AT_WINDOW
            ).exists()
        ):
            raise Conflict(
                _("This phone already holds a number in this hall."), code="phone_has_ticket"
            ) from error
        raise
    ahead, ahead_reserved = day.issued - 1 - day.departed, max(day.reserved - int(request.remote), 0)
    if request.priority > Priority.NORMAL:
        # A green-channel number goes before the normal ones already waiting: count only those that
        # will really be called first (one indexed COUNT, paid by the few priority tickets only).
        ahead, ahead_reserved = ticket_ahead(ticket)
    return Issued(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved, last_called=day.last_called)


def _service_taking(hall: Hall, request: NumberRequest) -> Service:
    """The active service asked for, if it takes this request's kind of number."""
    service = service_by_code(hall, request.service_code)
    if service is None or not service.queue.is_active:
        raise NotFound(
            _("This hall offers no service %(code)s.") % {"code": request.service_code},
            code="service_not_found",
        )
    if request.remote and not (queue_rules(hall).remote_enabled and service.remote_allowed):
        raise Conflict(_("This service does not take remote numbers."), code="remote_disabled")
    return service


def _phone(request: NumberRequest) -> _Phone:
    if not request.phone:
        if request.channel in (Channel.WEB, Channel.APP):
            raise InvalidInput(_("A remote number needs a mobile number."), details={"field": "phone"})
        return _Phone()
    normalized = personal.normalize_phone(request.phone)
    if normalized is None:
        raise InvalidInput(_("Enter a valid mainland mobile number (11 digits)."), details={"field": "phone"})
    return _Phone(
        hash=personal.keyed_hash(normalized, purpose="phone"),
        masked=personal.mask_phone(normalized),
        encrypted=personal.encrypt(normalized),
    )


def _ticket_insert(
    hall: Hall, service: Service, request: NumberRequest, phone: _Phone, now: dt.datetime
) -> tuple[Ticket, sql.DayCount]:
    """Insert the ticket, its event and its signal. A service with a daily quota counts its numbers in
    the transaction that takes one, so a number refused (quota reached, the phone already holds one)
    leaves no place used up."""
    today = clock.local_today(hall.time_zone)
    quota = transaction.atomic() if service.daily_quota is not None else nullcontext()
    with quota:
        if service.daily_quota is not None:
            taken = counter_next(scope="quota", key=f"{service.pk}:{today.isoformat()}")
            if taken > service.daily_quota:
                raise Conflict(_("Today's numbers for this service are all taken."), code="quota_reached")
        lapse = dt.timedelta(minutes=queue_rules(hall).remote_lapse_minutes)
        fields = {
            "public_id": uuid.uuid4(),
            "hall": hall,
            "queue": service.queue,
            "service": service,
            "service_date": today,
            "channel": request.channel,
            "status": TicketStatus.RESERVED if request.remote else TicketStatus.WAITING,
            "priority": request.priority,
            "priority_reason": request.priority_reason,
            "phone_hash": phone.hash,
            "phone_masked": phone.masked,
            "phone_encrypted": phone.encrypted,
            "idempotency_key": request.idempotency_key,
            "issued_at": now,
            "lapse_at": now + lapse if request.remote else None,
        }
        if pg.enabled():
            return _ticket_insert_one_statement(fields, actor=request.actor, remote=request.remote)
        return _ticket_insert_orm(fields, actor=request.actor, remote=request.remote)


def _ticket_insert_orm(
    fields: dict[str, Any], *, actor: User | None, remote: bool
) -> tuple[Ticket, sql.DayCount]:
    service = fields["service"]
    with transaction.atomic():
        day = sql.day_number_take(
            queue_id=service.queue_id, service_date=fields["service_date"], reserved=remote
        )
        ticket = Ticket.objects.create(
            **fields, seq=day.issued, number=f"{service.queue.prefix}{day.issued:03d}"
        )
        event_add(
            ticket, TicketEvent.Kind.ISSUED, actor=actor, channel=fields["channel"], at=fields["issued_at"]
        )
        publish(ticket, "issued")
    return ticket, day


def _ticket_insert_one_statement(
    fields: dict[str, Any], *, actor: User | None, remote: bool
) -> tuple[Ticket, sql.DayCount]:
    queue, service = fields["queue"], fields["service"]
    params = {
        name: fields[name]
        for name in (
            "public_id",
            "channel",
            "status",
            "priority",
            "priority_reason",
            "phone_hash",
            "phone_masked",
            "phone_encrypted",
            "idempotency_key",
            "issued_at",
            "lapse_at",
        )
    } | {
        "queue": queue.pk,
        "day": fields["service_date"],
        "reserved": int(remote),
        "hall": fields["hall"].pk,
        "service": service.pk,
        "prefix": queue.prefix,
        "actor": actor.pk if actor else None,
    }
    message = live_message(None, "issued", None) | {
        "ticket": str(fields["public_id"]),
        "queue": queue.pk,
        "service": service.code,
        "status": fields["status"],
    }
    row, published = pg.run(
        pg.issue_statement(params),
        topic=hall_topic(fields["hall"]),
        message=message,
        computed={"number": "t.number"},
    )
    ticket_id, seq, number, *day = row
    ticket = ticket_built(fields | {"id": ticket_id, "seq": seq, "number": number, "recalls": 0})
    if not published:
        publish(ticket, "issued")
    return ticket, sql.DayCount(*day)


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


def _replay(hall: Hall, request: NumberRequest) -> Issued | None:
    """The number an earlier request with this key took, or None. A key is one request's: reused by
    another caller, or for another service, channel, phone or priority, it is refused (422), so a
    retry never hands out someone else's number or silently drops what the new request asked."""
    ticket = (
        Ticket.objects.select_related("service", "queue")
        .filter(hall=hall, idempotency_key=request.idempotency_key)
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
    ahead, ahead_reserved = ticket_ahead(ticket)
    return Issued(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved, replayed=True)
