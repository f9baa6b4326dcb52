from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.catalog.models import ServiceItem, Window
from minxin.orgs.models import Hall


class QueueRules(models.Model):
    """A hall's rules for taking numbers. Local practice varies, so each is a setting, not a constant."""

    hall = models.OneToOneField(
        Hall, on_delete=models.CASCADE, related_name="queue_rules", verbose_name=_("hall")
    )
    remote_enabled = models.BooleanField(_("remote numbers allowed"), default=True)
    remote_lapse_minutes = models.PositiveSmallIntegerField(
        _("remote number lapses after (minutes)"),
        default=60,
        help_text=_("A remote number not checked in at the hall within this time lapses."),
    )
    rejoin_minutes = models.PositiveSmallIntegerField(
        _("a missed number may rejoin within (minutes)"), default=10
    )
    recall_limit = models.PositiveSmallIntegerField(_("recalls before no-show"), default=2)
    notify_ahead = models.PositiveSmallIntegerField(
        _("notify when this many are ahead"), default=3, help_text=_("0 turns the notice off.")
    )
    no_show_grace_seconds = models.PositiveSmallIntegerField(
        _("seconds a window waits for a called citizen"), default=60
    )
    crowd_alert_waiting = models.PositiveSmallIntegerField(
        _("alert when more than this many wait in a queue"),
        default=20,
        help_text=_(
            "Window desks show an alert to open an extra window while a queue has more present citizens "
            "waiting. 0 turns the alert off."
        ),
    )

    class Meta:
        verbose_name = _("queue rules")
        verbose_name_plural = _("queue rules")

    def __str__(self) -> str:
        return str(self.hall)


class Queue(models.Model):
    """A number sequence (A001, A002, …) in a hall, separate from the services that feed it (Qmatic)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="queues", verbose_name=_("hall"))
    code = models.SlugField(_("code"), max_length=32)
    prefix = models.CharField(_("number prefix"), max_length=3)
    name = models.CharField(_("name"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["hall", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="queueing_queue_hall_code_unique"),
            models.UniqueConstraint(fields=["hall", "prefix"], name="queueing_queue_hall_prefix_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class Service(models.Model):
    """What a citizen picks on the kiosk ("户籍业务"); it feeds one queue and covers catalog items."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="services", verbose_name=_("hall"))
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="services", verbose_name=_("queue")
    )
    items = models.ManyToManyField(
        ServiceItem, blank=True, related_name="queue_services", verbose_name=_("items")
    )
    daily_quota = models.PositiveIntegerField(
        _("daily quota"), null=True, blank=True, help_text=_("Numbers a day; empty for no limit.")
    )
    remote_allowed = models.BooleanField(_("remote numbers allowed"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["hall", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="queueing_service_hall_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class QueueDay(models.Model):
    """Counts for one queue on one local date. `issued` numbers the tickets (A001 = 1); `departed` counts
    every ticket that left the line (called, lapsed, cancelled); so a new ticket has issued − 1 − departed
    tickets ahead, an O(1) answer instead of a COUNT over the queue. `reserved` counts remote tickets
    in line that have not checked in yet (for the no-show correction of the estimate)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="days", verbose_name=_("queue"))
    service_date = models.DateField(_("date"))
    issued = models.PositiveIntegerField(_("issued"), default=0)
    departed = models.PositiveIntegerField(_("left the line"), default=0)
    reserved = models.IntegerField(_("reserved remote"), default=0)
    # The number called last in this queue today, kept by call-next in the same statement: a new
    # ticket reads it back with its number instead of searching the day's calls.
    last_called = models.CharField(_("last called"), max_length=12, blank=True, db_default="")

    class Meta:
        verbose_name = _("queue day")
        verbose_name_plural = _("queue days")
        constraints = [
            models.UniqueConstraint(fields=["queue", "service_date"], name="queueing_queueday_unique"),
            models.CheckConstraint(
                condition=Q(departed__lte=models.F("issued")), name="queueing_queueday_departed_within_issued"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.service_date}: {self.issued}/{self.departed}"


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


class WorkProfile(models.Model):
    """Which queues a window calls from, and how (Qmatic's work profile)."""

    class Strategy(models.TextChoices):
        IN_ORDER = "in_order", _("Queues in the listed order")
        LONGEST_WAIT = "longest_wait", _("Longest waiting first")

    window = models.OneToOneField(
        Window, on_delete=models.CASCADE, related_name="work_profile", verbose_name=_("window")
    )
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.LONGEST_WAIT
    )

    class Meta:
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")

    def __str__(self) -> str:
        return str(self.window)


class WorkProfileQueue(models.Model):
    profile = models.ForeignKey(
        WorkProfile, on_delete=models.CASCADE, related_name="entries", verbose_name=_("profile")
    )
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+", verbose_name=_("queue"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    first_after_minutes = models.PositiveSmallIntegerField(
        _("call first when the longest wait exceeds (minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("queue of a work profile")
        verbose_name_plural = _("queues of a work profile")
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "queue"], name="queueing_profile_queue_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.queue}"


class WindowState(models.Model):
    """Whether a window is open, paused or closed, and who sits at it. Open windows count for estimates."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    window = models.OneToOneField(
        Window, on_delete=models.CASCADE, related_name="state", verbose_name=_("window")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.CLOSED)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clerk"),
    )
    since = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("window state")
        verbose_name_plural = _("window states")

    def __str__(self) -> str:
        return f"{self.window} {self.status}"
