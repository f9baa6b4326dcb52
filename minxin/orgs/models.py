from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minxin.accounts.models import Role

zone_help = _("IANA time zone, e.g. Asia/Shanghai. Local dates and daily resets follow it.")
slug_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]{1,62}$", _("Lower-case letters, digits and dashes."))


class Region(models.Model):
    """A node of the administrative tree (province → city → county), coded by GB/T 2260.

    `path` is the chain of codes from the root ("130000/130300/130302/"), so "every region under X" is one
    indexed prefix match instead of a recursive query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit (单位): an organ, a law-enforcement department, a utility or a window-service business."""

    class Kind(models.TextChoices):
        ORGAN = "organ", _("Party and government organ")
        JUDICIAL = "judicial", _("Judicial or law-enforcement department")
        UTILITY = "utility", _("Public utility")
        WINDOW = "window", _("Window-service business")

    class FlagCategory(models.TextChoices):
        ADMINISTRATION = "administration", _("Civilised administration")
        ENFORCEMENT = "enforcement", _("Civilised law enforcement")
        SERVICE = "service", _("Civilised service")

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    flag_category = models.CharField(_("flag category"), max_length=16, choices=FlagCategory.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", help_text=zone_help)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="orgs_unit_region_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Hall(models.Model):
    """A service centre or service hall run by a unit. `code` is its public, stable name in URLs."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=128)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="halls", verbose_name=_("unit"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("public phone"), max_length=32, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", help_text=zone_help)
    is_active = models.BooleanField(_("open to the public"), default=True)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening period on a weekday (several per day for a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("hall")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="orgs_hours_opens_before_closes"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="orgs_hours_weekday_range"
            ),
            models.UniqueConstraint(fields=["hall", "weekday", "opens"], name="orgs_hours_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class HallClosure(models.Model):
    """A day the hall is closed although its weekly hours say open (holidays, maintenance)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="closures", verbose_name=_("hall"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["hall", "date"], name="orgs_closure_hall_date_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


# Which scope each role is held in. A role is always held somewhere; system admins hold it everywhere.
REGION_ROLES = (Role.CITY_OFFICE, Role.ASSESSOR, Role.CAMPAIGN_OFFICER, Role.COMMAND_CENTRE)
HALL_ROLES = (Role.HALL_MANAGER, Role.WINDOW_CLERK, Role.DEPARTMENT_OFFICER, Role.INTEGRATION)
UNIT_ROLES = (Role.LOOKOUT_STAFF,)


class StaffMembership(models.Model):
    """A user holds a role in one scope: a region (and everything under it), a unit, or a hall.

    Narrower scopes (a clerk's windows, an officer's department) are assignments in the catalog.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    hall = models.ForeignKey(
        Hall,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("hall"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.CheckConstraint(
                name="orgs_membership_scope_matches_role",
                condition=(
                    Q(role=Role.SYSTEM_ADMIN, region__isnull=True, unit__isnull=True, hall__isnull=True)
                    | Q(role__in=REGION_ROLES, region__isnull=False, unit__isnull=True, hall__isnull=True)
                    | Q(role__in=UNIT_ROLES, region__isnull=True, unit__isnull=False, hall__isnull=True)
                    | Q(role__in=HALL_ROLES, region__isnull=True, unit__isnull=True, hall__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role=Role.SYSTEM_ADMIN),
                name="orgs_membership_admin_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="orgs_membership_region_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="orgs_membership_unit_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "hall"],
                condition=Q(hall__isnull=False),
                name="orgs_membership_hall_once",
            ),
        ]

    def __str__(self) -> str:
        scope = self.hall or self.unit or self.region or _("everywhere")
        return f"{self.user} · {self.get_role_display()} · {scope}"
