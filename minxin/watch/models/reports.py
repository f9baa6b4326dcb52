"""What posts report: check-ins, and the fire incidents that fire reports open."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region
from minxin.watch.models.posts import Post


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
