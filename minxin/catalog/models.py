from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
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

    class Audience(models.TextChoices):
        PERSON = "person", _("Individuals")
        COMPANY = "company", _("Companies and organisations")
        BOTH = "both", _("Individuals and companies")

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
    # The rest of the guide (办事指南): who it is for, the steps, what the applicant receives, FAQ.
    audience = models.CharField(
        _("for whom"), max_length=16, choices=Audience.choices, default=Audience.PERSON
    )
    online_url = models.URLField(
        _("online service address"), blank=True, help_text=_("Where the item is applied for online.")
    )
    process_steps = models.TextField(
        _("process steps"), blank=True, help_text=_("One step a line (办理流程).")
    )
    result_name = models.CharField(
        _("what the applicant receives"), max_length=200, blank=True, help_text=_("A licence, a card…")
    )
    result_delivery = models.CharField(
        _("how the result is delivered"),
        max_length=200,
        blank=True,
        help_text=_("Collected at the window, by post…"),
    )
    faq = models.TextField(
        _("questions and answers"),
        blank=True,
        help_text=_("A question on one line, its answer on the next; a blank line between pairs."),
    )
    # Search: the segmented text (words, pinyin, initials) kept current on publish; on PostgreSQL also a
    # weighted tsvector with a GIN index (catalog.sql).
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

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
    source = models.CharField(
        _("where it comes from"),
        max_length=128,
        blank=True,
        help_text=_("The applicant's own, issued by a department…"),
    )
    sample_url = models.URLField(_("sample form address"), blank=True)

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


class Synonym(models.Model):
    """A word people type and the words the catalog uses for it (营业执照 → 企业设立登记). Edited in the
    admin; search expands a query's words with these before it looks."""

    term = models.CharField(_("what people type"), max_length=64, unique=True)
    expansions = models.CharField(
        _("catalog words"), max_length=255, help_text=_("Separated by spaces or commas.")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansions}"

    def words(self) -> list[str]:
        return [w for w in self.expansions.replace("，", ",").replace(",", " ").split() if w]


class ItemStat(models.Model):
    """How often an item is opened, found and taken numbers for: the popularity search ranks by and the
    home page's high-frequency items (高频事项)."""

    item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, related_name="stat", verbose_name=_("item")
    )
    views = models.PositiveIntegerField(_("guide views"), default=0)
    searches = models.PositiveIntegerField(_("opened from a search"), default=0)
    tickets = models.PositiveIntegerField(_("numbers taken"), default=0)

    class Meta:
        verbose_name = _("item popularity")
        verbose_name_plural = _("item popularity")

    def __str__(self) -> str:
        return str(self.item)

    @property
    def score(self) -> int:
        return self.views + 2 * self.searches + 3 * self.tickets


class SearchTerm(models.Model):
    """What people searched for (normalised), how often, and how many services the last search found:
    the admin's list of searches that found nothing is where synonyms come from."""

    query = models.CharField(_("query"), max_length=100, unique=True)
    count = models.PositiveIntegerField(_("times searched"), default=0)
    last_results = models.PositiveIntegerField(_("results last time"), default=0)
    last_searched = models.DateTimeField(_("last searched"))

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        ordering = ["-count"]

    def __str__(self) -> str:
        return self.query


class EnglishName(models.Model):
    """The English name of a name stored in Chinese (a hall, department, item, service, queue, window).
    Stored once for every place the Chinese name appears; pages in English fall back to the Chinese."""

    chinese = models.CharField(_("Chinese name"), max_length=200, unique=True)
    english = models.CharField(_("English name"), max_length=200)

    class Meta:
        verbose_name = _("English name")
        verbose_name_plural = _("English names")
        ordering = ["chinese"]

    def __str__(self) -> str:
        return f"{self.chinese} → {self.english}"
