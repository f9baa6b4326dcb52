"""The civilised-unit competition: rubrics, rounds, flags, titles: the data and its constraints.

A rubric is data (dimension → indicator → method, points, bands, deductions, veto items); a round freezes
the rubric version it scores with; scores keep every input so each number can be traced to its evidence.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Region, Unit


class Method(models.TextChoices):
    FORMULA = "formula", _("Platform formula")
    INSPECTION = "inspection", _("Inspection checklist")
    QUESTIONNAIRE = "questionnaire", _("Citizen questionnaire")
    DOCUMENT = "document", _("Document review")


class Rubric(models.Model):
    """One version of a rubric. A round that uses it sets `frozen_at`; a frozen version is never edited
    (services refuse), changes go into a new version with the same code."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=48)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=128)
    category = models.CharField(
        _("flag category"), max_length=16, choices=Unit.FlagCategory.choices, blank=True
    )
    base_points = models.DecimalField(_("base points"), max_digits=6, decimal_places=2, default=100)
    bonus_cap = models.DecimalField(_("bonus points at most"), max_digits=6, decimal_places=2, default=10)
    created_at = models.DateTimeField(_("created"))
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="competition_rubric_version_once"),
            models.CheckConstraint(condition=Q(bonus_cap__gte=0), name="competition_rubric_bonus_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Dimension(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="competition_dimension_code_once")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One scored line. `bands` maps a method's value to a share of `points` (see scoring.band_share);
    `deduction` is the default per finding; deductions never take more than `points`. A bonus indicator
    adds to the total up to the rubric's bonus cap. A formula indicator falls back to `fallback` when the
    unit has no data for the formula (a unit without a hall)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("what is measured"), blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=3, default=1)
    is_bonus = models.BooleanField(_("bonus"), default=False)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    formula = models.CharField(_("formula"), max_length=48, blank=True)
    bands = models.JSONField(_("bands"), default=dict, blank=True)
    fallback = models.CharField(_("without data"), max_length=16, choices=Method.choices, blank=True)
    deduction = models.DecimalField(_("deduction per finding"), max_digits=5, decimal_places=2, default=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="competition_indicator_code_once"),
            models.CheckConstraint(condition=Q(points__gt=0), name="competition_indicator_points_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="competition_indicator_weight_positive"),
            models.CheckConstraint(condition=Q(deduction__gte=0), name="competition_indicator_deduction"),
            models.CheckConstraint(
                condition=~Q(method="formula") | ~Q(formula=""), name="competition_indicator_formula_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VetoItem(models.Model):
    """一票否决: a unit with a confirmed veto finding is not eligible in the round (checked first)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="veto_items")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=128)

    class Meta:
        verbose_name = _("veto item")
        verbose_name_plural = _("veto items")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="competition_veto_code_once")]

    def __str__(self) -> str:
        return self.name


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


class FlagRule(models.Model):
    """How flags are awarded in a region and category: award rules as data.

    Red: total ≥ `red_min_score` and rank ≤ `red_top_k` (or, with `red_quota_per_city`, the best that many
    of each city); a unit that held the red flag `red_max_consecutive` rounds in a row sits the next one
    out (no holding for life). Black: the `black_bottom_k` lowest ranks with a total below
    `black_max_score`; `suspend_after_black` black flags within the last `black_window_rounds` rounds of
    the region and category suspend the unit's title (yellow card)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="flag_rules")
    category = models.CharField(_("flag category"), max_length=16, choices=Unit.FlagCategory.choices)
    red_min_score = models.DecimalField(
        _("red flag: score at least"), max_digits=6, decimal_places=2, default=90
    )
    red_top_k = models.PositiveSmallIntegerField(_("red flag: rank at most"), default=1)
    red_quota_per_city = models.PositiveSmallIntegerField(_("red flags per city"), null=True, blank=True)
    red_max_consecutive = models.PositiveSmallIntegerField(
        _("red flag: rounds in a row at most"), null=True, blank=True
    )
    black_bottom_k = models.PositiveSmallIntegerField(_("black flag: lowest ranks"), default=1)
    black_max_score = models.DecimalField(
        _("black flag: score below"), max_digits=6, decimal_places=2, default=70
    )
    suspend_after_black = models.PositiveSmallIntegerField(_("black flags that suspend the title"), default=3)
    black_window_rounds = models.PositiveSmallIntegerField(_("counted over the last rounds"), default=6)

    class Meta:
        verbose_name = _("flag rule")
        verbose_name_plural = _("flag rules")
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="competition_flag_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_category_display()}"


class FlagAward(models.Model):
    """A flag held by a unit from a frozen round. The holders of a region's and category's flags are the
    awards of its latest frozen round (a red flag moves then); a black flag stays until a verified
    rectification removes it."""

    class Colour(models.TextChoices):
        RED = "red", _("Mobile red flag")
        BLACK = "black", _("Black flag")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="flags")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="competition_flags")
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    reason = models.CharField(_("reason"), max_length=255)
    awarded_at = models.DateTimeField(_("awarded"))
    rectification = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectification reported"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-round__period_start", "colour", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="competition_flag_one_per_unit_round"),
            models.CheckConstraint(
                condition=Q(colour="black") | Q(removed_at__isnull=True),
                name="competition_only_black_removed",
            ),
        ]
        indexes = [models.Index(fields=["unit", "colour"], name="competition_flag_unit")]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} · {self.unit}"


class Title(models.Model):
    """A 文明单位 title. Its status changes only through TitleEvent rows (conditional updates)."""

    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted")
        RECHECKING = "rechecking", _("Under recheck")
        RETAINED = "retained", _("Retained")
        YELLOW_CARD = "yellow_card", _("Yellow-card warning (suspended)")
        RESTORED = "restored", _("Restored")
        REVOKED = "revoked", _("Revoked")
        TERMINATED = "terminated", _("Terminated by reorganisation")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="civilised_titles")
    name = models.CharField(_("title"), max_length=64)
    granted_by = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    granted_on = models.DateField(_("granted on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)

    class Meta:
        verbose_name = _("civilised-unit title")
        verbose_name_plural = _("civilised-unit titles")
        ordering = ["-granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "granted_by"],
                condition=~Q(status__in=["revoked", "terminated"]),
                name="competition_title_one_live_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.unit}"


class TitleEvent(models.Model):
    class Step(models.TextChoices):
        GRANTED = "granted", _("Granted")
        RECHECK = "recheck", _("Recheck opened")
        RETAINED = "retained", _("Retained after recheck")
        YELLOW_CARD = "yellow_card", _("Yellow-card warning")
        RESTORED = "restored", _("Restored")
        REVOKED = "revoked", _("Revoked")
        TERMINATED = "terminated", _("Terminated by reorganisation")

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    decision = models.CharField(_("decision"), max_length=255)
    decided_on = models.DateField(_("decided on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    round = models.ForeignKey(Round, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("title event")
        verbose_name_plural = _("title events")
        ordering = ["decided_on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} · {self.decided_on}"
