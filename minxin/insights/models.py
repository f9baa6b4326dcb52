"""Aggregates the worker keeps current, and generated reports.

Figures above a hall never scan raw tickets per request: the worker folds tickets into per-hall rows by
hour, day and month (`HallHourStats` → `HallDayStats` → `HallMonthStats`). An hour row is recomputed
from the tickets issued in that hour whenever one of them gets an event, so a row always equals what a
full recomputation from raw rows would give (tested); days and months are sums of the rows below them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Hall


class TicketFigures(models.Model):
    """Counts and times of a group of numbers, attributed to the hour the number was issued.

    Waits run from the citizen's presence (issue, or check-in for a remote number) to the call, for
    numbers whose holder came to the window (as the hall's queue report counts them); service time from
    the start of service (or the call) to its finish, for numbers served. `wait_hist` counts waits in
    the bins of `minxin.insights.figures.WAIT_BIN_EDGES` so p90 can be taken over any sum of rows.
    """

    issued = models.PositiveIntegerField(_("issued"), default=0)
    served = models.PositiveIntegerField(_("served"), default=0)
    no_show = models.PositiveIntegerField(_("no-show"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled or lapsed"), default=0)
    transferred = models.PositiveIntegerField(_("transferred"), default=0)
    remote = models.PositiveIntegerField(_("remote numbers"), default=0)
    waited = models.PositiveIntegerField(_("numbers with a wait"), default=0)
    wait_seconds = models.BigIntegerField(_("sum of waits (s)"), default=0)
    wait_max_seconds = models.PositiveIntegerField(_("longest wait (s)"), default=0)
    wait_hist = models.JSONField(_("wait histogram"), default=list)
    forecast_count = models.PositiveIntegerField(_("numbers with a forecast"), default=0)
    forecast_seconds = models.BigIntegerField(_("sum of forecast waits (s)"), default=0)
    service_count = models.PositiveIntegerField(_("numbers with a service time"), default=0)
    service_seconds = models.BigIntegerField(_("sum of service times (s)"), default=0)
    windows = models.PositiveSmallIntegerField(_("windows that called"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        abstract = True


class HallHourStats(TicketFigures):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("hall"))
    service_date = models.DateField(_("date"))
    hour = models.PositiveSmallIntegerField(_("hour"))

    class Meta:
        verbose_name = _("hall hour figures")
        verbose_name_plural = _("hall hour figures")
        constraints = [
            models.UniqueConstraint(fields=["hall", "service_date", "hour"], name="insights_hour_once"),
            models.CheckConstraint(condition=Q(hour__lte=23), name="insights_hour_range"),
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.service_date} {self.hour:02d}h"


class HallDayStats(TicketFigures):
    """The sum of a hall's hour rows of one local date; `windows` is the busiest hour's."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("hall"))
    service_date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("hall day figures")
        verbose_name_plural = _("hall day figures")
        constraints = [models.UniqueConstraint(fields=["hall", "service_date"], name="insights_day_once")]
        # the province's "today" and a month's days read every hall's rows of some dates
        indexes = [models.Index(fields=["service_date"], name="insights_day_date")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.service_date}"


class HallMonthStats(TicketFigures):
    """The sum of a hall's day rows of one month (`month` is its first day); `windows` is the mean of
    the days' (rounded), `days` how many days had numbers."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("hall"))
    month = models.DateField(_("month"))
    days = models.PositiveSmallIntegerField(_("days with numbers"), default=0)

    class Meta:
        verbose_name = _("hall month figures")
        verbose_name_plural = _("hall month figures")
        constraints = [
            models.UniqueConstraint(fields=["hall", "month"], name="insights_month_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="insights_month_first_day"),
        ]
        indexes = [models.Index(fields=["month"], name="insights_month_month")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.month:%Y-%m}"


class AggregateCursor(models.Model):
    """How far the worker has folded the ticket event log in.

    Every event with an id up to `settled_event_id` is in the aggregates and settled: its transaction
    committed long enough ago that no lower id can still appear. The runs lease the cursor with a
    conditional update (`leased_until`), so two workers never fold the same range at once.
    """

    name = models.CharField(_("name"), max_length=32, unique=True)
    settled_event_id = models.BigIntegerField(_("settled up to event"), default=0)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run_events = models.PositiveIntegerField(_("events in the last run"), default=0)
    last_run_buckets = models.PositiveIntegerField(_("hours recomputed in the last run"), default=0)

    class Meta:
        verbose_name = _("aggregate cursor")
        verbose_name_plural = _("aggregate cursors")

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.settled_event_id}"


class WallSnapshot(models.Model):
    """The province wall screen's figures, precomputed by the worker every few seconds so the screen's
    refresh reads one row."""

    scope = models.CharField(_("scope"), max_length=16, unique=True)  # a region code
    payload = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("wall screen figures")
        verbose_name_plural = _("wall screen figures")

    def __str__(self) -> str:
        return f"{self.scope} @ {self.computed_at:%H:%M:%S}"


class Report(models.Model):
    """A generated monthly report (PDF and XLSX), kept for download with its generation time."""

    class Kind(models.TextChoices):
        HALL = "hall", _("Monthly hall report")
        COMPETITION = "competition", _("Monthly competition report")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=Format.choices)
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("hall")
    )
    region_code = models.CharField(_("region"), max_length=12, blank=True)
    month = models.DateField(_("month"))
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.CharField(_("generated by"), max_length=64, blank=True)  # "worker" or a username

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "fmt", "hall", "month", "language"],
                condition=Q(hall__isnull=False),
                name="insights_report_hall_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "fmt", "region_code", "month", "language"],
                condition=Q(hall__isnull=True),
                name="insights_report_region_once",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="insights_report_month_first_day"),
        ]
        indexes = [models.Index(fields=["hall", "-month"], name="insights_report_hall_month")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} {self.fmt}"


class ModuleFigures(models.Model):
    """Figures of another module (cases, ratings, lookouts) for one scope, read through that module's
    selectors by the worker and kept here, so a dashboard request reads one row instead of running the
    module's grouped queries over a month of raw rows."""

    module = models.CharField(_("module"), max_length=16)
    scope = models.CharField(_("scope"), max_length=32)  # region code and month, e.g. "130300:2026-12"
    payload = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("module figures")
        verbose_name_plural = _("module figures")
        constraints = [models.UniqueConstraint(fields=["module", "scope"], name="insights_module_scope_once")]

    def __str__(self) -> str:
        return f"{self.module} {self.scope}"
