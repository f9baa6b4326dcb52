"""E-supervision (the light flips and staff notices) and the per-item and per-hall settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.cases.models.cases import Case, CaseStep
from minxin.cases.models.choices import Light
from minxin.catalog.models import Department, ItemVersion
from minxin.orgs.models import Hall


class LightFlip(models.Model):
    """A recorded change of a case's (or step's) light: the supervision record and the cards (黄牌/红牌)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flips", verbose_name=_("case"))
    step = models.ForeignKey(
        CaseStep, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("step")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("hall"))
    at = models.DateTimeField(_("at"))
    from_light = models.CharField(_("from"), max_length=8, choices=Light.choices)
    to_light = models.CharField(_("to"), max_length=8, choices=Light.choices)
    reason = models.CharField(_("reason"), max_length=32)

    class Meta:
        verbose_name = _("light change")
        verbose_name_plural = _("light changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["hall", "at"], name="cases_flip_hall_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_light}→{self.to_light}"


class StaffNotice(models.Model):
    """A supervision notice for a staff member (department officer, hall manager), shown in the app and
    sent through the notice backend where the member has a phone on file."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notices", verbose_name=_("to")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    flip = models.ForeignKey(
        LightFlip, on_delete=models.CASCADE, related_name="notices", verbose_name=_("flip")
    )
    text = models.CharField(_("text"), max_length=255)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["flip", "recipient"], name="cases_staffnotice_once"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="cases_staffnotice_inbox")]

    def __str__(self) -> str:
        return self.text


class ItemRules(models.Model):
    """Per item version: how the promised limit splits into steps and the baseline trips. Without a row,
    the limit splits evenly over accept, review, decide and the baseline is the version's trips."""

    version = models.OneToOneField(
        ItemVersion, on_delete=models.CASCADE, related_name="case_rules", verbose_name=_("item version")
    )
    accept_days = models.PositiveSmallIntegerField(_("acceptance step (working days)"), null=True, blank=True)
    review_days = models.PositiveSmallIntegerField(_("review step (working days)"), null=True, blank=True)
    decide_days = models.PositiveSmallIntegerField(_("decision step (working days)"), null=True, blank=True)
    baseline_trips = models.PositiveSmallIntegerField(_("baseline trips"), null=True, blank=True)
    yellow_days = models.PositiveSmallIntegerField(
        _("yellow light (working days before the promised deadline)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("case rules of an item version")
        verbose_name_plural = _("case rules of item versions")

    def __str__(self) -> str:
        return str(self.version)


class HallCaseSettings(models.Model):
    """Per hall: the items that are required to be handled in the centre (the entry rate's divisor)."""

    hall = models.OneToOneField(
        Hall, on_delete=models.CASCADE, related_name="case_settings", verbose_name=_("hall")
    )
    required_items = models.PositiveIntegerField(
        _("items required in the centre"),
        help_text=_("The entry rate divides the items handled here by this number."),
    )
    number_prefix = models.CharField(_("case number prefix"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("case settings of a hall")
        verbose_name_plural = _("case settings of halls")
        constraints = [
            models.CheckConstraint(
                condition=Q(required_items__gt=0), name="cases_hallsettings_required_positive"
            )
        ]

    def __str__(self) -> str:
        return str(self.hall)
