"""The watch API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from minxin.accounts.api_auth import request_user, staff_auth
from minxin.core.errors import Forbidden, InvalidInput
from minxin.orgs.models import Unit
from minxin.watch.models import CheckIn, FireIncident, Post
from minxin.watch.scope import (
    COMMAND,
    LOOKOUT,
    command_region,
    incident_for,
    incidents_in_scope,
    post_for,
    posts_in_scope,
    scope_of,
)
from minxin.watch.selectors import board_data, incident_json, missed_today, public_state
from minxin.watch.services import (
    Report,
    check_in_record,
    danger_level_set,
    escalation_acknowledge,
    fire_incident_acknowledge,
    fire_incident_close,
    post_create_simple,
    post_pause,
    post_resume,
)

router = Router(tags=["watch"])


class PostIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    interval_seconds: int = Field(gt=0, le=86400)
    grace_seconds: int = Field(ge=0, le=7200)
    unit_id: int | None = None
    elevation_m: int | None = None
    time_zone: str = "Asia/Shanghai"
    phone: str = Field("", max_length=32)
    radio_channel: str = Field("", max_length=32)


class PostOut(Schema):
    id: uuid.UUID
    name: str
    state: Literal["up", "late", "missed", "paused"]
    escalated: bool
    next_due_at: dt.datetime | None
    missed_count: int
    last_check_in_at: dt.datetime | None
    lat: float
    lon: float
    elevation_m: int | None
    unit: str
    time_zone: str
    paused_reason: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None

    @staticmethod
    def of(post: Post, missed: int) -> dict[str, Any]:
        escalation = post.escalation
        return {
            "id": post.public_id,
            "name": post.name,
            "state": public_state(post),
            "escalated": post.state == "escalated",
            "next_due_at": None if post.state == "paused" else post.next_due_at,
            "missed_count": missed,
            "last_check_in_at": post.last_check_in_at,
            "lat": post.lat,
            "lon": post.lon,
            "elevation_m": post.elevation_m,
            "unit": post.unit.name,
            "time_zone": post.time_zone,
            "paused_reason": post.paused_reason,
            "acknowledged_at": escalation.acknowledged_at if escalation else None,
            "acknowledged_by": str(escalation.acknowledged_by)
            if escalation and escalation.acknowledged_by
            else None,
        }


class CheckInIn(Schema):
    status: Literal["normal", "observation", "fire"]
    note: str = Field("", max_length=500)
    visibility_m: int | None = Field(None, ge=0, le=200_000)
    bearing_deg: float | None = Field(None, ge=0, lt=360)
    distance_km: float | None = Field(None, gt=0, le=100)
    made_at: dt.datetime | None = None
    weather: str = Field("", max_length=10)
    wind: str = Field("", max_length=32)
    smoke_colour: str = Field("", max_length=8)
    spread: str = Field("", max_length=8)
    client_id: uuid.UUID | None = None
    channel: Literal["app", "api", "phone", "radio"] = "api"
    reported_by: str = Field("", max_length=64)


class CheckInOut(Schema):
    id: uuid.UUID
    post: uuid.UUID
    status: str
    made_at: dt.datetime
    received_at: dt.datetime
    slot_start: dt.datetime
    slot_end: dt.datetime
    late: bool
    duplicate: bool
    covered_missed: bool
    incident: uuid.UUID | None


class CloseIn(Schema):
    note: str = Field(min_length=1, max_length=500)


class PauseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class DangerIn(Schema):
    region: str = Field(min_length=2, max_length=12, description="The region's code, e.g. 130800")
    level: int = Field(ge=1, le=5)
    starts_at: dt.datetime
    ends_at: dt.datetime


class DangerOut(Schema):
    region: str
    level: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class AckIn(Schema):
    note: str = Field("", max_length=200)


def _unit_for_new_post(request: HttpRequest, unit_id: int | None) -> Unit:
    scope = scope_of(request_user(request))
    if not scope.is_command:
        raise Forbidden(_("Only the command centre adds posts."), code="forbidden")
    units = Unit.objects.filter(is_active=True)
    if not scope.is_admin:
        from django.db.models import Q

        condition = Q(pk__in=[])
        for path in scope.command_paths:
            condition |= Q(region__path__startswith=path)
        units = units.filter(condition)
    if unit_id is not None:
        unit = units.filter(pk=unit_id).first()
        if unit is None:
            raise InvalidInput(_("No such unit in your region."), details={"field": "unit_id"})
        return unit
    with_posts = units.filter(posts__isnull=False).distinct()[:2]
    candidates = list(with_posts) or list(units[:2])
    if len(candidates) != 1:
        raise InvalidInput(_("Name the unit (unit_id) the post belongs to."), details={"field": "unit_id"})
    return candidates[0]


@router.post("/posts", response={201: PostOut}, auth=staff_auth, url_name="watch-post-create")
def post_create_api(request: HttpRequest, payload: PostIn) -> Status[dict[str, Any]]:
    unit = _unit_for_new_post(request, payload.unit_id)
    post = post_create_simple(
        unit=unit,
        name=payload.name,
        lat=payload.lat,
        lon=payload.lon,
        interval_seconds=payload.interval_seconds,
        grace_seconds=payload.grace_seconds,
        elevation_m=payload.elevation_m,
        time_zone=payload.time_zone,
        phone=payload.phone,
        radio_channel=payload.radio_channel,
    )
    post = Post.objects.select_related("unit__region", "escalation").get(pk=post.pk)
    return Status(201, PostOut.of(post, 0))


@router.get("/posts", response=list[PostOut], auth=staff_auth, url_name="watch-post-list")
def post_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    posts = list(
        posts_in_scope(scope_of(request_user(request))).select_related("escalation__acknowledged_by")
    )
    missed = missed_today(posts)
    return [PostOut.of(p, missed.get(p.pk, 0)) for p in posts]


@router.get("/posts/{post_id}", response=PostOut, auth=staff_auth, url_name="watch-post")
def post_get_api(request: HttpRequest, post_id: uuid.UUID) -> dict[str, Any]:
    post = post_for(scope_of(request_user(request)), post_id)
    return PostOut.of(post, missed_today([post]).get(post.pk, 0))


@router.post(
    "/posts/{post_id}/check-ins", response={201: CheckInOut}, auth=staff_auth, url_name="watch-check-in"
)
def check_in_api(request: HttpRequest, post_id: uuid.UUID, payload: CheckInIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    desk = payload.channel in ("phone", "radio")
    post = post_for(scope_of(user), post_id, roles={COMMAND} if desk else {LOOKOUT, COMMAND})
    recorded = check_in_record(
        post=post,
        report=Report(
            status=payload.status,
            note=payload.note,
            weather=payload.weather,
            wind=payload.wind,
            visibility_m=payload.visibility_m,
            bearing_deg=payload.bearing_deg,
            distance_km=payload.distance_km,
            smoke_colour=payload.smoke_colour,
            spread=payload.spread,
        ),
        channel=payload.channel,
        made_at=payload.made_at,
        client_id=payload.client_id,
        entered_by=user,
        reported_by=payload.reported_by,
    )
    check_in = recorded.check_in
    return Status(
        201,
        {
            "id": check_in.public_id,
            "post": post.public_id,
            "status": check_in.status,
            "made_at": check_in.made_at,
            "received_at": check_in.received_at,
            "slot_start": check_in.slot_start.astimezone(dt.UTC),
            "slot_end": check_in.slot_end.astimezone(dt.UTC),
            "late": check_in.late,
            "duplicate": recorded.duplicate,
            "covered_missed": recorded.covered_missed,
            "incident": check_in.incident.public_id if check_in.incident_id and check_in.incident else None,
        },
    )


@router.post("/posts/{post_id}/pause", response=PostOut, auth=staff_auth, url_name="watch-post-pause")
def post_pause_api(request: HttpRequest, post_id: uuid.UUID, payload: PauseIn) -> dict[str, Any]:
    user = request_user(request)
    post = post_pause(
        post=post_for(scope_of(user), post_id, roles={COMMAND}), actor=user, reason=payload.reason
    )
    return post_get_api(request, post.public_id)


@router.post("/posts/{post_id}/resume", response=PostOut, auth=staff_auth, url_name="watch-post-resume")
def post_resume_api(request: HttpRequest, post_id: uuid.UUID) -> dict[str, Any]:
    user = request_user(request)
    post = post_resume(post=post_for(scope_of(user), post_id, roles={COMMAND}), actor=user)
    return post_get_api(request, post.public_id)


@router.post("/posts/{post_id}/acknowledge", response=PostOut, auth=staff_auth, url_name="watch-post-ack")
def post_acknowledge_api(request: HttpRequest, post_id: uuid.UUID, payload: AckIn) -> dict[str, Any]:
    user = request_user(request)
    post = post_for(scope_of(user), post_id)
    escalation_acknowledge(post=post, actor=user, note=payload.note)
    return post_get_api(request, post.public_id)


@router.get("/fire-incidents", auth=staff_auth, url_name="watch-fire-list")
def fire_incident_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    incidents = (
        incidents_in_scope(scope_of(request_user(request)))
        .filter(status=FireIncident.Status.OPEN)
        .prefetch_related("reports__post")
        .order_by("-first_report_at")
    )
    return [incident_json(i) for i in incidents]


@router.post("/fire-incidents/{incident_id}/acknowledge", auth=staff_auth, url_name="watch-fire-ack")
def fire_acknowledge_api(request: HttpRequest, incident_id: uuid.UUID) -> dict[str, Any]:
    user = request_user(request)
    scope = scope_of(user)
    if not scope.is_command:
        raise Forbidden(_("Only the command centre acknowledges fires."), code="forbidden")
    incident = fire_incident_acknowledge(incident=incident_for(scope, incident_id), actor=user)
    return incident_json(FireIncident.objects.prefetch_related("reports__post").get(pk=incident.pk))


@router.post("/fire-incidents/{incident_id}/close", auth=staff_auth, url_name="watch-fire-close")
def fire_close_api(request: HttpRequest, incident_id: uuid.UUID, payload: CloseIn) -> dict[str, Any]:
    user = request_user(request)
    scope = scope_of(user)
    if not scope.is_command:
        raise Forbidden(_("Only the command centre closes fires."), code="forbidden")
    incident = fire_incident_close(incident=incident_for(scope, incident_id), actor=user, note=payload.note)
    return incident_json(FireIncident.objects.prefetch_related("reports__post").get(pk=incident.pk))


@router.post("/danger-levels", response={201: DangerOut}, auth=staff_auth, url_name="watch-danger-set")
def danger_level_api(request: HttpRequest, payload: DangerIn) -> Status[dict[str, Any]]:
    """The command centre sets a fire-danger level (1–5) for its region and a time range; at the plan's
    level (4 by default) the posts report every 15 minutes around the clock."""
    user = request_user(request)
    region = command_region(scope_of(user), payload.region)
    danger = danger_level_set(
        region=region, level=payload.level, starts_at=payload.starts_at, ends_at=payload.ends_at, actor=user
    )
    return Status(
        201,
        {
            "region": region.code,
            "level": danger.level,
            "starts_at": danger.starts_at,
            "ends_at": danger.ends_at,
        },
    )


@router.get("/watch/board", auth=staff_auth, url_name="watch-board")
def board_api(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(request_user(request))
    if not scope.is_anyone:
        raise Forbidden(_("The board is for the command centre and lookout staff."), code="forbidden")
    return board_data(scope)


__all__ = ["CheckIn", "router"]
