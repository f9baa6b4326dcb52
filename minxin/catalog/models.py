from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from minxin.orgs.models import Hall, Unit


class Department(models.Model):
    """A department stationed (进驻) in a hall. It may be a unit of its own (a bureau) or not."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="departments", verbose_name=_("hall")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stationed",
        verbose_name=_("unit"),
    )
    stationed_on = models.DateField(_("stationed on"))
    is_active = models.BooleanField(_("active"), default=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("department officers"),
    )

    class Meta:
        verbose_name = _("stationed department")
        verbose_name_plural = _("stationed departments")
        ordering = ["hall", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="catalog_department_hall_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """A government service item (政务服务事项), identified by its catalog code. Its content lives in
    versions: a published version is never edited; a change publishes a new version."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name=_("department")
    )
    code = models.CharField(_("item code"), max_length=40, help_text=_("GB/T 39554.1-2020 item code."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="catalog_item_department_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class ItemVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("Administrative licensing")
        CONFIRMATION = "confirmation", _("Administrative confirmation")
        PAYMENT = "payment", _("Administrative payment")
        FILING = "filing", _("Filing")
        PUBLIC_SERVICE = "public_service", _("Public service")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial")
        CITY = "city", _("Municipal")
        COUNTY = "county", _("County")

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="versions", verbose_name=_("item")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.PUBLIC_SERVICE)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.CITY)
    implementing_body = models.CharField(_("implementing body"), max_length=128)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    fee = models.DecimalField(
        _("fee (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    fee_basis = models.CharField(_("fee basis"), max_length=255, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory limit (working days)"), help_text=_("0 means handled on the spot.")
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised limit (working days)"), help_text=_("0 means handled on the spot.")
    )
    trips = models.PositiveSmallIntegerField(_("trips to the hall"), default=1)
    online = models.BooleanField(_("can be applied for online"), default=False)
    appointment = models.BooleanField(_("appointment available"), default=False)
    mail_delivery = models.BooleanField(_("result can be mailed"), default=False)
    consult_phone = models.CharField(_("consultation phone"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=32, blank=True)
    special_steps = models.TextField(
        _("special steps"),
        blank=True,
        help_text=_("Hearings, testing, expert review… not counted in the limit."),
    )

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_item_number_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="published", valid_to__isnull=True),
                name="catalog_version_one_current_per_item",
            ),
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("statutory_days")),
                name="catalog_version_promised_within_statutory",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="catalog_version_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(valid_from__isnull=False, published_at__isnull=False),
                name="catalog_version_published_has_dates",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_to"], name="catalog_version_current_idx")]

    def __str__(self) -> str:
        return _("%(name)s (version %(number)d)") % {"name": self.name, "number": self.number}

    @property
    def is_on_the_spot(self) -> bool:
        return self.promised_days == 0


class Material(models.Model):
    """A material an applicant brings for one item version (original and/or copies, mandatory or not)."""

    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="materials", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(originals__gt=0) | Q(copies__gt=0), name="catalog_material_some_paper"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def window_order() -> list[Any]:
    """Window numbers in natural order (2 before 10): by length, then text."""
    return [Length("number"), "number"]


class Window(models.Model):
    """A service window of a hall: a department's own window or a comprehensive (综合) one."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department window")
        COMPREHENSIVE = "comprehensive", _("Comprehensive window")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows", verbose_name=_("hall"))
    number = models.CharField(_("number"), max_length=8)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("department"),
    )
    items = models.ManyToManyField(
        ServiceItem, blank=True, related_name="windows", verbose_name=_("items served")
    )
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="windows", verbose_name=_("clerks")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="catalog_window_hall_number_unique"),
            models.CheckConstraint(
                condition=Q(kind="comprehensive") | Q(department__isnull=False),
                name="catalog_window_department_kind_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
