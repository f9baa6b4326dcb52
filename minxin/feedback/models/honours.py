"""Honours: the rules, the monthly service stars and red-flag windows, and the nominations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minxin.catalog.models import Window
from minxin.orgs.models import Hall, Region, Unit


class HonourKind(models.TextChoices):
    SERVICE_STAR = "service_star", _("Service star")
    RED_FLAG_WINDOW = "red_flag_window", _("Red-flag window")


class HonourRule(models.Model):
    """How a hall's monthly honours are proposed from its figures: data, so each city sets its own.
    A rule of a hall wins over the general rule (no hall) of the same kind."""

    kind = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("hall")
    )
    min_rated = models.PositiveIntegerField(_("at least this many rated services"), default=20)
    min_satisfaction = models.DecimalField(
        _("satisfaction rate at least (%)"), max_digits=5, decimal_places=2, default=95
    )
    max_bad = models.PositiveSmallIntegerField(
        _("bad reviews at most (upheld appeals do not count)"), default=0
    )
    places = models.PositiveSmallIntegerField(_("places per hall and month"), default=3)

    class Meta:
        verbose_name = _("honour rule")
        verbose_name_plural = _("honour rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "hall"], condition=Q(hall__isnull=False), name="feedback_rule_once_per_hall"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(hall__isnull=True), name="feedback_rule_one_general"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hall or ''}"


class Honour(models.Model):
    """A monthly service star (a clerk) or red-flag window of a hall: proposed by the rules, confirmed or
    declined by the hall manager."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("honour", "Proposed")
        CONFIRMED = "confirmed", pgettext_lazy("honour", "Confirmed")
        DECLINED = "declined", pgettext_lazy("honour", "Declined")

    kind = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", verbose_name=_("hall"))
    month = models.DateField(_("month"), help_text=_("The first day of the month honoured."))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clerk"),
    )
    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("window")
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    figures = models.JSONField(_("figures"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    citation = models.CharField(_("citation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-month", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "hall", "month", "clerk"],
                condition=Q(clerk__isnull=False),
                name="feedback_honour_clerk_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "hall", "month", "window"],
                condition=Q(window__isnull=False),
                name="feedback_honour_window_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="service_star", clerk__isnull=False, window__isnull=True))
                | Q(kind="red_flag_window", window__isnull=False, clerk__isnull=True),
                name="feedback_honour_holder_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m}"


class Nomination(models.Model):
    """A unit's nomination of a staff member for a city-level model-worker title (先进典型), with the
    evidence gathered from the figures when it is filed; the city office approves or rejects it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("nomination", "Submitted")
        APPROVED = "approved", pgettext_lazy("nomination", "Approved")
        REJECTED = "rejected", pgettext_lazy("nomination", "Rejected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("hall"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominee")
    )
    title = models.CharField(_("title"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    citation = models.TextField(_("citation"))
    evidence = models.JSONField(_("evidence"), default=dict)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by")
    )
    nominated_at = models.DateTimeField(_("nominated"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)

    class Meta:
        verbose_name = _("model-worker nomination")
        verbose_name_plural = _("model-worker nominations")
        ordering = ["-year", "-nominated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominee", "title", "year"],
                condition=~Q(status="rejected"),
                name="feedback_nomination_once",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | ~Q(decision_reason=""),
                name="feedback_nomination_decision_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"
