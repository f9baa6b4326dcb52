"""Rubrics as data: a version's dimensions, indicators (method, points, bands, deductions) and veto items."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Unit


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
