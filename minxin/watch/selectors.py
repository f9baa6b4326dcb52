"""Reads: a post's slot rules, missed counts, the command board."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from minxin.core import clock
from minxin.core.memo import memo
from minxin.watch.models import (
    DangerLevel,
    DutyPlan,
    EscalationStage,
    FireIncident,
    MissedSlot,
    Post,
    PostState,
)
from minxin.watch.schedule import DangerWindow, Rules
from minxin.watch.scope import Scope, incidents_in_scope, posts_in_scope

RULES_SECONDS = 10  # a plan or danger change reaches every process within this


def plan_rules(plan: DutyPlan) -> tuple[Any, ...]:
    return memo(("watch-plan", plan.pk), RULES_SECONDS, lambda: _plan_parts(plan.pk))


def _plan_parts(plan_id: int) -> tuple[Any, ...]:
    plan = DutyPlan.objects.get(pk=plan_id)
    seasons = tuple(plan.seasons.values_list("start_month", "start_day", "end_month", "end_day"))
    stages = tuple(plan.stages.order_by("position"))
    return plan, seasons, stages


def danger_windows(region_path: str) -> tuple[DangerWindow, ...]:
    """Overrides set for the region or any region above it that have not ended a day ago."""

    def load() -> tuple[DangerWindow, ...]:
        ancestors = [region_path[: i + 1] for i, char in enumerate(region_path) if char == "/"]
        rows = DangerLevel.objects.filter(
            region__path__in=ancestors, ends_at__gt=clock.now() - dt.timedelta(days=3)
        ).values_list("starts_at", "ends_at", "level")
        return tuple(DangerWindow(starts_at=s, ends_at=e, level=level) for s, e, level in rows)

    return memo(("watch-danger", region_path), RULES_SECONDS, load)


def post_rules(post: Post) -> Rules:
    plan, seasons, _stages = plan_rules(post.plan)
    return Rules(
        zone=post.time_zone,
        lat=post.lat,
        lon=post.lon,
        season_day_minutes=plan.season_day_minutes,
        season_night_minutes=plan.season_night_minutes,
        day_minutes=plan.day_minutes,
        night_minutes=plan.night_minutes,
        danger_minutes=plan.danger_minutes,
        danger_level_from=plan.danger_level_from,
        grace=dt.timedelta(minutes=plan.grace_minutes),
        solar=plan.daylight == DutyPlan.Daylight.SOLAR,
        day_starts=plan.day_starts,
        day_ends=plan.day_ends,
        seasons=seasons,
        danger=danger_windows(post.unit.region.path),
    )


def plan_stages(plan: DutyPlan) -> tuple[EscalationStage, ...]:
    stages: tuple[EscalationStage, ...] = plan_rules(plan)[2]
    return stages


def missed_today(posts: list[Post]) -> dict[int, int]:
    """Missed (and still uncovered) slots per post on each post's local today."""
    if not posts:
        return {}
    days = {clock.local_today(p.time_zone) for p in posts}
    rows = (
        MissedSlot.objects.filter(post__in=posts, local_date__in=days, covered_by__isnull=True)
        .values("post_id", "local_date")
        .annotate(n=Count("id"))
    )
    today = {p.pk: clock.local_today(p.time_zone) for p in posts}
    return {row["post_id"]: row["n"] for row in rows if today[row["post_id"]] == row["local_date"]}


def public_state(post: Post) -> str:
    """The API's four states: an escalated post is missed (with `escalated` true)."""
    return str(PostState.MISSED) if post.state == PostState.ESCALATED else post.state


def board_data(scope: Scope) -> dict[str, Any]:
    """Everything the wall screen shows, as JSON-ready values."""
    now = clock.now()
    posts = list(posts_in_scope(scope).select_related("escalation__acknowledged_by").order_by("name"))
    missed = missed_today(posts)
    incidents = list(
        incidents_in_scope(scope)
        .filter(Q(status=FireIncident.Status.OPEN) | Q(closed_at__gte=now - dt.timedelta(hours=1)))
        .prefetch_related("reports__post")
        .order_by("-first_report_at")[:20]
    )
    return {
        "now": now.isoformat(),
        "posts": [_board_post(p, missed.get(p.pk, 0), now) for p in posts],
        "incidents": [incident_json(i) for i in incidents],
    }


def _board_post(post: Post, missed: int, now: dt.datetime) -> dict[str, Any]:
    escalation = post.escalation
    age = int((now - post.last_check_in_at).total_seconds()) if post.last_check_in_at else None
    return {
        "id": str(post.public_id),
        "name": post.name,
        "lat": post.lat,
        "lon": post.lon,
        "state": post.state,
        "state_label": str(PostState(post.state).label),
        "last_check_in_at": post.last_check_in_at.isoformat() if post.last_check_in_at else None,
        "age_seconds": age,
        "next_due_at": post.next_due_at.isoformat() if post.next_due_at else None,
        "missed_today": missed,
        "paused_reason": post.paused_reason,
        "escalation": None
        if escalation is None
        else {
            "opened_at": escalation.opened_at.isoformat(),
            "stages_done": escalation.stages_done,
            "acknowledged_at": escalation.acknowledged_at.isoformat() if escalation.acknowledged_at else None,
            "acknowledged_by": str(escalation.acknowledged_by) if escalation.acknowledged_by else None,
        },
    }


def incident_json(incident: FireIncident) -> dict[str, Any]:
    reports = sorted(incident.reports.all(), key=lambda r: r.made_at)
    ack_seconds = (
        int((incident.acknowledged_at - incident.first_report_at).total_seconds())
        if incident.acknowledged_at
        else None
    )
    return {
        "id": str(incident.public_id),
        "number": incident.number,
        "status": incident.status,
        "lat": incident.lat,
        "lon": incident.lon,
        "uncertainty_m": incident.uncertainty_m,
        "method": incident.method if incident.method != FireIncident.Method.NONE else None,
        "estimate_note": incident.estimate_note,
        "first_report_at": incident.first_report_at.isoformat(),
        "acknowledged_at": incident.acknowledged_at.isoformat() if incident.acknowledged_at else None,
        "acknowledged_by": str(incident.acknowledged_by) if incident.acknowledged_by_id else None,
        "ack_seconds": ack_seconds,
        "ack_overdue": incident.ack_overdue,
        "reports": [
            {
                "id": str(r.public_id),
                "post": str(r.post.public_id),
                "post_name": r.post.name,
                "post_lat": r.post.lat,
                "post_lon": r.post.lon,
                "made_at": r.made_at.isoformat(),
                "bearing_deg": r.bearing_deg,
                "distance_km": r.distance_km,
                "smoke_colour": r.smoke_colour,
                "spread": r.spread,
                "wind": r.wind,
            }
            for r in reports
        ],
    }


def local_date_of(post: Post, at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(post.time_zone)).date()
