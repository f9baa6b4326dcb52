"""The queue's part of personal data (PIPL): a ticket's phone serves the "you are N-th" notice and the
clerk's form-free filing while the ticket is open, so its ciphertext goes when the ticket closes; the
hash and masked form (one active number per phone, "my numbers", the rating's reply) go after
QUEUE_TICKET_PERSONAL_DAYS.

Both jobs read tickets through the (hall, service_date, status) index, a bounded window of days per
hall, never the whole table; each is one conditional UPDATE, so two workers never disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.core import clock
from minxin.core.personal_data import Erasure, Subject
from minxin.orgs.models import Hall
from minxin.queueing.models import ACTIVE, Ticket, TicketStatus

# A notice is only sent for a ticket of today or yesterday (notices.tickets_notify); the clear job looks
# one day further back and one ahead, for halls whose local date differs from the server's.
_RECENT_DAYS = 2


def _today() -> dt.date:
    return timezone.localdate(clock.now())


def _halls() -> list[int]:
    return list(Hall.objects.order_by("pk").values_list("pk", flat=True))


def tickets_forget_phones() -> int:
    """Worker job: drop the encrypted phone of every recent ticket that is no longer open. A ticket
    served is given QUEUE_PHONE_RATING_GRACE_MINUTES first: a rating made at the window copies the
    phone, so the hall can reply to a bad review."""
    today = _today()
    served_before = clock.now() - dt.timedelta(minutes=settings.QUEUE_PHONE_RATING_GRACE_MINUTES)
    return (
        Ticket.objects.filter(
            hall_id__in=_halls(),
            service_date__gte=today - dt.timedelta(days=_RECENT_DAYS),
            service_date__lte=today + dt.timedelta(days=1),
        )
        .exclude(status__in=ACTIVE)
        .exclude(phone_encrypted="")
        .filter(~Q(status=TicketStatus.DONE) | Q(finished_at__lt=served_before))
        .update(phone_encrypted="")
    )


def tickets_retention() -> int:
    """Worker job: clears older tickets' personal fields, in a window of PERSONAL_DATA_SWEEP_DAYS days
    before each cutoff (set it higher once to catch up after a long stop): the encrypted phone of
    tickets past the recent days, and every phone field after QUEUE_TICKET_PERSONAL_DAYS."""
    today, sweep = _today(), dt.timedelta(days=settings.PERSONAL_DATA_SWEEP_DAYS)
    halls = _halls()
    recent = today - dt.timedelta(days=_RECENT_DAYS)
    cleared = (
        Ticket.objects.filter(hall_id__in=halls, service_date__gte=recent - sweep, service_date__lt=recent)
        .exclude(status__in=ACTIVE)
        .exclude(phone_encrypted="")
        .update(phone_encrypted="")
    )
    cutoff = today - dt.timedelta(days=settings.QUEUE_TICKET_PERSONAL_DAYS)
    cleared += (
        Ticket.objects.filter(hall_id__in=halls, service_date__gte=cutoff - sweep, service_date__lt=cutoff)
        .exclude(phone_hash="", phone_masked="")
        .exclude(status__in=ACTIVE)
        .update(phone_hash="", phone_masked="", phone_encrypted="")
    )
    return cleared


def _tickets_of(subject: Subject) -> Any:
    since = _today() - dt.timedelta(
        days=settings.QUEUE_TICKET_PERSONAL_DAYS + settings.PERSONAL_DATA_SWEEP_DAYS
    )
    return Ticket.objects.filter(hall_id__in=_halls(), service_date__gte=since, phone_hash=subject.phone_hash)


def tickets_export(subject: Subject) -> list[dict[str, Any]]:
    rows = _tickets_of(subject).select_related("hall", "service").order_by("issued_at")
    return [
        {
            "number": ticket.number,
            "hall": ticket.hall.name,
            "service": ticket.service.name,
            "date": ticket.service_date.isoformat(),
            "channel": ticket.channel,
            "status": ticket.status,
            "issued_at": ticket.issued_at.isoformat(),
            "phone": ticket.phone_masked,
            "notified_at": ticket.notified_at.isoformat() if ticket.notified_at else None,
        }
        for ticket in rows
    ]


@transaction.atomic
def tickets_erase(subject: Subject) -> Erasure:
    tickets = _tickets_of(subject)
    erasure = Erasure(
        erased=tickets.exclude(status__in=ACTIVE).update(phone_hash="", phone_masked="", phone_encrypted="")
    )
    open_numbers = list(tickets.filter(status__in=ACTIVE).values_list("number", flat=True))
    if open_numbers:
        erasure.kept.append(
            _(
                "Your number %(numbers)s is still open: the hall keeps your phone with it until it closes "
                "(to call you and send the notice), then it is cleared."
            )
            % {"numbers": ", ".join(open_numbers)}
        )
    return erasure


def register() -> None:
    """Called from QueueingConfig.ready()."""
    from minxin.core.jobs import register_job
    from minxin.core.personal_data import register_personal_data

    register_job(name="queueing.forget_phones", every_seconds=60, run=tickets_forget_phones)
    register_personal_data(
        app="queueing",
        label=gettext_lazy("Numbers you took"),
        export=tickets_export,
        erase=tickets_erase,
        retention=tickets_retention,
    )
