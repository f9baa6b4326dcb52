"""Rounds and their evidence: assignments, inspections and findings, photos, veto findings, questionnaire
answers, uploaded evidence, document reviews, the computed scores and objections."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.competition.models.rubrics import Indicator, Rubric, VetoItem
from minxin.orgs.models import Region, Unit


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPUTED = "computed", _("Computed, in review")
        FROZEN = "frozen", _("Frozen")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="rounds")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="competition_rounds")
    category = models.CharField(_("flag category"), max_length=16, choices=Unit.FlagCategory.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-period_start", "region__path", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "period_start"], name="competition_round_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="competition_round_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_category_display()} · {self.period_start:%Y-%m}"


class Assignment(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "assessor"], name="competition_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.unit}"


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ANNOUNCED = "announced", _("Announced inspection")
        UNANNOUNCED = "unannounced", _("Unannounced visit (暗访)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="inspections")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.UNANNOUNCED)
    note = models.TextField(_("note"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    gps_accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted (server time)"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["round", "unit"], name="competition_inspection_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    deduction = models.DecimalField(_("deduction"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(deduction__gte=0), name="competition_finding_deduction")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} −{self.deduction}"


class Photo(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="competition/photos/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received (server time)"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sha256[:12]


class VetoFinding(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="veto_findings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(VetoItem, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("veto finding")
        verbose_name_plural = _("veto findings")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "item"], name="competition_veto_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item}"


class QuestionnaireAnswer(models.Model):
    """One citizen's answer about one unit in one round: one per phone (the keyed hash)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    phone_hash = models.CharField(max_length=64)
    answers = models.JSONField(_("answers"))  # {indicator code: 1..5}
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "phone_hash"], name="competition_answer_once_per_phone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.answered_at:%Y-%m-%d}"


class Evidence(models.Model):
    """A document a unit uploads for an indicator scored by document review (500 characters at most,
    links or screenshots instead of paper, as the 2020 measurement system asks)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(_("summary"), max_length=500)
    file = models.FileField(_("file"), upload_to="competition/evidence/%Y/%m/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator}"


class DocumentReview(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviews")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"))

    class Meta:
        verbose_name = _("document review")
        verbose_name_plural = _("document reviews")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "indicator"], name="competition_review_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="competition_review_points"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator}: {self.points}"


class UnitScore(models.Model):
    """A unit's computed score in a round. `breakdown` holds every indicator's method, value, inputs,
    base, deductions and points, so the review can trace each number; one row per unit keeps computing
    a round of 50,000 units to one bulk insert."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="competition_scores")
    vetoed = models.BooleanField(_("vetoed"), default=False)
    veto_reasons = models.JSONField(_("veto reasons"), default=list)
    standard_points = models.DecimalField(_("indicator points"), max_digits=7, decimal_places=2, default=0)
    bonus_points = models.DecimalField(_("bonus points"), max_digits=6, decimal_places=2, default=0)
    deductions = models.DecimalField(_("deductions"), max_digits=7, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("unit score")
        verbose_name_plural = _("unit scores")
        ordering = ["rank", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="competition_score_once"),
            models.CheckConstraint(
                condition=Q(vetoed=False) | Q(total__isnull=True, rank__isnull=True),
                name="competition_vetoed_unranked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.total}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="objections")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.text[:40]}"
