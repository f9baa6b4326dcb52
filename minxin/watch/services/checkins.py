"""Recording a check-in: the hot path of every post, 96 times a day each."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import InvalidInput
from minxin.core.events import publish_on_commit
from minxin.watch.live import region_topic
from minxin.watch.models import CheckIn, Escalation, Flip, MissedSlot, Post, PostState
from minxin.watch.notices import Message
from minxin.watch.schedule import Rules, Slot, slot_at
from minxin.watch.selectors import plan_stages, post_rules
from minxin.watch.services.engine import (
    CATCH_UP_LIMIT,
    OVERDUE,
    Outcome,
    View,
    apply,
    pending_slot,
    send_after_commit,
    step,
    view_of,
)
from minxin.watch.services.fires import fire_report_attach

CLOCK_SKEW = dt.timedelta(minutes=2)  # a phone's clock may run a little ahead


@dataclass(frozen=True, slots=True)
class Recorded:
    check_in: CheckIn
    duplicate: bool  # the same client_id was sent before (an offline queue retrying)
    covered_missed: bool  # it filled a slot already counted as missed


@dataclass(frozen=True, slots=True)
class Report:
    """What a lookout reports; the fields of the phone's forms."""

    status: str
    note: str = ""
    weather: str = ""
    wind: str = ""
    visibility_m: int | None = None
    bearing_deg: float | None = None
    distance_km: float | None = None
    smoke_colour: str = ""
    spread: str = ""


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, details={"field": field})


def report_validate(report: Report) -> None:
    if report.status not in CheckIn.Status.values:
        raise _invalid(_("Status must be normal, observation or fire."), "status")
    if report.weather and report.weather not in CheckIn.Weather.values:
        raise _invalid(_("Unknown weather."), "weather")
    if report.smoke_colour and report.smoke_colour not in CheckIn.Smoke.values:
        raise _invalid(_("Unknown smoke colour."), "smoke_colour")
    if report.spread and report.spread not in CheckIn.Spread.values:
        raise _invalid(_("Unknown spread."), "spread")
    if report.visibility_m is not None and not 0 <= report.visibility_m <= 200_000:
        raise _invalid(_("Visibility must be between 0 and 200,000 m."), "visibility_m")
    if report.bearing_deg is not None and not 0 <= report.bearing_deg < 360:
        raise _invalid(_("The bearing must be from 0 up to 360 degrees."), "bearing_deg")
    if report.distance_km is not None and not 0 < report.distance_km <= 100:
        raise _invalid(_("The distance must be more than 0 and at most 100 km."), "distance_km")
    if report.status == CheckIn.Status.FIRE and report.bearing_deg is None:
        raise _invalid(_("A fire report needs the bearing."), "bearing_deg")


def made_at_validate(made_at: dt.datetime, now: dt.datetime) -> None:
    if made_at.tzinfo is None:
        raise _invalid(_("The time must carry its time zone."), "made_at")
    if made_at > now + CLOCK_SKEW:
        raise _invalid(_("The report is dated in the future."), "made_at")
    if made_at < now - dt.timedelta(hours=settings.WATCH_MAX_OFFLINE_HOURS):
        raise _invalid(
            _("The report is more than %(hours)s hours old.") % {"hours": settings.WATCH_MAX_OFFLINE_HOURS},
            "made_at",
        )


def check_in_record(
    *,
    post: Post,
    report: Report,
    channel: str,
    made_at: dt.datetime | None = None,
    client_id: uuid.UUID | None = None,
    entered_by: User | None = None,
    reported_by: str = "",
) -> Recorded:
    """Record a report and move the post's deadline. The report covers the slot `made_at` falls in (or
    the slot just ended, when made in its grace), so a report kept offline covers its own slot even if
    it arrives an hour later. Locks the post's row for the transaction; a repeated `client_id` returns
    the first record. Preconditions: the caller may report for this post."""
    now = clock.now()
    made_at = made_at or now
    made_at_validate(made_at, now)
    made_at = min(made_at, now)  # within the allowed skew: a phone a little ahead reports "now"
    report_validate(report)
    if channel not in CheckIn.Channel.values:
        raise _invalid(_("Unknown channel."), "channel")
    rules = post_rules(post)
    with transaction.atomic():
        locked = (
            Post.objects.select_for_update(of=("self",))
            .select_related("escalation", "unit__region", "plan")
            .get(pk=post.pk)
        )
        if client_id is not None:
            existing = CheckIn.objects.filter(post=locked, client_id=client_id).first()
            if existing is not None:
                return Recorded(check_in=existing, duplicate=True, covered_missed=False)
        view = view_of(locked)
        covered = _slot_covered(locked, view, rules, made_at)
        check_in = _check_in_create(
            post=locked,
            report=report,
            channel=channel,
            client_id=client_id,
            made_at=made_at,
            now=now,
            covered=covered,
            late=now > covered.end + rules.grace,
            entered_by=entered_by,
            reported_by=reported_by,
        )
        covered_missed, messages = _post_move(locked, view, covered, check_in, now, entered_by)
        if report.status == CheckIn.Status.FIRE:
            messages += fire_report_attach(check_in=check_in, post=locked, now=now)
        send_after_commit(messages)
    return Recorded(check_in=check_in, duplicate=False, covered_missed=covered_missed)


def _slot_covered(post: Post, view: View, rules: Rules, made_at: dt.datetime) -> Slot:
    """The slot a report made at `made_at` covers: the pending one when made in its grace, else the
    slot `made_at` falls in."""
    overdue = post.state != PostState.PAUSED and view.next_due_at <= made_at < view.next_due_at + rules.grace
    return pending_slot(rules, view.next_due_at) if overdue else slot_at(rules, made_at)


def _check_in_create(
    *,
    post: Post,
    report: Report,
    channel: str,
    client_id: uuid.UUID | None,
    made_at: dt.datetime,
    now: dt.datetime,
    covered: Slot,
    late: bool,
    entered_by: User | None,
    reported_by: str,
) -> CheckIn:
    return CheckIn.objects.create(
        post=post,
        status=report.status,
        channel=channel,
        client_id=client_id,
        made_at=made_at,
        received_at=now,
        slot_start=covered.start,
        slot_end=covered.end,
        late=late,
        entered_by=entered_by,
        reported_by=reported_by[:64],
        note=report.note[:500],
        weather=report.weather,
        wind=report.wind[:32],
        visibility_m=report.visibility_m,
        bearing_deg=report.bearing_deg,
        distance_km=report.distance_km,
        smoke_colour=report.smoke_colour,
        spread=report.spread,
    )


def _post_move(
    post: Post, view: View, covered: Slot, check_in: CheckIn, now: dt.datetime, actor: User | None
) -> tuple[bool, list[Message]]:
    """What the report does to its post: a paused post only notes the time of its last report."""
    if post.state == PostState.PAUSED:
        Post.objects.filter(pk=post.pk).update(
            last_check_in_at=_latest(post.last_check_in_at, check_in.made_at), revision=F("revision") + 1
        )
        return False, []
    return _advance(post, view, covered, check_in, now, actor)


def _latest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None or b > a else a


def _advance(
    post: Post, view: View, covered: Slot, check_in: CheckIn, now: dt.datetime, actor: User | None
) -> tuple[bool, list[Message]]:
    rules = post_rules(post)
    before = view.state
    silent, covered_missed = _deadline_move(post, view, rules, covered, check_in)
    _state_settle(view, rules, now)
    out = step(view, rules, plan_stages(post.plan), now)
    out.missed = silent.missed + out.missed
    escalation_open = view.escalation_opened_at is not None and not out.opened_escalation
    Post.objects.filter(pk=post.pk).update(
        state=view.state,
        next_due_at=view.next_due_at,
        alert_at=out.alert_at,
        last_check_in_at=_latest(post.last_check_in_at, check_in.made_at),
        revision=F("revision") + 1,
        **({} if escalation_open else {"escalation": None}),
    )
    if before != view.state and before in OVERDUE and not out.opened_escalation:
        _recovery_record(post, before, view.state, now, actor, close_escalation=not escalation_open)
    if not escalation_open and not out.opened_escalation:
        post.escalation = None
    return covered_missed, apply(post, view, out, now=now)


def _deadline_move(
    post: Post, view: View, rules: Rules, covered: Slot, check_in: CheckIn
) -> tuple[Outcome, bool]:
    """Move the post's deadline past the covered slot, or mark the missed slot it covers as covered.
    Returns the slots passed unreported on the way (missed, with no alarm) and whether a slot already
    counted as missed was covered."""
    silent = Outcome()
    if covered.end >= view.next_due_at:
        # Slots between the pending one and this report's passed unreported: they count as missed, with
        # no alarm (the post has reported since).
        while view.next_due_at < covered.end and len(silent.missed) < CATCH_UP_LIMIT:
            silent.missed.append(pending_slot(rules, view.next_due_at))
            view.next_due_at = slot_at(rules, view.next_due_at).end
        view.next_due_at = slot_at(rules, covered.end).end
        return silent, False
    covered_missed = (
        MissedSlot.objects.filter(post=post, slot_start=covered.start, covered_by__isnull=True).update(
            covered_by=check_in
        )
        > 0
    )
    return silent, covered_missed


def _state_settle(view: View, rules: Rules, now: dt.datetime) -> None:
    """After the report: an overdue post whose deadline is ahead again is up; a run of misses is over."""
    if view.state in OVERDUE and view.next_due_at > now:
        view.state = PostState.UP
        view.escalation_opened_at, view.stages_done, view.acknowledged = None, 0, False
    elif view.state in (PostState.MISSED, PostState.ESCALATED) and view.next_due_at + rules.grace > now:
        view.state = PostState.LATE  # the run of misses is over; the current slot is in its grace


def _recovery_record(
    post: Post, before: str, after: str, now: dt.datetime, actor: User | None, *, close_escalation: bool
) -> None:
    """The flip out of an overdue state that a report made, the escalation it closes, the live signal."""
    Flip.objects.create(
        post=post,
        at=now,
        old_state=before,
        new_state=after,
        reason="check-in",
        actor=actor,
        created_at=now,
        escalation=post.escalation,
    )
    if post.escalation_id and close_escalation:
        Escalation.objects.filter(pk=post.escalation_id, closed_at__isnull=True).update(closed_at=now)
    publish_on_commit(
        region_topic(post.unit.region), {"type": "flip", "post": str(post.public_id), "state": after}
    )


def local_slot_label(check_in: CheckIn) -> str:
    zone = ZoneInfo(check_in.post.time_zone)
    return f"{check_in.slot_start.astimezone(zone):%H:%M}–{check_in.slot_end.astimezone(zone):%H:%M}"
