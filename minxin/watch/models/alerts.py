"""What the worker writes when posts fall silent: escalations, state changes, missed slots, notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minxin.watch.models.plans import EscalationStage
from minxin.watch.models.posts import Post, PostState
from minxin.watch.models.reports import CheckIn, FireIncident


class Escalation(models.Model):
    """One run of missed reports at a post, from the first missed slot until the post reports again:
    the stages already told, and who acknowledged it and when."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("post")
    )
    opened_at = models.DateTimeField(_("opened"))
    stages_done = models.PositiveSmallIntegerField(_("stages told"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    ack_note = models.CharField(_("action taken"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.post} {self.opened_at:%Y-%m-%d %H:%M}"


class Flip(models.Model):
    """An append-only state change, dated at the true deadline (not when the worker got to it)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flips", verbose_name=_("post"))
    at = models.DateTimeField(_("at"))
    old_state = models.CharField(_("from"), max_length=12, choices=PostState.choices)
    new_state = models.CharField(_("to"), max_length=12, choices=PostState.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flips",
        verbose_name=_("escalation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["-at"]
        indexes = [models.Index(fields=["post", "at"], name="watch_flip_post_at_idx")]

    def __str__(self) -> str:
        return f"{self.post} {self.old_state}→{self.new_state}"


class MissedSlot(models.Model):
    """A slot that had no report by the end of its grace. A report made in it and received later
    (kept offline) covers it afterwards: `covered_by` is set, and it no longer counts as missed."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="missed_slots", verbose_name=_("post")
    )
    slot_start = models.DateTimeField(_("slot from"))
    slot_end = models.DateTimeField(_("slot until"))
    local_date = models.DateField(_("date"))
    covered_by = models.ForeignKey(
        CheckIn,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("covered by"),
    )

    class Meta:
        verbose_name = _("missed slot")
        verbose_name_plural = _("missed slots")
        ordering = ["-slot_start"]
        indexes = [models.Index(fields=["post", "local_date"], name="watch_missed_post_date_idx")]
        constraints = [models.UniqueConstraint(fields=["post", "slot_start"], name="watch_missed_once")]

    def __str__(self) -> str:
        return f"{self.post} {self.slot_start:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """One message sent because of a flip or a fire: to whom, through which channel, when."""

    flip = models.ForeignKey(Flip, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    incident = models.ForeignKey(
        FireIncident, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=EscalationStage.Channel.choices)
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:40]
