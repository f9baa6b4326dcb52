"""The state machine of a post, shared by the worker and the check-in: what has become due by `now`.

`step` is pure: from a post's state, its next deadline and its open escalation it computes the flips
(dated at the true deadline), the missed slots, the escalation stages due and the next instant the
worker must look. `apply` writes them, after the caller has claimed the post.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.watch.models import Escalation, EscalationStage, Flip, MissedSlot, Notice, Post, PostState
from minxin.watch.notices import Message, deliver
from minxin.watch.schedule import Rules, Slot, slot_at
from minxin.watch.scope import command_recipients, lookout_recipients

CATCH_UP_LIMIT = 2000  # missed slots recorded per look (a worker down for three weeks catches up in turns)
TINY = dt.timedelta(microseconds=1)
OVERDUE = (PostState.LATE, PostState.MISSED, PostState.ESCALATED)


@dataclass
class View:
    state: str
    next_due_at: dt.datetime
    escalation_opened_at: dt.datetime | None
    stages_done: int
    acknowledged: bool


@dataclass
class Outcome:
    flips: list[tuple[dt.datetime, str, str, str]] = field(default_factory=list)
    missed: list[Slot] = field(default_factory=list)
    stages: list[EscalationStage] = field(default_factory=list)
    opened_escalation: bool = False
    alert_at: dt.datetime | None = None


def pending_slot(rules: Rules, next_due_at: dt.datetime) -> Slot:
    """The slot that ends at `next_due_at` (the earliest one not yet reported)."""
    return slot_at(rules, next_due_at - TINY)


def step(view: View, rules: Rules, stages: tuple[EscalationStage, ...], now: dt.datetime) -> Outcome:
    """Advance `view` to `now` in place; returns what happened on the way."""
    out = Outcome()
    if view.state == PostState.PAUSED:
        return out
    grace = rules.grace
    while view.next_due_at + grace <= now and len(out.missed) < CATCH_UP_LIMIT:
        out.missed.append(pending_slot(rules, view.next_due_at))
        if view.state in (PostState.UP, PostState.LATE):
            if view.state == PostState.UP:
                out.flips.append((view.next_due_at, PostState.UP, PostState.LATE, "deadline"))
            out.flips.append((view.next_due_at + grace, PostState.LATE, PostState.MISSED, "grace"))
            view.state = PostState.MISSED
            view.escalation_opened_at = view.next_due_at + grace
            view.stages_done, view.acknowledged, out.opened_escalation = 0, False, True
        view.next_due_at = slot_at(rules, view.next_due_at).end
    if view.state == PostState.UP and view.next_due_at <= now:
        out.flips.append((view.next_due_at, PostState.UP, PostState.LATE, "deadline"))
        view.state = PostState.LATE
    if view.escalation_opened_at is not None and not view.acknowledged:
        while view.stages_done < len(stages):
            stage = stages[view.stages_done]
            at = view.escalation_opened_at + dt.timedelta(minutes=stage.after_minutes)
            if at > now:
                break
            out.stages.append(stage)
            if view.stages_done >= 1 and view.state == PostState.MISSED:
                out.flips.append((at, PostState.MISSED, PostState.ESCALATED, "stage"))
                view.state = PostState.ESCALATED
            view.stages_done += 1
    out.alert_at = next_look(view, rules, stages)
    return out


def next_look(view: View, rules: Rules, stages: tuple[EscalationStage, ...]) -> dt.datetime | None:
    if view.state == PostState.PAUSED:
        return None
    candidates = [view.next_due_at if view.state == PostState.UP else view.next_due_at + rules.grace]
    if view.escalation_opened_at is not None and not view.acknowledged and view.stages_done < len(stages):
        candidates.append(
            view.escalation_opened_at + dt.timedelta(minutes=stages[view.stages_done].after_minutes)
        )
    return min(candidates)


def view_of(post: Post) -> View:
    escalation = post.escalation if post.escalation_id else None
    return View(
        state=post.state,
        next_due_at=post.next_due_at or clock.now(),
        escalation_opened_at=escalation.opened_at if escalation else None,
        stages_done=escalation.stages_done if escalation else 0,
        acknowledged=bool(escalation and escalation.acknowledged_at),
    )


def apply(post: Post, view: View, out: Outcome, *, now: dt.datetime) -> list[Message]:
    """Write what `step` found, for a post the caller has claimed (its row updated in this
    transaction). Returns the messages to deliver after commit."""
    zone = ZoneInfo(post.time_zone)
    escalation = post.escalation if post.escalation_id else None
    if out.opened_escalation:
        if escalation is not None:
            Escalation.objects.filter(pk=escalation.pk, closed_at__isnull=True).update(closed_at=now)
        assert view.escalation_opened_at is not None
        escalation = Escalation.objects.create(
            post=post, opened_at=view.escalation_opened_at, stages_done=view.stages_done
        )
        Post.objects.filter(pk=post.pk).update(escalation=escalation)
        post.escalation = escalation
    if out.missed:
        MissedSlot.objects.bulk_create(
            [
                MissedSlot(
                    post=post, slot_start=s.start, slot_end=s.end, local_date=s.start.astimezone(zone).date()
                )
                for s in out.missed
            ],
            ignore_conflicts=True,
        )
    flips = Flip.objects.bulk_create(
        [
            Flip(
                post=post,
                at=at,
                old_state=old,
                new_state=new,
                reason=reason,
                escalation=escalation,
                created_at=now,
            )
            for at, old, new, reason in out.flips
        ]
    )
    messages: list[Message] = []
    if escalation is not None and out.stages:
        if not out.opened_escalation:
            Escalation.objects.filter(pk=escalation.pk).update(stages_done=view.stages_done)
        last_flip = flips[-1] if flips else None
        for stage in out.stages:
            messages += _stage_notices(post, stage, last_flip, now)
    return messages


def _stage_notices(post: Post, stage: EscalationStage, flip: Flip | None, now: dt.datetime) -> list[Message]:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(post)s missed its report (noted at %(at)s). Please check on it and acknowledge.") % {
            "post": post.name,
            "at": (flip.at if flip else now).astimezone(ZoneInfo(post.time_zone)).strftime("%m-%d %H:%M"),
        }
    targets: list[tuple[User | None, str, str]]
    if stage.recipients == EscalationStage.Recipients.POST:
        targets = [(None, post.name, post.phone)]
    elif stage.recipients == EscalationStage.Recipients.UNIT:
        targets = [(u, str(u), "") for u in lookout_recipients(post)]
    else:
        targets = [(u, str(u), "") for u in command_recipients(post)]
    Notice.objects.bulk_create(
        [
            Notice(
                flip=flip,
                recipient=user,
                address=address[:64],
                channel=stage.channel,
                text=text,
                created_at=now,
            )
            for user, _name, address in targets
        ]
    )
    return [
        Message(channel=stage.channel, recipient=name, address=address, text=text)
        for _u, name, address in targets
    ]


def send_after_commit(messages: list[Message]) -> None:
    if messages:
        from django.db import transaction

        transaction.on_commit(lambda: deliver(messages))
