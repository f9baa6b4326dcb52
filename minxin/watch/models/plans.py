"""How often posts report: duty plans, fire seasons, escalation stages, fire-danger levels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region, Unit


class DutyPlan(models.Model):
    """How often a post reports: by season, by day or night, tightened by the fire-danger level."""

    class Daylight(models.TextChoices):
        FIXED = "fixed", _("Fixed hours")
        SOLAR = "solar", _("Sunrise and sunset")

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_plans",
        verbose_name=_("unit"),
    )
    season_day_minutes = models.PositiveSmallIntegerField(_("in season, by day (minutes)"), default=15)
    season_night_minutes = models.PositiveSmallIntegerField(_("in season, at night (minutes)"), default=60)
    day_minutes = models.PositiveSmallIntegerField(_("out of season, by day (minutes)"), default=60)
    night_minutes = models.PositiveSmallIntegerField(_("out of season, at night (minutes)"), default=60)
    daylight = models.CharField(_("day and night"), max_length=8, choices=Daylight.choices, default="fixed")
    day_starts = models.TimeField(_("day starts"), default="06:00")
    day_ends = models.TimeField(_("day ends"), default="19:00")
    danger_level_from = models.PositiveSmallIntegerField(_("danger level that tightens"), default=4)
    danger_minutes = models.PositiveSmallIntegerField(_("at high danger (minutes)"), default=15)
    grace_minutes = models.PositiveSmallIntegerField(_("grace (minutes)"), default=5)

    class Meta:
        verbose_name = _("duty plan")
        verbose_name_plural = _("duty plans")
        constraints = [
            models.CheckConstraint(
                name="watch_plan_intervals_positive",
                condition=Q(season_day_minutes__gt=0)
                & Q(season_night_minutes__gt=0)
                & Q(day_minutes__gt=0)
                & Q(night_minutes__gt=0)
                & Q(danger_minutes__gt=0),
            ),
            models.CheckConstraint(
                name="watch_plan_danger_level_range",
                condition=Q(danger_level_from__gte=1, danger_level_from__lte=6),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Season(models.Model):
    """A fire-ban season, from one day of the year to another (both included), every year."""

    plan = models.ForeignKey(
        DutyPlan, on_delete=models.CASCADE, related_name="seasons", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=64)
    start_month = models.PositiveSmallIntegerField(_("start month"))
    start_day = models.PositiveSmallIntegerField(_("start day"))
    end_month = models.PositiveSmallIntegerField(_("end month"))
    end_day = models.PositiveSmallIntegerField(_("end day"))

    class Meta:
        verbose_name = _("fire season")
        verbose_name_plural = _("fire seasons")
        ordering = ["start_month", "start_day"]
        constraints = [
            models.CheckConstraint(
                name="watch_season_dates_valid",
                condition=Q(start_month__gte=1, start_month__lte=12, end_month__gte=1, end_month__lte=12)
                & Q(start_day__gte=1, start_day__lte=31, end_day__gte=1, end_day__lte=31),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_month}/{self.start_day}–{self.end_month}/{self.end_day}"


class EscalationStage(models.Model):
    """After a missed report: `after_minutes` later, tell `recipients` through `channel`, unless someone
    acknowledged or the post reported meanwhile. Stages after the first put the post in `escalated`."""

    class Recipients(models.TextChoices):
        POST = "post", _("The post itself")
        UNIT = "unit", _("The unit's lookout staff")
        REGION = "region", _("The region's command centre")

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        BOARD = "board", _("Command board")
        LOG = "log", _("Log")

    plan = models.ForeignKey(
        DutyPlan, on_delete=models.CASCADE, related_name="stages", verbose_name=_("plan")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    after_minutes = models.PositiveSmallIntegerField(_("after (minutes)"))
    recipients = models.CharField(_("recipients"), max_length=8, choices=Recipients.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("escalation stage")
        verbose_name_plural = _("escalation stages")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="watch_stage_plan_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}: +{self.after_minutes} min → {self.get_recipients_display()}"


class DangerLevel(models.Model):
    """A fire-danger level (1–5, from the weather bureau) set by the command centre for a region and a
    time range. At or above the plan's `danger_level_from` its posts report every `danger_minutes`."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    level = models.PositiveSmallIntegerField(_("level"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("fire-danger level")
        verbose_name_plural = _("fire-danger levels")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["region", "ends_at"], name="watch_danger_region_end_idx")]
        constraints = [
            models.CheckConstraint(name="watch_danger_level_range", condition=Q(level__gte=1, level__lte=5)),
            models.CheckConstraint(
                name="watch_danger_range_order", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.level}"
