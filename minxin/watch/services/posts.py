"""Posts, plans, danger levels, pauses and acknowledgements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.events import publish_on_commit
from minxin.core.memo import forget
from minxin.orgs.models import Region, Unit
from minxin.watch.live import region_topic
from minxin.watch.models import (
    DangerLevel,
    DutyPlan,
    Escalation,
    EscalationStage,
    Flip,
    Post,
    PostStaff,
    PostState,
    Season,
)
from minxin.watch.schedule import slot_at, valid_interval
from minxin.watch.selectors import post_rules
from minxin.watch.services.engine import OVERDUE


@dataclass(frozen=True, slots=True)
class StageData:
    after_minutes: int
    recipients: str
    channel: str


DEFAULT_STAGES = (
    StageData(0, EscalationStage.Recipients.POST, EscalationStage.Channel.SMS),
    StageData(10, EscalationStage.Recipients.UNIT, EscalationStage.Channel.BOARD),
    StageData(20, EscalationStage.Recipients.REGION, EscalationStage.Channel.BOARD),
)


def _interval(minutes: int, field: str) -> None:
    if not valid_interval(minutes):
        raise InvalidInput(
            _("The interval must divide the day into whole slots (e.g. 10, 15, 20, 30, 60 minutes)."),
            details={"field": field},
        )


def duty_plan_create(
    *,
    name: str,
    unit: Unit | None,
    season_day_minutes: int = 15,
    season_night_minutes: int = 60,
    day_minutes: int = 60,
    night_minutes: int = 60,
    daylight: str = DutyPlan.Daylight.FIXED,
    day_starts: dt.time = dt.time(6),
    day_ends: dt.time = dt.time(19),
    danger_level_from: int = 4,
    danger_minutes: int = 15,
    grace_minutes: int = 5,
    seasons: list[tuple[str, int, int, int, int]] | None = None,
    stages: tuple[StageData, ...] = DEFAULT_STAGES,
) -> DutyPlan:
    for value, field in (
        (season_day_minutes, "season_day_minutes"),
        (season_night_minutes, "season_night_minutes"),
        (day_minutes, "day_minutes"),
        (night_minutes, "night_minutes"),
        (danger_minutes, "danger_minutes"),
    ):
        _interval(value, field)
    if not 0 <= grace_minutes <= 120:
        raise InvalidInput(
            _("The grace period must be 0 to 120 minutes."), details={"field": "grace_seconds"}
        )
    if daylight == DutyPlan.Daylight.FIXED and not day_starts < day_ends:
        raise InvalidInput(_("Day must start before it ends."), details={"field": "day_starts"})
    with transaction.atomic():
        plan = DutyPlan.objects.create(
            name=name,
            unit=unit,
            season_day_minutes=season_day_minutes,
            season_night_minutes=season_night_minutes,
            day_minutes=day_minutes,
            night_minutes=night_minutes,
            daylight=daylight,
            day_starts=day_starts,
            day_ends=day_ends,
            danger_level_from=danger_level_from,
            danger_minutes=danger_minutes,
            grace_minutes=grace_minutes,
        )
        for season_name, sm, sd, em, ed in seasons or []:
            dt.date(2024, sm, sd), dt.date(2024, em, ed)  # a real day of a leap year, or ValueError
            Season.objects.create(
                plan=plan, name=season_name, start_month=sm, start_day=sd, end_month=em, end_day=ed
            )
        for position, stage in enumerate(stages):
            EscalationStage.objects.create(
                plan=plan,
                position=position,
                after_minutes=stage.after_minutes,
                recipients=stage.recipients,
                channel=stage.channel,
            )
    return plan


def post_create(
    *,
    name: str,
    unit: Unit,
    plan: DutyPlan,
    lat: float,
    lon: float,
    elevation_m: int | None = None,
    time_zone: str = "Asia/Shanghai",
    phone: str = "",
    radio_channel: str = "",
) -> Post:
    """A new post, due to report within its current slot."""
    if not name.strip():
        raise InvalidInput(_("A post needs a name."), details={"field": "name"})
    if not -90 <= lat <= 90:
        raise InvalidInput(_("Latitude must be between -90 and 90."), details={"field": "lat"})
    if not -180 <= lon <= 180:
        raise InvalidInput(_("Longitude must be between -180 and 180."), details={"field": "lon"})
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(_("Unknown time zone."), details={"field": "time_zone"}) from error
    now = clock.now()
    with transaction.atomic():
        if Post.objects.filter(unit=unit, name=name.strip()).exists():
            raise Conflict(_("This unit already has a post of that name."), code="post_exists")
        post = Post(
            name=name.strip(),
            unit=unit,
            plan=plan,
            lat=lat,
            lon=lon,
            elevation_m=elevation_m,
            time_zone=time_zone,
            phone=phone,
            radio_channel=radio_channel,
            created_at=now,
        )
        post.next_due_at = slot_at(post_rules(post), now).end
        post.alert_at = post.next_due_at
        post.save()
    return post


def post_create_simple(
    *,
    unit: Unit,
    name: str,
    lat: float,
    lon: float,
    interval_seconds: int,
    grace_seconds: int,
    **extra: object,
) -> Post:
    """The API's post: one interval all day, all year, with the default escalation stages."""
    if interval_seconds % 60 or not valid_interval(interval_seconds // 60):
        raise InvalidInput(
            _("The interval must be whole minutes that divide the day (e.g. 900 or 3600 seconds)."),
            details={"field": "interval_seconds"},
        )
    if grace_seconds % 60 or not 0 <= grace_seconds <= 7200:
        raise InvalidInput(
            _("The grace must be whole minutes, up to 2 hours."), details={"field": "grace_seconds"}
        )
    minutes = interval_seconds // 60
    with transaction.atomic():
        plan = duty_plan_create(
            name=f"{name} · {minutes} min",
            unit=unit,
            season_day_minutes=minutes,
            season_night_minutes=minutes,
            day_minutes=minutes,
            night_minutes=minutes,
            danger_minutes=minutes,
            grace_minutes=grace_seconds // 60,
        )
        return post_create(name=name, unit=unit, plan=plan, lat=lat, lon=lon, **extra)  # type: ignore[arg-type]


def post_staff_assign(*, post: Post, user: User, shift: str = PostStaff.Shift.ALL) -> PostStaff:
    staff, _created = PostStaff.objects.update_or_create(post=post, user=user, defaults={"shift": shift})
    return staff


def post_pause(*, post: Post, actor: User, reason: str) -> Post:
    """Stop expecting reports (leave, maintenance) until someone resumes the post by hand."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the post is paused."), details={"field": "reason"})
    now = clock.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.state == PostState.PAUSED:
            raise Conflict(_("The post is already paused."), code="already_paused")
        Post.objects.filter(pk=post.pk).update(
            state=PostState.PAUSED,
            paused_reason=reason[:200],
            alert_at=None,
            escalation=None,
            revision=F("revision") + 1,
        )
        if locked.escalation_id:
            Escalation.objects.filter(pk=locked.escalation_id, closed_at__isnull=True).update(closed_at=now)
        Flip.objects.create(
            post=post,
            at=now,
            old_state=locked.state,
            new_state=PostState.PAUSED,
            reason=reason[:200],
            actor=actor,
            created_at=now,
        )
        audit_record(actor=actor, action="watch.post_paused", target=post, details={"reason": reason[:200]})
        publish_on_commit(region_topic(post.unit.region), {"type": "flip", "post": str(post.public_id)})
    post.refresh_from_db()
    return post


def post_resume(*, post: Post, actor: User) -> Post:
    """Expect reports again from the current slot on."""
    now = clock.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.state != PostState.PAUSED:
            raise Conflict(_("The post is not paused."), code="not_paused")
        due = slot_at(post_rules(locked), now).end
        Post.objects.filter(pk=post.pk).update(
            state=PostState.UP, paused_reason="", next_due_at=due, alert_at=due, revision=F("revision") + 1
        )
        Flip.objects.create(
            post=post,
            at=now,
            old_state=PostState.PAUSED,
            new_state=PostState.UP,
            reason="resumed",
            actor=actor,
            created_at=now,
        )
        audit_record(actor=actor, action="watch.post_resumed", target=post)
        publish_on_commit(region_topic(post.unit.region), {"type": "flip", "post": str(post.public_id)})
    post.refresh_from_db()
    return post


def escalation_acknowledge(*, post: Post, actor: User, note: str = "") -> Escalation:
    """Someone takes the missed reports in hand: further stages stop; who and when are kept. The post's
    revision moves too, so a worker that read the post before this cannot fire a stage after it."""
    now = clock.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.escalation_id is None or locked.state not in OVERDUE:
            raise Conflict(_("Nothing to acknowledge at this post."), code="nothing_to_acknowledge")
        done = Escalation.objects.filter(pk=locked.escalation_id, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor, ack_note=note.strip()[:200]
        )
        if not done:
            raise Conflict(_("Already acknowledged."), code="already_acknowledged")
        Post.objects.filter(pk=post.pk).update(revision=F("revision") + 1)
        audit_record(
            actor=actor, action="watch.escalation_acknowledged", target=post, details={"note": note[:200]}
        )
        publish_on_commit(region_topic(post.unit.region), {"type": "ack", "post": str(post.public_id)})
    return Escalation.objects.get(pk=locked.escalation_id)


def danger_level_set(
    *, region: Region, level: int, starts_at: dt.datetime, ends_at: dt.datetime, actor: User
) -> DangerLevel:
    """Set a fire-danger level for a region and a time range. Posts under the region whose current slot
    ends later than the tightened interval allows are brought forward at once."""
    if not 1 <= level <= 5:
        raise InvalidInput(_("The level must be 1 to 5."), details={"field": "level"})
    if ends_at <= starts_at:
        raise InvalidInput(_("The range must end after it starts."), details={"field": "ends_at"})
    now = clock.now()
    with transaction.atomic():
        danger = DangerLevel.objects.create(
            region=region, level=level, starts_at=starts_at, ends_at=ends_at, set_by=actor, created_at=now
        )
        audit_record(actor=actor, action="watch.danger_level_set", target=danger, details={"level": level})
    forget("watch-danger")
    for post in (
        Post.objects.filter(unit__region__path__startswith=region.path, is_active=True)
        .exclude(state=PostState.PAUSED)
        .select_related("unit__region", "plan")
    ):
        if post.next_due_at is None or post.next_due_at <= now:
            continue
        due = min(post.next_due_at, slot_at(post_rules(post), now).end)
        if due < post.next_due_at:
            Post.objects.filter(pk=post.pk, revision=post.revision).update(
                next_due_at=due, alert_at=due, revision=F("revision") + 1
            )
    return danger
