"""Appointments: slots, bookings, check-in, home visits, forecasts: the data and its constraints."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minxin.accounts.models import Citizen
from minxin.catalog.models import ServiceItem
from minxin.orgs.models import Hall
from minxin.queueing.models import Service, Ticket


class SlotPlan(models.Model):
    """How a hall books one service: the windows planned for it, the mean service time and so the
    capacity of a slot (windows × slot length ÷ service time, less the walk-in share), unless a manager
    set a capacity of their own. An hour with an adopted staffing plan uses that plan's windows."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="slot_plans", verbose_name=_("hall")
    )
    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="slot_plan", verbose_name=_("service")
    )
    is_bookable = models.BooleanField(_("bookable"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    windows = models.PositiveSmallIntegerField(_("windows planned"), default=1)
    service_minutes = models.PositiveSmallIntegerField(_("mean service time (minutes)"), default=10)
    capacity_override = models.PositiveSmallIntegerField(
        _("capacity per slot"), null=True, blank=True, help_text=_("Empty: derived from windows and time.")
    )

    class Meta:
        verbose_name = _("slot plan")
        verbose_name_plural = _("slot plans")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="appointments_plan_slot_length"),
            models.CheckConstraint(
                condition=Q(service_minutes__gte=1), name="appointments_plan_service_time"
            ),
        ]

    def __str__(self) -> str:
        return str(self.service)


class Slot(models.Model):
    """One bookable period of a service. `booked` only ever moves by a conditional update (booked <
    capacity), and the check constraints refuse an overbooked row whatever the code does."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slots", verbose_name=_("hall"))
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="slots", verbose_name=_("service"), db_index=False
    )
    service_date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_at"], name="appointments_slot_once"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(booked__gte=0), name="appointments_slot_booked_positive"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="appointments_slot_starts_first"
            ),
        ]
        indexes = [models.Index(fields=["hall", "service_date"], name="appointments_slot_hall_day")]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    LATE = "late", _("Checked in late")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", pgettext_lazy("booking", "No-show")


ACTIVE_BOOKING = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.LATE)


class BookingChannel(models.TextChoices):
    WEB = "web", _("Web (citizen)")
    DESK = "desk", _("Service desk")
    HOTLINE = "hotline", _("12345 hotline")
    API = "api", _("API")


class Booking(models.Model):
    """One matter booked in one slot by one phone. The phone is kept as a keyed hash (matching, the
    one-booking rule, the no-show count), masked (display) and encrypted (reminders only)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("booking code"), max_length=8, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("hall"))
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("service"), db_index=False
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    service_date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("booked time"))
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    channel = models.CharField(_("channel"), max_length=8, choices=BookingChannel.choices)
    phone_hash = models.CharField(max_length=64)
    phone_masked = models.CharField(_("phone"), max_length=16)
    phone_encrypted = models.TextField()
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("citizen")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    matter = models.CharField(_("matter"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("booked at"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
        db_index=False,
    )
    # Deadline columns, each cleared by the worker job that claims it (conditional update):
    remind_day_at = models.DateTimeField(null=True, blank=True)  # the day-before reminder
    remind_hour_at = models.DateTimeField(null=True, blank=True)  # the hour-before reminder
    no_show_at = models.DateTimeField(null=True, blank=True)  # end of the late limit while still booked
    promote_at = models.DateTimeField(null=True, blank=True)  # an early arrival goes first from its time

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash", "service", "service_date"],
                condition=Q(status__in=["booked", "checked_in", "late"]),
                name="appointments_booking_one_active_per_phone_service_day",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "service_date", "status"], name="appointments_booking_hall_day"),
            models.Index(fields=["phone_hash", "hall", "status"], name="appointments_booking_phone"),
            models.Index(
                fields=["remind_day_at"],
                condition=Q(remind_day_at__isnull=False),
                name="appointments_remind_day",
            ),
            models.Index(
                fields=["remind_hour_at"],
                condition=Q(remind_hour_at__isnull=False),
                name="appointments_remind_hour",
            ),
            models.Index(
                fields=["no_show_at"], condition=Q(no_show_at__isnull=False), name="appointments_no_show"
            ),
            models.Index(
                fields=["promote_at"], condition=Q(promote_at__isnull=False), name="appointments_promote"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class BookingEvent(models.Model):
    """Append-only history of a booking."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        LATE = "late", _("Checked in late")
        PROMOTED = "promoted", _("Called ahead from its time")
        REMINDED = "reminded", _("Reminder sent")
        NO_SHOW = "no_show", pgettext_lazy("booking", "No-show")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="events", verbose_name=_("booking")
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking} {self.kind}"


class BookingBar(models.Model):
    """A phone barred from booking in a hall after too many no-shows, until `until` or a manager lifts it."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="booking_bars", verbose_name=_("hall")
    )
    phone_hash = models.CharField(max_length=64)
    phone_masked = models.CharField(_("phone"), max_length=16)
    starts_at = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("until"))
    no_shows = models.PositiveSmallIntegerField(_("no-shows"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booking bar")
        verbose_name_plural = _("booking bars")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["hall", "phone_hash", "until"], name="appointments_bar_phone")]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.until:%Y-%m-%d}"


class StaffingPlan(models.Model):
    """Windows a manager adopted for one service in one weekday hour (from the forecast's suggestion or
    their own). Slot capacities and the predicted waits use it."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="staffing_plans", verbose_name=_("hall")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    windows = models.PositiveSmallIntegerField(_("windows"))
    adopted_at = models.DateTimeField(_("adopted"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("staffing plan")
        verbose_name_plural = _("staffing plans")
        constraints = [
            models.UniqueConstraint(fields=["service", "weekday", "hour"], name="appointments_staffing_once"),
            models.CheckConstraint(
                condition=Q(weekday__lte=6, hour__lte=23), name="appointments_staffing_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.weekday} {self.hour}: {self.windows}"


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class HomeVisit(models.Model):
    """上门服务: staff go to an elderly or disabled citizen, or a company, to handle an item there. The
    citizen makes no trip (trips = 0)."""

    class Requester(models.TextChoices):
        ELDERLY = "elderly", _("Elderly citizen")
        DISABLED = "disabled", _("Citizen with a disability")
        COMPANY = "company", _("Company")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("hall")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    matter = models.CharField(_("matter"), max_length=128)
    requester = models.CharField(_("requested for"), max_length=10, choices=Requester.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    phone_hash = models.CharField(max_length=64)
    phone_masked = models.CharField(_("phone"), max_length=16)
    phone_encrypted = models.TextField()
    address = models.CharField(_("address"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested"))
    scheduled_for = models.DateTimeField(_("visit time"), null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    trips = models.PositiveSmallIntegerField(_("trips by the citizen"), default=0)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_visit",
        verbose_name=_("case"),
    )

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(trips=0), name="appointments_visit_zero_trips"),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "done"])
                | Q(scheduled_for__isnull=False, staff__isnull=False),
                name="appointments_visit_scheduled_has_time_and_staff",
            ),
        ]
        indexes = [models.Index(fields=["hall", "status"], name="appointments_visit_hall_status")]

    def __str__(self) -> str:
        return f"{self.matter} ({self.get_status_display()})"


class HomeVisitEvent(models.Model):
    """Append-only history of a home visit."""

    visit = models.ForeignKey(
        HomeVisit, on_delete=models.CASCADE, related_name="events", verbose_name=_("visit")
    )
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("home visit event")
        verbose_name_plural = _("home visit events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit} {self.status}"
