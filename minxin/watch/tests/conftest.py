"""The watch's cast: Chengde (130800) holds Saihanba's forest farm with towers 大光顶子山 and 亮兵台
(23 km apart); lena keeps the towers (lookout staff of the farm), carl is Chengde's command centre,
olga is the command centre of Zhangjiakou and must be refused at Saihanba's posts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

# Wednesday 2026-04-15, 10:00 in Shanghai: fire season, by day (15-minute slots).
SEASON_DAY = dt.datetime(2026, 4, 15, 2, 0, tzinfo=dt.UTC)


@dataclass
class Watch:
    region: Any
    other_region: Any
    unit: Any
    plan: Any
    tower: Any
    tower2: Any
    lena: Any
    carl: Any
    olga: Any


@pytest.fixture
def notices(settings: Any) -> Any:
    from minxin.watch.notices import LocmemNoticeBackend

    settings.WATCH_NOTICE_BACKEND = "minxin.watch.notices.LocmemNoticeBackend"
    LocmemNoticeBackend.outbox.clear()
    yield LocmemNoticeBackend.outbox
    LocmemNoticeBackend.outbox.clear()


@pytest.fixture
def at_season_day() -> Any:
    import time_machine

    with time_machine.travel(SEASON_DAY, tick=False) as traveller:
        yield traveller


def build_watch() -> Watch:
    from minxin.accounts.models import Role, User
    from minxin.orgs.models import Region
    from minxin.orgs.services import membership_grant, region_create, unit_create
    from minxin.watch.services import duty_plan_create, post_create, post_staff_assign

    province = Region.objects.filter(code="130000").first() or region_create(
        code="130000", name="河北省", level="province"
    )
    chengde = region_create(code="130800", name="承德市", level="city", parent=province)
    zjk = region_create(code="130700", name="张家口市", level="city", parent=province)
    unit = unit_create(name="河北省塞罕坝机械林场", kind="utility", flag_category="service", region=chengde)
    plan = duty_plan_create(
        name="塞罕坝防火期",
        unit=unit,
        season_day_minutes=15,
        season_night_minutes=60,
        day_minutes=60,
        night_minutes=120,
        day_starts=dt.time(6),
        day_ends=dt.time(19),
        grace_minutes=5,
        seasons=[("春季防火期", 3, 15, 6, 15), ("秋季防火期", 9, 15, 12, 15)],
    )
    tower = post_create(
        name="大光顶子山望海楼",
        unit=unit,
        plan=plan,
        lat=42.40,
        lon=117.20,
        elevation_m=1940,
        phone="13800000001",
    )
    tower2 = post_create(name="亮兵台望海楼", unit=unit, plan=plan, lat=42.50, lon=117.45, elevation_m=1650)

    def user(name: str) -> Any:
        return User.objects.create_user(username=name, password=f"{name}-pass-123", display_name=name.title())

    lena, carl, olga = user("lena"), user("carl"), user("olga")
    membership_grant(user=lena, role=Role.LOOKOUT_STAFF, unit=unit)
    membership_grant(user=carl, role=Role.COMMAND_CENTRE, region=chengde)
    membership_grant(user=olga, role=Role.COMMAND_CENTRE, region=zjk)
    post_staff_assign(post=tower, user=lena)
    return Watch(
        region=chengde,
        other_region=zjk,
        unit=unit,
        plan=plan,
        tower=tower,
        tower2=tower2,
        lena=lena,
        carl=carl,
        olga=olga,
    )


@pytest.fixture
def watch(db: Any, at_season_day: Any) -> Watch:
    return build_watch()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any) -> Any:
    """The worker's job, with what it sends after commit delivered (tests run inside a transaction)."""
    from minxin.watch.services import posts_sweep

    def run() -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return posts_sweep()

    return run
