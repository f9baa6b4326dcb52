"""Lookout posts: duty plans, check-ins, missed reports, fire incidents: the data and its constraints.

The mechanism is Healthchecks': each post keeps the instant at which the worker must next look at it in
one indexed column (`alert_at`); the worker claims due posts with a conditional update on `revision`,
so two workers never act on the same post twice, and records every state change as an append-only
`Flip` dated at the true deadline. Notices are written from flips, in the same transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region, Unit, zone_help


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


class PostState(models.TextChoices):
    UP = "up", _("Up")
    LATE = "late", _("Late")
    MISSED = "missed", _("Missed")
    ESCALATED = "escalated", _("Escalated")
    PAUSED = "paused", _("Paused")


class Post(models.Model):
    """A lookout tower or other duty post.

    `next_due_at` is the end of the earliest slot not yet reported; `alert_at` is when the worker must
    next look (the deadline, the end of grace, the next escalation stage), indexed; `revision` grows with
    every write, so a worker's update that names the revision it read claims the post or does nothing.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("unit"))
    plan = models.ForeignKey(DutyPlan, on_delete=models.PROTECT, related_name="posts", verbose_name=_("plan"))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    elevation_m = models.IntegerField(_("elevation (m)"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", help_text=zone_help)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    radio_channel = models.CharField(_("radio channel"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    state = models.CharField(_("state"), max_length=12, choices=PostState.choices, default=PostState.UP)
    next_due_at = models.DateTimeField(_("next report due"), null=True, blank=True)
    alert_at = models.DateTimeField(_("worker looks at"), null=True, blank=True, db_index=True)
    revision = models.PositiveIntegerField(default=0)
    last_check_in_at = models.DateTimeField(_("last report"), null=True, blank=True)
    escalation = models.ForeignKey(
        "Escalation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("open escalation"),
    )
    paused_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("lookout post")
        verbose_name_plural = _("lookout posts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="watch_post_unit_name_unique"),
            models.CheckConstraint(name="watch_post_lat_range", condition=Q(lat__gte=-90, lat__lte=90)),
            models.CheckConstraint(name="watch_post_lon_range", condition=Q(lon__gte=-180, lon__lte=180)),
            models.CheckConstraint(
                name="watch_post_paused_has_reason", condition=~Q(state="paused") | ~Q(paused_reason="")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostStaff(models.Model):
    """Who keeps a post (often a couple, in shifts). Their role (lookout staff of the unit) is in orgs."""

    class Shift(models.TextChoices):
        ALL = "all", _("All day")
        DAY = "day", _("Day")
        NIGHT = "night", _("Night")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="staff", verbose_name=_("post"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lookout_posts",
        verbose_name=_("user"),
    )
    shift = models.CharField(_("shift"), max_length=8, choices=Shift.choices, default=Shift.ALL)

    class Meta:
        verbose_name = _("post staff")
        verbose_name_plural = _("post staff")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="watch_poststaff_unique")]

    def __str__(self) -> str:
        return f"{self.post} · {self.user}"


class FireIncident(models.Model):
    """A fire reported by one or more posts, with its estimated spot, tracked until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Method(models.TextChoices):
        INTERSECTION = "intersection", _("Two bearings")
        BEARING_DISTANCE = "bearing_distance", _("Bearing and distance")
        NONE = "none", _("Bearing only")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=20, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    first_report_at = models.DateTimeField(_("first report"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    uncertainty_m = models.PositiveIntegerField(_("uncertainty (m)"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.NONE)
    estimate_note = models.CharField(_("estimate note"), max_length=200, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True, db_index=True)
    ack_overdue = models.BooleanField(_("acknowledgement overdue"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.CharField(_("closing note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fire incident")
        verbose_name_plural = _("fire incidents")
        ordering = ["-first_report_at"]
        indexes = [models.Index(fields=["region", "status"], name="watch_fire_region_status_idx")]
        constraints = [
            models.CheckConstraint(
                name="watch_fire_closed_has_time", condition=~Q(status="closed") | Q(closed_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.number


class CheckIn(models.Model):
    """One report from a post. `made_at` is when the lookout made it (the phone's clock, or the desk's),
    `received_at` when the server got it; the slot is the one `made_at` falls in, so a report kept
    offline and sent late still covers its own slot."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("All normal")
        OBSERVATION = "observation", _("Observation")
        FIRE = "fire", _("Fire")

    class Channel(models.TextChoices):
        APP = "app", _("Post's phone")
        API = "api", _("API")
        PHONE = "phone", _("Telephone to the desk")
        RADIO = "radio", _("Radio to the desk")

    class Weather(models.TextChoices):
        CLEAR = "clear", _("Clear")
        CLOUDY = "cloudy", _("Cloudy")
        OVERCAST = "overcast", _("Overcast")
        RAIN = "rain", _("Rain")
        SNOW = "snow", _("Snow")
        FOG = "fog", _("Fog or haze")
        WINDY = "windy", _("Strong wind")

    class Smoke(models.TextChoices):
        WHITE = "white", _("White")
        GREY = "grey", _("Grey")
        BLACK = "black", _("Black")
        YELLOW = "yellow", _("Yellow")

    class Spread(models.TextChoices):
        NONE = "none", _("Not spreading")
        SLOW = "slow", _("Spreading slowly")
        FAST = "fast", _("Spreading fast")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("post"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    client_id = models.UUIDField(_("client id"), null=True, blank=True)
    made_at = models.DateTimeField(_("made"))
    received_at = models.DateTimeField(_("received"))
    slot_start = models.DateTimeField(_("slot from"))
    slot_end = models.DateTimeField(_("slot until"))
    late = models.BooleanField(_("received after grace"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    reported_by = models.CharField(_("reported by"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    weather = models.CharField(_("weather"), max_length=10, choices=Weather.choices, blank=True)
    wind = models.CharField(_("wind"), max_length=32, blank=True)
    visibility_m = models.PositiveIntegerField(_("visibility (m)"), null=True, blank=True)
    bearing_deg = models.FloatField(_("bearing (°)"), null=True, blank=True)
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    smoke_colour = models.CharField(_("smoke colour"), max_length=8, choices=Smoke.choices, blank=True)
    spread = models.CharField(_("spread"), max_length=8, choices=Spread.choices, blank=True)
    incident = models.ForeignKey(
        FireIncident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("fire incident"),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-made_at"]
        indexes = [
            models.Index(fields=["post", "made_at"], name="watch_checkin_post_made_idx"),
            models.Index(fields=["post", "slot_start"], name="watch_checkin_post_slot_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "client_id"],
                condition=Q(client_id__isnull=False),
                name="watch_checkin_client_once",
            ),
            models.CheckConstraint(
                name="watch_checkin_fire_has_bearing",
                condition=~Q(status="fire") | Q(bearing_deg__isnull=False),
            ),
            models.CheckConstraint(
                name="watch_checkin_bearing_range",
                condition=Q(bearing_deg__isnull=True) | Q(bearing_deg__gte=0, bearing_deg__lt=360),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.made_at:%Y-%m-%d %H:%M} {self.status}"


class Escalation(models.Model):
    """One run of missed reports at a post, from the first missed slot until the post reports again:
    the stages already told, and who acknowledged it and when."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("post")
    )
    opened_at = models.DateTimeField(_("opened"))
    stages_done = models.PositiveSmallIntegerField(_("stages told"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    ack_note = models.CharField(_("action taken"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.post} {self.opened_at:%Y-%m-%d %H:%M}"


class Flip(models.Model):
    """An append-only state change, dated at the true deadline (not when the worker got to it)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flips", verbose_name=_("post"))
    at = models.DateTimeField(_("at"))
    old_state = models.CharField(_("from"), max_length=12, choices=PostState.choices)
    new_state = models.CharField(_("to"), max_length=12, choices=PostState.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flips",
        verbose_name=_("escalation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["-at"]
        indexes = [models.Index(fields=["post", "at"], name="watch_flip_post_at_idx")]

    def __str__(self) -> str:
        return f"{self.post} {self.old_state}→{self.new_state}"


class MissedSlot(models.Model):
    """A slot that had no report by the end of its grace. A report made in it and received later
    (kept offline) covers it afterwards: `covered_by` is set, and it no longer counts as missed."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="missed_slots", verbose_name=_("post")
    )
    slot_start = models.DateTimeField(_("slot from"))
    slot_end = models.DateTimeField(_("slot until"))
    local_date = models.DateField(_("date"))
    covered_by = models.ForeignKey(
        CheckIn,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("covered by"),
    )

    class Meta:
        verbose_name = _("missed slot")
        verbose_name_plural = _("missed slots")
        ordering = ["-slot_start"]
        indexes = [models.Index(fields=["post", "local_date"], name="watch_missed_post_date_idx")]
        constraints = [models.UniqueConstraint(fields=["post", "slot_start"], name="watch_missed_once")]

    def __str__(self) -> str:
        return f"{self.post} {self.slot_start:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """One message sent because of a flip or a fire: to whom, through which channel, when."""

    flip = models.ForeignKey(Flip, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    incident = models.ForeignKey(
        FireIncident, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=EscalationStage.Channel.choices)
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:40]
