"""The bad-review loop: a rectification per bad rating, its steps, and the appeal against it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minxin.catalog.models import Department
from minxin.feedback.models.ratings import Rating, Score
from minxin.orgs.models import Hall


class RectificationStatus(models.TextChoices):
    VERIFYING = "verifying", pgettext_lazy("bad review", "To verify")
    RECTIFYING = "rectifying", pgettext_lazy("bad review", "To rectify")
    REPLYING = "replying", pgettext_lazy("bad review", "To reply to the citizen")
    RECHECKING = "rechecking", pgettext_lazy("bad review", "To recheck")
    CLOSED = "closed", pgettext_lazy("bad review", "Closed")


OPEN_STATUSES = (
    RectificationStatus.VERIFYING,
    RectificationStatus.RECTIFYING,
    RectificationStatus.REPLYING,
    RectificationStatus.RECHECKING,
)


class Rectification(models.Model):
    """The closed loop of one bad review: verify → rectify → reply → recheck, owned by the window's
    department (or the hall, for a comprehensive window). Each step has a due date in working days;
    `escalate_at` (the end of that day in the hall's zone) is what the worker claims when it passes."""

    class Resolution(models.TextChoices):
        RECTIFIED = "rectified", _("Rectified")
        APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("rating")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("hall"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.VERIFYING
    )
    opened_at = models.DateTimeField(_("opened"))
    step_due = models.DateField(_("step due"))
    escalate_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    clerk_account = models.TextField(_("the clerk's account"), blank=True)
    finding = models.TextField(_("finding"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    reply = models.TextField(_("reply to the citizen"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices, blank=True)
    follow_up_score = models.PositiveSmallIntegerField(
        _("follow-up satisfaction"), choices=Score.choices, null=True, blank=True
    )
    follow_up_at = models.DateTimeField(_("follow-up"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(
                fields=["escalate_at"], condition=Q(escalate_at__isnull=False), name="feedback_rect_due"
            ),
            models.Index(fields=["hall", "status"], name="feedback_rect_hall_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rating} {self.status}"

    @property
    def on_time(self) -> bool:
        return self.status == RectificationStatus.CLOSED and not self.late


class RectificationStep(models.Model):
    """Append-only history of a rectification: who did what, when, with what note."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        VERIFIED = "verified", _("Verified")
        RECTIFIED = "rectified", _("Rectified")
        REPLIED = "replied", _("Replied to the citizen")
        RECHECKED = "rechecked", _("Rechecked and closed")
        RETURNED = "returned", _("Returned for more work")
        ESCALATED = "escalated", _("Escalated to the city office (late)")
        APPEALED = "appealed", _("Appeal filed")
        APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
        APPEAL_REJECTED = "appeal_rejected", _("Appeal rejected")
        FOLLOW_UP = "follow_up", _("Citizen's follow-up")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="steps", verbose_name=_("rectification")
    )
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.kind}"


class Appeal(models.Model):
    """An appeal against a mistaken or malicious review, decided by the city office with reasons."""

    class Ground(models.TextChoices):
        MISTAKEN = "mistaken", _("Mistaken (wrong window, wrong service)")
        MALICIOUS = "malicious", _("Malicious")
        OUTSIDE_REMIT = "outside_remit", _("Outside the window's remit (law or policy)")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("appeal", "Pending")
        UPHELD = "upheld", pgettext_lazy("appeal", "Upheld")
        REJECTED = "rejected", pgettext_lazy("appeal", "Rejected")

    rectification = models.OneToOneField(
        Rectification, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("rectification")
    )
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
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
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="feedback_appeal_reason_given"),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(decision_reason=""),
                name="feedback_appeal_decision_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.status}"
