"""Tickets (a number taken), their channels, statuses and priorities, and their append-only history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.catalog.models import Window
from minxin.orgs.models import Hall
from minxin.queueing.models.lines import Queue, Service


class Channel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Web")
    APP = "app", _("App")
    API = "api", _("API")
    BOOKING = "booking", _("Appointment")


class TicketStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved (not checked in)")
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("No-show")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")
    LAPSED = "lapsed", _("Lapsed")


IN_LINE = (TicketStatus.RESERVED, TicketStatus.WAITING)
AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)
ACTIVE = (*IN_LINE, *AT_WINDOW)


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    RETURNING = 1, _("Returning after a transfer")
    GREEN_CHANNEL = 2, _("Green channel")
    # A checked-in appointment from its booked time on: called before walk-ins (appointments app).
    APPOINTMENT = 3, _("Appointment")


class Ticket(models.Model):
    # Every index costs each number taken and each call an entry (a call changes the indexed status),
    # so foreign keys get none of their own: hall and queue lead the composite indexes below, and the
    # others are only looked up when a window, user or ticket is deleted, which is rare and may scan.
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("hall"), db_index=False
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("queue"), db_index=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    service_date = models.DateField(_("date"))
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=12)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=TicketStatus.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    priority_reason = models.CharField(_("priority reason"), max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True, default="")
    phone_encrypted = models.TextField(blank=True, default="")  # for the "you are next" notice only
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    issued_at = models.DateTimeField(_("issued"))
    lapse_at = models.DateTimeField(_("lapses at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rejoin_until = models.DateTimeField(_("may rejoin until"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("window"),
        db_index=False,  # a window's ticket at the desk: queueing_ticket_one_per_window
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clerk"),
        db_index=False,
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    transferred_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred from"),
        db_index=False,
    )
    return_to_window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reserved for window"),
        db_index=False,
    )
    # The wait model behind the range shown at issue (estimates.WaitModel); null when no range was shown
    # (no estimate, or "called at once"). With called_at it calibrates later ranges (wait_dispersion).
    wait_shape = models.FloatField(_("wait model shape"), null=True, blank=True, editable=False)
    wait_mean_minutes = models.FloatField(
        _("wait model mean (minutes)"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "service_date", "seq"], name="queueing_ticket_number_once"
            ),
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["called", "serving"]),
                name="queueing_ticket_one_per_window",
            ),
            models.UniqueConstraint(
                fields=["hall", "phone_hash"],
                condition=Q(status__in=["reserved", "waiting", "called", "serving"]) & ~Q(phone_hash=""),
                name="queueing_ticket_one_active_per_phone",
            ),
            models.UniqueConstraint(
                fields=["hall", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="queueing_ticket_idempotency_key_once",
            ),
        ]
        indexes = [
            # call-next: the next waiting ticket in the hall, best first, read from the index in order
            models.Index(
                fields=["hall", "service_date", "-priority", "issued_at", "id"],
                condition=Q(status="waiting"),
                name="queueing_ticket_waiting_order",
            ),
            # "now calling" on boards: the latest calls of a hall without scanning the day (a queue's
            # last call is kept on its QueueDay row)
            models.Index(
                fields=["hall", "service_date", "-called_at"],
                condition=Q(called_at__isnull=False),
                name="queueing_ticket_hall_calls",
            ),
            models.Index(
                fields=["queue", "service_date", "status", "priority", "issued_at"],
                name="queueing_ticket_line",
            ),
            models.Index(fields=["hall", "service_date", "status"], name="queueing_ticket_hall_day"),
            # the worker's sweep of remote numbers never checked in (only those have a lapse time)
            models.Index(fields=["lapse_at"], condition=Q(status="reserved"), name="queueing_ticket_lapsing"),
        ]

    # Not a field: the queue's last called number when the statement that loaded the ticket read it too
    # (a step at the window does, like an annotation), so its answer needs no query for it.
    last_called_in_queue: str | None = None

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    """Append-only history of a ticket: who did what, when, through which channel, at which window."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CHECKED_IN = "checked_in", _("Checked in")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Recalled")
        STARTED = "started", _("Service started")
        FINISHED = "finished", _("Finished")
        NO_SHOW = "no_show", _("No-show")
        REJOINED = "rejoined", _("Rejoined")
        TRANSFERRED = "transferred", _("Transferred")
        CANCELLED = "cancelled", _("Cancelled")
        LAPSED = "lapsed", _("Lapsed")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("window"),
        db_index=False,  # one entry less per event; only a deleted window looks its events up
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"], name="queueing_event_kind_at")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"
