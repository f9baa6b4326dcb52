"""Demo: Saihanba's lookout posts: towers, duty plans, a week of check-ins, an escalation, a fire.

Built through the app's own services where time allows it (posts, plans, today's fire); the week
before today is history, written as rows in one go (a service cannot be called "a week ago"), with the
same slot arithmetic the services use. `load` is idempotent (loading twice changes nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from minxin.accounts.models import Role, User
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.demo.city import _grant, _user
from minxin.orgs.models import Unit
from minxin.watch.geo import Point, inverse
from minxin.watch.models import (
    CheckIn,
    DutyPlan,
    Escalation,
    FireIncident,
    Flip,
    MissedSlot,
    Notice,
    Post,
    PostState,
)
from minxin.watch.schedule import Slot, slot_at, slots_between
from minxin.watch.selectors import post_rules
from minxin.watch.services import (
    Report,
    check_in_record,
    duty_plan_create,
    fire_incident_acknowledge,
    fire_incident_close,
    post_create,
    post_staff_assign,
)

PLAN_NAME = "塞罕坝机械林场望海楼值守计划"
ZONE = "Asia/Shanghai"
# Name, latitude, longitude, elevation (m), radio channel: spread over the forest farm (Weichang county).
TOWERS = (
    ("大光顶子山望海楼", 42.4053, 117.2492, 1940, "3"),
    ("亮兵台望海楼", 42.4722, 117.3310, 1620, "3"),
    ("马蹄坑望海楼", 42.3586, 117.1628, 1720, "5"),
    ("北曼甸望海楼", 42.5614, 117.2185, 1580, "5"),
    ("千层板望海楼", 42.3207, 117.3893, 1650, "7"),
    ("阴河望海楼", 42.5312, 117.4526, 1540, "7"),
    ("三道河口望海楼", 42.4410, 117.1215, 1690, "9"),
    ("大唤起望海楼", 42.5896, 117.3580, 1600, "9"),
)
COUPLES = (
    ("刘军", "齐淑艳"), ("王建", "李秀华"), ("赵福", "孙桂兰"), ("陈国", "周玉梅"),
    ("杨林", "吴凤英"), ("郑海", "王淑琴"), ("黄河", "林秀英"), ("张山", "何桂芝"),
)  # fmt: skip
HISTORY_DAYS = 7
FIRE_SPOT = Point(42.4391, 117.2872)  # between 大光顶子山 and 亮兵台
_rng = random.Random(16)  # noqa: S311 - demo data, not security


def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    unit = Unit.objects.filter(name="河北省塞罕坝机械林场").select_related("region").first()
    if unit is None:
        return ""
    if DutyPlan.objects.filter(name=PLAN_NAME).exists():
        return f"watch: {Post.objects.filter(unit=unit).count()} towers already loaded"
    command = User.objects.get(username="command")
    lookout = User.objects.get(username="lookout")
    now = clock.now()
    with transaction.atomic():
        plan = duty_plan_create(
            name=PLAN_NAME,
            unit=unit,
            season_day_minutes=15,
            season_night_minutes=60,
            day_minutes=60,
            night_minutes=60,
            daylight=DutyPlan.Daylight.SOLAR,
            grace_minutes=5,
            seasons=[("春季防火期", 3, 15, 6, 15), ("秋季防火期", 9, 15, 12, 15)],
        )
        posts = []
        for index, (name, lat, lon, elevation, channel) in enumerate(TOWERS):
            post = post_create(
                name=name,
                unit=unit,
                plan=plan,
                lat=lat,
                lon=lon,
                elevation_m=elevation,
                time_zone=ZONE,
                phone=f"1390314{index:04d}",
                radio_channel=channel,
            )
            Post.objects.filter(pk=post.pk).update(created_at=now - dt.timedelta(days=HISTORY_DAYS + 1))
            post.created_at = now - dt.timedelta(days=HISTORY_DAYS + 1)
            husband, wife = COUPLES[index]
            for username, display, shift in (
                (f"tower{index + 1}a", husband, "day"),
                (f"tower{index + 1}b", wife, "night"),
            ):
                user = _user(username, display)
                _grant(user, Role.LOOKOUT_STAFF, unit=unit)
                post_staff_assign(post=post, user=user, shift=shift)
            posts.append(post)
        post_staff_assign(post=posts[0], user=lookout)
        escalated = _history(posts, now=now, command=command)
    fire = _fire_history(posts, now=now, command=command)
    live = _fire_now(posts, now=now, command=command)
    return (
        f"watch: {len(posts)} towers at Saihanba, {CheckIn.objects.filter(post__unit=unit).count()} "
        f"check-ins in {HISTORY_DAYS} days, escalation at {escalated}, "
        f"fires {fire} (closed) and {live} (open)"
    )


@dataclass(frozen=True)
class _Outage:
    """The tower out of touch: its post and the local times its reports stopped and resumed."""

    post: Post
    since: dt.datetime
    until: dt.datetime


def _history(posts: list[Post], *, now: dt.datetime, command: User) -> str:
    """A week of check-ins: most slots reported a few minutes in, some observations, a few missed; one
    tower out of touch for three slots two days ago, escalated and acknowledged by the command centre."""
    zone = ZoneInfo(ZONE)
    outage_day = (now - dt.timedelta(days=2)).astimezone(zone).date()
    outage_from = dt.datetime.combine(outage_day, dt.time(14, 0), tzinfo=zone)
    outage = _Outage(post=posts[3], since=outage_from, until=outage_from + dt.timedelta(minutes=45))
    for post in posts:
        _post_history(post, now=now, outage=outage)
    _escalation(outage, command=command)
    return f"{outage.post.name} {outage.since:%m-%d %H:%M}"


def _post_history(post: Post, *, now: dt.datetime, outage: _Outage) -> None:
    """One tower's week: a check-in for each slot but the missed ones, then the post is up to date."""
    zone = ZoneInfo(ZONE)
    rules = post_rules(post)
    current = slot_at(rules, now)
    check_ins: list[CheckIn] = []
    missed: list[MissedSlot] = []
    for slot in slots_between(rules, now - dt.timedelta(days=HISTORY_DAYS), current.start):
        in_outage = post is outage.post and outage.since <= slot.start < outage.until
        if in_outage or _rng.random() < 0.012:
            local_date = slot.start.astimezone(zone).date()
            missed.append(
                MissedSlot(post=post, slot_start=slot.start, slot_end=slot.end, local_date=local_date)
            )
            continue
        check_ins.append(_check_in(post, slot))
    CheckIn.objects.bulk_create(check_ins, batch_size=1000)
    MissedSlot.objects.bulk_create(missed, batch_size=1000)
    last = max(c.made_at for c in check_ins)
    Post.objects.filter(pk=post.pk).update(
        last_check_in_at=last, next_due_at=current.end, alert_at=current.end, state=PostState.UP
    )


def _check_in(post: Post, slot: Slot) -> CheckIn:
    """A report a few minutes into its slot, now and then with an observation."""
    span = (slot.end - slot.start).total_seconds()
    made = slot.start + dt.timedelta(seconds=_rng.uniform(0.05, 0.7) * span)
    observation = _rng.random() < 0.03
    return CheckIn(
        post=post,
        status="observation" if observation else "normal",
        channel="app" if _rng.random() < 0.85 else "radio",
        made_at=made,
        received_at=made + dt.timedelta(seconds=_rng.randint(1, 20)),
        slot_start=slot.start,
        slot_end=slot.end,
        weather=_rng.choice(["clear", "clear", "cloudy", "overcast", "fog"]),
        wind=_rng.choice(["西北 2级", "西北 3级", "北 2级", "西南 1级", "东北 3级"]),
        visibility_m=_rng.choice([8000, 15000, 20000, 30000]),
        note=_rng.choice(["东北方向有雾", "西南方向有烟，系村民烧荒，已核实", "雷阵雨"])
        if observation
        else "",
    )


def _escalation(outage: _Outage, *, command: User) -> None:
    """Missed at 14:20, stage 1 (the farm's lookout staff) at 14:30, acknowledged at 14:34."""
    post = outage.post
    grace = dt.timedelta(minutes=5)
    deadline = outage.since + dt.timedelta(minutes=15)
    opened = deadline + grace
    back = outage.until + dt.timedelta(minutes=3)
    escalation = Escalation.objects.create(
        post=post,
        opened_at=opened,
        stages_done=2,
        acknowledged_at=opened + dt.timedelta(minutes=14),
        acknowledged_by=command,
        ack_note="电台联系上：对讲机电池耗尽，已换",
        closed_at=back,
    )
    steps = (
        (deadline, "up", "late", "deadline"),
        (opened, "late", "missed", "grace"),
        (opened + dt.timedelta(minutes=10), "missed", "escalated", "stage"),
        (back, "escalated", "up", "check-in"),
    )
    flips = Flip.objects.bulk_create(
        [
            Flip(
                post=post,
                at=at,
                old_state=old,
                new_state=new,
                reason=why,
                escalation=escalation,
                created_at=at,
            )
            for at, old, new, why in steps
        ]
    )
    text = f"{post.name} 未按时报平安"
    Notice.objects.bulk_create(
        [
            Notice(flip=flips[1], address=post.phone, channel="sms", text=text, created_at=opened),
            Notice(flip=flips[2], recipient=command, channel="board", text=text, created_at=opened),
        ]
    )


def _fire_history(posts: list[Post], *, now: dt.datetime, command: User) -> str:
    """Three days ago, 13:40: two towers saw the same smoke; the spot was fixed by their bearings,
    acknowledged six minutes later and closed when the fire was out."""
    zone = ZoneInfo(ZONE)
    day = (now - dt.timedelta(days=3)).astimezone(zone).date()
    reported = dt.datetime.combine(day, dt.time(13, 40), tzinfo=zone)
    incident = FireIncident.objects.create(
        number=f"F{day.year}-0001", region=posts[0].unit.region, first_report_at=reported, status="closed",
        acknowledged_at=reported + dt.timedelta(minutes=6), acknowledged_by=command,
        closed_at=reported + dt.timedelta(hours=2, minutes=10), closed_by=command,
        closing_note="林场扑火队扑灭，过火面积约0.3公顷",
    )  # fmt: skip
    from minxin.core.numbering import counter_next

    counter_next(scope="watch-fire", key=str(day.year))
    for post, offset in ((posts[0], 0), (posts[1], 3)):
        _distance, bearing, _back = inverse(Point(post.lat, post.lon), FIRE_SPOT)
        made = reported + dt.timedelta(minutes=offset)
        CheckIn.objects.create(
            post=post, status="fire", channel="app", made_at=made, received_at=made + dt.timedelta(seconds=4),
            slot_start=slot_at(post_rules(post), made).start, slot_end=slot_at(post_rules(post), made).end,
            bearing_deg=round(bearing, 1), smoke_colour="grey", spread="slow", wind="西北 3级",
            incident=incident,
        )  # fmt: skip
    from minxin.watch.services import incident_estimate

    incident_estimate(incident=incident)
    return incident.number


def _fire_now(posts: list[Post], *, now: dt.datetime, command: User) -> str:
    """Smoke seen a few minutes ago from two towers, through the services: the board shows its rays
    and its spot; the command centre has acknowledged it."""
    spot = Point(42.5180, 117.3790)
    incident_id = None
    for post in (posts[1], posts[5]):
        _distance, bearing, _back = inverse(Point(post.lat, post.lon), spot)
        recorded = check_in_record(
            post=post,
            report=Report(
                status="fire",
                bearing_deg=round(bearing, 1),
                smoke_colour="white",
                spread="slow",
                wind="西北 2级",
            ),
            channel="app",
            made_at=now - dt.timedelta(minutes=4),
        )
        incident_id = recorded.check_in.incident_id
    incident = FireIncident.objects.get(pk=incident_id or 0)
    with contextlib.suppress(DomainError):
        fire_incident_acknowledge(incident=incident, actor=command)
    return incident.number


def simulate_step() -> int:
    """Keep the towers reporting: each reports once per slot at a minute of its own, about one slot in
    sixty goes unreported (so the board shows late and missed posts and the worker escalates), now and
    then an observation. Open fires are closed an hour after they were reported."""
    done = 0
    now = clock.now()
    for post in Post.objects.filter(plan__name=PLAN_NAME, is_active=True).select_related(
        "unit__region", "plan"
    ):
        if post.state == PostState.PAUSED:
            continue
        rules = post_rules(post)
        slot = slot_at(rules, now)
        seed = int(hashlib.sha256(f"{post.pk}:{slot.start.isoformat()}".encode()).hexdigest()[:8], 16)
        if seed % 60 == 0:
            continue  # this slot goes unreported
        report_at = slot.start + (slot.end - slot.start) * ((seed % 1000) / 1000 * 0.6 + 0.05)
        if (
            now < report_at
            or CheckIn.objects.filter(post=post, slot_start__gte=slot.start, made_at__gte=slot.start).exists()
        ):
            continue
        observation = seed % 37 == 0
        check_in_record(
            post=post,
            report=Report(
                status="observation" if observation else "normal",
                note="东北方向有雾" if observation else "",
                weather="clear",
                wind="西北 2级",
                visibility_m=20000,
            ),
            channel="app",
        )
        done += 1
    command = User.objects.filter(username="command").first()
    if command is not None:
        for incident in FireIncident.objects.filter(
            status="open", first_report_at__lt=now - dt.timedelta(hours=1)
        ):
            try:
                fire_incident_close(incident=incident, actor=command, note="已扑灭（演示）")
                done += 1
            except DomainError:
                pass
    return done
