"""Lookout posts, their state and who keeps them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Unit, zone_help
from minxin.watch.models.plans import DutyPlan


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
