"""Citizen ratings, the bad-review loop and honours: the data and its constraints.

One rating per ticket (一次一评) and per case (一事一评) is a unique constraint, so parallel tries on
different channels give one rating and the others a 409. A rating is never deleted: an upheld appeal
stamps `excluded_at`, and the statistics leave it out of the scores (docs/feedback.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minxin.cases.models import Case
from minxin.catalog.models import Department, Window
from minxin.orgs.models import Hall, Region, Unit
from minxin.queueing.models import Ticket


class Score(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_SCORES = (Score.DISSATISFIED, Score.VERY_DISSATISFIED)
BAD_MAX = 2


class Indicator(models.TextChoices):
    """The second-level indicators of GB/T 39734/39735-2020, ticked on a bad rating."""

    EFFICIENCY = "efficiency", _("Efficiency")
    PROFESSIONAL = "professional", _("Professional level")
    ATTITUDE = "attitude", _("Service attitude")
    GUIDE_ACCURACY = "guide_accuracy", _("Accuracy of the guide")
    CONVENIENCE = "convenience", _("Convenience")
    USABILITY = "usability", _("Ease of use")


OFFLINE_INDICATORS = (Indicator.EFFICIENCY, Indicator.PROFESSIONAL, Indicator.ATTITUDE)
ONLINE_INDICATORS = (
    Indicator.EFFICIENCY,
    Indicator.GUIDE_ACCURACY,
    Indicator.CONVENIENCE,
    Indicator.USABILITY,
)


class RatingChannel(models.TextChoices):
    DEVICE = "device", _("Window rating device")
    QR = "qr", _("QR code")
    WEB = "web", _("Web")
    SMS = "sms", _("SMS invitation")
    API = "api", _("API")


class Rating(models.Model):
    """One citizen's rating of one service. Where it happened (hall, unit, region, department, window,
    clerk, date) is copied from the ticket or case when it is made, so the statistics group ratings of
    many halls in one query without joining back to what was rated."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
        db_index=False,  # the unique constraint below indexes it
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
        db_index=False,  # the unique constraint below indexes it
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("hall"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("window")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clerk"),
    )
    service_date = models.DateField(_("service date"))
    service_name = models.CharField(_("service"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices)
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=500)
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    rated_at = models.DateTimeField(_("rated"))
    citizen = models.ForeignKey(
        "accounts.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("citizen"),
    )
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True, default="")
    phone_encrypted = models.TextField(blank=True, default="")  # for the reply to a bad review only
    # Set once, by an upheld appeal: the rating stays (and counts as rated) but leaves the scores.
    excluded_at = models.DateTimeField(_("excluded from scores"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ticket__isnull=False), name="feedback_rating_once_per_ticket"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="feedback_rating_once_per_case"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="feedback_rating_score_1_5"),
            models.CheckConstraint(
                condition=Q(ticket__isnull=False, case__isnull=True)
                | Q(ticket__isnull=True, case__isnull=False),
                name="feedback_rating_ticket_or_case",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "service_date"], name="feedback_rating_hall_day"),
            models.Index(fields=["region", "service_date"], name="feedback_rating_region_day"),
            models.Index(fields=["clerk", "service_date"], name="feedback_rating_clerk_day"),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} {self.score}"

    @property
    def is_bad(self) -> bool:
        return self.score <= BAD_MAX

    @property
    def indicator_labels(self) -> list[str]:
        return [str(Indicator(value).label) for value in self.indicators if value in Indicator.values]


class CaseInvitation(models.Model):
    """The one SMS invitation to rate a completed case left unrated (Bozhou: after 3 days). The row is
    made once per case (unique) and claimed by setting `sent_at` where it is still empty."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered = models.BooleanField(_("delivered"), default=False)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="feedback_invite_unsent"
            )
        ]

    def __str__(self) -> str:
        return str(self.case_id)


class LoopDeadline(models.Model):
    """A region's own time limit for each step of the bad-review loop (15 working days in one Sichuan
    city, 5 in Dezhou). Halls below a region without one use the nearest region above that has one,
    then the setting FEEDBACK_LOOP_WORKING_DAYS."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    working_days = models.PositiveSmallIntegerField(_("working days per step"))

    class Meta:
        verbose_name = _("bad-review time limit")
        verbose_name_plural = _("bad-review time limits")
        constraints = [
            models.CheckConstraint(condition=Q(working_days__gte=1), name="feedback_loopdeadline_positive")
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.working_days}"


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
