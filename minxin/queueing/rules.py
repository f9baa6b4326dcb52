"""The queue's configuration and its per-process caches: a hall's rules, its services, whether it is
open, the live topic of a hall, and `Issued`, what taking a number answers.

Kept apart from `services` so that `forecasting` (which estimates the wait of a number just taken) and
the services (which ask it for that estimate) both build on it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minxin.accounts.models import User
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_is_open
from minxin.queueing.estimates import Estimate
from minxin.queueing.models import Channel, Priority, QueueRules, Service, Ticket

REMOTE_CHANNELS = (Channel.WEB, Channel.APP, Channel.API)
CHANNELS = frozenset(Channel.values)  # Choices.values builds its list anew on every read
HALL_TOPIC_PREFIX = "hall:"


def hall_code_topic(code: str) -> str:
    """The live topic of the hall with this code (boards, desks and ticket pages listen on it)."""
    return HALL_TOPIC_PREFIX + code


def hall_topic(hall: Hall) -> str:
    return hall_code_topic(hall.code)


def queue_rules(hall: Hall) -> QueueRules:
    def load() -> QueueRules:
        rules, _created = QueueRules.objects.get_or_create(hall_id=hall.pk)
        return rules

    return memo(("queue-rules", hall.pk), 30, load)


def service_by_code(hall: Hall, code: str) -> Service | None:
    """An active service of the hall (with its queue) by code, cached per process."""

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


def hall_open_now(hall: Hall, now: dt.datetime) -> bool:
    """Whether the hall takes numbers now; decided once a minute per process."""
    minute = int(now.timestamp()) // 60
    return memo(("hall-open", hall.pk, minute), 60, lambda: hall_is_open(hall=hall, at=now))


@dataclass(frozen=True, slots=True)
class NumberRequest:
    """What a request for a number asks (`ticket_issue`): also how a retry with the same
    Idempotency-Key is told from another request."""

    service_code: str
    channel: str
    phone: str | None = None
    priority: int = Priority.NORMAL
    priority_reason: str = ""
    idempotency_key: str = ""
    actor: User | None = None

    @property
    def remote(self) -> bool:
        return self.channel in REMOTE_CHANNELS


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    ahead: int
    ahead_reserved: int
    replayed: bool = False
    last_called: str | None = None  # the queue's last called number ("" for none yet), when known
    estimate: Estimate | None = None  # the wait shown with the number (its model stored on the ticket)
