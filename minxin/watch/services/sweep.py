"""The worker's jobs: look at the posts whose `alert_at` has come (cost grows with the due posts, not
with the table) and at fire incidents nobody acknowledged in time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.core.events import publish_on_commit
from minxin.watch.models import FireIncident, Notice, Post
from minxin.watch.notices import Message
from minxin.watch.selectors import plan_stages, post_rules
from minxin.watch.services.engine import apply, send_after_commit, step, view_of

BATCH = 500


@dataclass(frozen=True, slots=True)
class SweepResult:
    looked_at: int  # due rows read
    claimed: int  # rows this worker updated (another worker got the rest)


def posts_sweep(*, limit: int = BATCH) -> SweepResult:
    """Claim each due post with an update conditional on the revision read; the loser of a race does
    nothing. Everything for one post commits together (state, flips, missed slots, notices)."""
    now = clock.now()
    due = list(
        Post.objects.filter(alert_at__lte=now, is_active=True)
        .order_by("alert_at")
        .values_list("pk", "revision")[:limit]
    )
    claimed = sum(_sweep_one(pk, revision) for pk, revision in due)
    if claimed:
        # One live signal per sweep, not one per post: boards reload the whole picture anyway.
        publish_on_commit("watch", {"type": "sweep", "changed": claimed})
    return SweepResult(looked_at=len(due), claimed=claimed)


def _sweep_one(pk: int, revision: int) -> int:
    now = clock.now()
    with transaction.atomic():
        post = (
            Post.objects.select_related("unit__region", "plan", "escalation")
            .filter(pk=pk, revision=revision)
            .first()
        )
        if post is None:
            return 0
        view = view_of(post)
        out = step(view, post_rules(post), plan_stages(post.plan), now)
        claimed = Post.objects.filter(pk=pk, revision=revision).update(
            state=view.state, next_due_at=view.next_due_at, alert_at=out.alert_at, revision=F("revision") + 1
        )
        if not claimed:
            return 0
        send_after_commit(apply(post, view, out, now=now))
    return 1


def posts_sweep_job() -> int:
    done = 0
    while True:
        result = posts_sweep()
        done += result.claimed
        if result.looked_at < BATCH:
            return done + fires_sweep()


def fires_sweep() -> int:
    """Incidents not acknowledged within WATCH_FIRE_ACK_MINUTES: mark overdue (once: a conditional
    update) and tell the command centre again."""
    now = clock.now()
    done = 0
    for incident in FireIncident.objects.filter(ack_due_at__lte=now).select_related("region"):
        with transaction.atomic():
            won = FireIncident.objects.filter(
                pk=incident.pk, ack_due_at=incident.ack_due_at, acknowledged_at__isnull=True
            ).update(ack_due_at=None, ack_overdue=True)
            if not won:
                continue
            send_after_commit(_overdue_notices(incident, now))
            done += 1
    return done


def _overdue_notices(incident: FireIncident, now: dt.datetime) -> list[Message]:
    from minxin.watch.services.fires import incident_recipients

    with translation.override(settings.LANGUAGE_CODE):
        text = _("Fire %(number)s has not been acknowledged within %(minutes)s minutes.") % {
            "number": incident.number,
            "minutes": settings.WATCH_FIRE_ACK_MINUTES,
        }
    users = incident_recipients(incident)
    Notice.objects.bulk_create(
        [Notice(incident=incident, recipient=u, channel="board", text=text, created_at=now) for u in users]
    )
    return [Message(channel="board", recipient=str(u), address="", text=text) for u in users]
