"""A hall's queues: its rules for taking numbers, its number sequences, the services that feed them and
each queue's counts for the day."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.catalog.models import ServiceItem
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
