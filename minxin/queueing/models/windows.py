"""The windows' side of the queue: which queues each calls from, and whether it is open and who sits at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minxin.catalog.models import Window
from minxin.queueing.models.lines import Queue


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
