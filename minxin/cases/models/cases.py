"""The applicant and the case with its materials, steps and history rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minxin.accounts.models import Citizen
from minxin.cases.models.choices import (
    OPEN_STATUSES,
    ApplicantKind,
    CaseStatus,
    Decision,
    DeliveryMethod,
    IntakeOutcome,
    Light,
    StepKind,
)
from minxin.catalog.models import Department, ItemVersion, Material, Window
from minxin.orgs.models import Hall
from minxin.queueing.models import Ticket


class Applicant(models.Model):
    """A person (ID number) or a company (unified social credit code) who applies. Their identifier and
    phone are stored as a keyed hash (for matching: form-free filing finds them again), a ciphertext and
    a masked form, never in clear."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=ApplicantKind.choices)
    name = models.CharField(_("name"), max_length=128)
    id_hash = models.CharField(_("ID number / credit code hash"), max_length=64)
    id_encrypted = models.TextField(_("ID number / credit code (encrypted)"))
    id_masked = models.CharField(_("ID number / credit code"), max_length=24)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    phone_hash = models.CharField(_("phone hash"), max_length=64, blank=True, db_index=True)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True)
    address = models.CharField(_("postal address"), max_length=255, blank=True)
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applicants",
        verbose_name=_("citizen account"),
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(fields=["kind", "id_hash"], name="cases_applicant_kind_id_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"


class Case(models.Model):
    """An application (办件) for one item version, from intake at a window to its result.

    The light and the next time it may change are kept on the row: the supervision job claims rows
    whose `next_check_at` has passed (an indexed column), so its cost grows with the due cases only.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=32, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="cases", verbose_name=_("hall"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", verbose_name=_("department")
    )
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("item version")
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    outcome = models.CharField(_("intake outcome"), max_length=20, choices=IntakeOutcome.choices)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_taken_in",
        verbose_name=_("accepting clerk"),
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("window"),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("ticket"),
    )
    created_at = models.DateTimeField(_("received"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("result sent"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)

    promised_due = models.DateField(_("promised deadline"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory deadline"), null=True, blank=True)
    suspended_days = models.PositiveSmallIntegerField(_("working days suspended"), default=0)
    suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("working days extended"), default=0)

    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.NONE)
    light_changed_at = models.DateTimeField(_("light changed"), null=True, blank=True)
    yellow_on = models.DateField(_("yellow since"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next supervision check"), null=True, blank=True)

    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(_("decision reasons"), blank=True)
    refusal_reasons = models.TextField(_("reasons for not accepting"), blank=True)
    refusal_basis = models.TextField(_("legal basis"), blank=True)

    delivery_method = models.CharField(
        _("delivery"), max_length=8, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    delivery_carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    delivery_tracking = models.CharField(_("tracking number"), max_length=64, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)

    handling_days = models.PositiveSmallIntegerField(
        _("working days used"),
        null=True,
        blank=True,
        help_text=_("From acceptance to decision, suspensions excluded; set at the decision."),
    )
    trips_made = models.PositiveSmallIntegerField(_("trips made"), default=1)
    baseline_trips = models.PositiveSmallIntegerField(_("baseline trips"), default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(statutory_due__isnull=True)
                | Q(promised_due__isnull=True)
                | Q(promised_due__lte=F("statutory_due")),
                name="cases_case_promised_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True)
                | Q(promised_due__isnull=False, statutory_due__isnull=False, accepted_on__isnull=False),
                name="cases_case_accepted_has_deadlines",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reasons=""),
                name="cases_case_refusal_has_reasons",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["decided", "delivering", "completed"]) | ~Q(decision=""),
                name="cases_case_decided_has_decision",
            ),
            models.CheckConstraint(condition=Q(extended_days__lte=15), name="cases_case_one_extension"),
        ]
        indexes = [
            # the supervision sweep: due rows only, read from the index in order
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="cases_case_next_check",
            ),
            models.Index(fields=["hall", "status"], name="cases_case_hall_status"),
            models.Index(fields=["hall", "accepted_on"], name="cases_case_hall_accepted"),
            models.Index(fields=["department", "status"], name="cases_case_department_status"),
            models.Index(fields=["hall", "light"], condition=~Q(light="none"), name="cases_case_hall_lit"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseMaterial(models.Model):
    """One material of the item version as checked at the window: presented or not, original or copy,
    correct or faulty with a note. A 容缺 gap has a due date; `received_at` closes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name=_("case"))
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    presented = models.BooleanField(_("presented"), default=False)
    original = models.BooleanField(_("original seen"), default=False)
    ok = models.BooleanField(_("correct"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    gap_due = models.DateField(_("due by"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    on_notice = models.BooleanField(_("listed on the correction notice"), default=False)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["case", "material__position", "material_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="cases_material_once_per_case"),
        ]

    def __str__(self) -> str:
        return str(self.material)

    @property
    def is_missing(self) -> bool:
        return not (self.presented and self.ok)


class CaseStep(models.Model):
    """One step of the back-office procedure (accept → review → decide) with its own limit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case"))
    kind = models.CharField(_("step"), max_length=8, choices=StepKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    days = models.PositiveSmallIntegerField(_("limit (working days)"))
    due = models.DateField(_("due"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.NONE)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="cases_step_position_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseHistory(models.Model):
    """The append-only status history: one row per transition, with actor and time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history", verbose_name=_("case"))
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case history entry")
        verbose_name_plural = _("case history")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_history_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
