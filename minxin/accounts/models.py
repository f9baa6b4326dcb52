from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    CITY_OFFICE = "city_office", _("City office")
    HALL_MANAGER = "hall_manager", _("Hall manager")
    WINDOW_CLERK = "window_clerk", _("Window clerk")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    ASSESSOR = "assessor", _("Assessor")
    CAMPAIGN_OFFICER = "campaign_officer", _("Campaign officer")
    LOOKOUT_STAFF = "lookout_staff", _("Lookout staff")
    COMMAND_CENTRE = "command_centre", _("Command centre")
    INTEGRATION = "integration", _("Integration (a hall's partner system)")


class User(AbstractUser):
    """A staff account (or a device/integration account that holds API tokens). Citizens are `Citizen`."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone_hash = models.CharField(_("phone hash"), max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True)
    is_device = models.BooleanField(
        _("device or integration"),
        default=False,
        help_text=_("Kiosks, boards and other systems: no password."),
    )
    # Password guessing: failures since the last success or lock; a lock lapses at `locked_until`.
    failed_sign_ins = models.PositiveSmallIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Citizen(models.Model):
    """A citizen known by a verified phone number. The number itself is only hashed, masked and encrypted."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    phone_hash = models.CharField(_("phone hash"), max_length=64, unique=True)
    phone_masked = models.CharField(_("phone"), max_length=16)
    phone_encrypted = models.TextField(_("phone (encrypted)"))
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    created_at = models.DateTimeField(_("created"))
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    # Consent to the privacy policy and terms of use: the version agreed to and when (asked again only
    # when the version changes).
    consent_version = models.CharField(_("consent version"), max_length=32, blank=True, default="")
    consent_at = models.DateTimeField(_("consented"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return self.phone_masked


class OtpChallenge(models.Model):
    """One one-time code sent to a phone. Only a hash of the code is kept."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone_hash", "-created_at"], name="accounts_otp_phone_recent_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for a device or integration. Only its SHA-256 is stored; the prefix identifies it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="accounts_apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
