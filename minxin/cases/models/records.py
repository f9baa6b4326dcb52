"""What happens to a running case: its suspensions, its one extension and its notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.cases.models.cases import Case
from minxin.cases.models.choices import NoticeKind, SuspensionKind


class CaseSuspension(models.Model):
    """A stop of both clocks (hearing, testing, inspection, expert review, 容缺 materials)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SuspensionKind.choices)
    reason = models.TextField(_("reason"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["case", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="cases_one_open_suspension"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseExtension(models.Model):
    """The one extension of the statutory limit (行政许可法 Art. 42: +10 working days, approved)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="extension", verbose_name=_("case")
    )
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    at = models.DateTimeField(_("at"))
    previous_due = models.DateField(_("statutory deadline before"))
    new_due = models.DateField(_("statutory deadline after"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"+{self.days}"


class CaseNotice(models.Model):
    """A printed notice. At most one correction notice per case: that is what "one time" means."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    content = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["case", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(kind__in=["correction", "acceptance", "refusal", "gaps"]),
                name="cases_notice_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
