"""Flags and titles: award rules, red and black flags with their history, 文明单位 titles and their steps."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.competition.models.rounds import Round
from minxin.orgs.models import Region, Unit


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
