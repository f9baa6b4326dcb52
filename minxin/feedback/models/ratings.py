"""Ratings: one per ticket and per case (a unique constraint), the SMS invitation to rate a case,
and a region's time limit for the bad-review loop."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
