from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A named sequence per scope: ticket numbers per queue and day, case numbers per hall and year.

    Incremented only by `numbering.counter_next`, one atomic statement; the unique constraint makes a
    second row for the same scope impossible even under racing first uses.
    """

    scope = models.CharField(_("scope"), max_length=64)
    key = models.CharField(_("key"), max_length=191)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_counter_scope_key_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="core_counter_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}={self.value}"


class AuditEntry(models.Model):
    """An append-only record of a staff action. Database triggers refuse UPDATE and DELETE.

    The actor is stored as id + label rather than a foreign key: the record must outlive the account.
    """

    at = models.DateTimeField(_("at"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class AuditPurge(models.Model):
    """A retention cutoff of the audit log: entries older than the latest `before` may be deleted (the
    log's delete trigger checks this table), and nothing newer ever. Each purge leaves its row, so the
    trimming of the log is itself on record."""

    before = models.DateTimeField(_("entries before"))
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("audit log purge")
        verbose_name_plural = _("audit log purges")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} < {self.before:%Y-%m-%d}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a public holiday on a weekday, or a make-up
    working day (调休) on a weekend. Seeded from the State Council's arrangements, editable in admin."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Throttle(models.Model):
    """Hits on a rate limit in one fixed window. `expires_at` is indexed so the worker purges spent
    windows by range, at a cost that grows with the expired rows rather than the table."""

    key = models.CharField(_("key"), max_length=191, unique=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")

    def __str__(self) -> str:
        return f"{self.key}={self.hits}"


class LiveMessage(models.Model):
    """A live signal on its way to the processes that stream events (SSE) when no Redis is configured:
    each process polls new rows once for all its watchers. Rows are purged after a few minutes."""

    topic = models.CharField(_("topic"), max_length=64)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("live message")
        verbose_name_plural = _("live messages")

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class CalendarYear(models.Model):
    """Whether a year's holiday arrangement is loaded. Deadlines are only computed in years marked
    complete: a year the State Council has not yet published (or nobody has entered) makes
    `workdays.add_working_days` refuse rather than guess Monday–Friday."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    is_complete = models.BooleanField(_("arrangement complete"), default=False)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the arrangement comes from, e.g. the State Council notice or a package."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1990, year__lte=2200), name="core_calendaryear_year_range"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)
