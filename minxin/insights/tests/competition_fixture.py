"""A small competition, written row by row (as the competition's services would leave it), so the
dashboards' figures can be computed by hand:

- administration, province rounds: September (frozen 8 October): red 石家庄 tax bureau (sjz);
  October (frozen 10 November): 1. qhd office 95.50 (environment 45.50, service 50.00) red;
  2. sjz 88.00 (40.00, 48.00) black.
- law enforcement, Qinhuangdao round of October (frozen 12 November): 1. 秦皇岛市市场监管综合执法支队
  92.00 red.
- service, province round of September (frozen 9 October): 石家庄12345热线 black, removed 20 November.
- title 省级文明单位 of the qhd office, granted on 15 November.

By hand: red flags now ■ qhd office (秦皇岛) and ▲ 执法支队 (秦皇岛); black flags still held: 1 (sjz);
ranking of the latest frozen round: the administration October round (province-wide, so before the
city's enforcement round of the same period). November's competition report (province): 2 rounds
frozen, 2 red and 1 black flag awarded, the administration red flag moved from sjz to qhd, 1 black
flag removed, 1 title change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@dataclass
class Competition:
    admin_october: Any
    enforcement: Any
    enforcement_unit: Any
    service_unit: Any


def _rubric(code: str, category: str) -> Any:
    from minxin.competition.models import Dimension, Rubric

    rubric = Rubric.objects.create(
        code=code, name=f"{code} 测评", category=category, created_at=_at(dt.date(2026, 8, 1))
    )
    Dimension.objects.create(rubric=rubric, code="env", name="环境", position=1)
    Dimension.objects.create(rubric=rubric, code="service", name="服务", position=2)
    return rubric


def _round(rubric: Any, region: Any, category: str, month: int, frozen: dt.date) -> Any:
    from minxin.competition.models import Round

    start = dt.date(2026, month, 1)
    end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
    return Round.objects.create(
        rubric=rubric,
        region=region,
        category=category,
        period_start=start,
        period_end=end,
        status=Round.Status.FROZEN,
        opened_at=_at(start),
        computed_at=_at(frozen, 9),
        frozen_at=_at(frozen),
    )


def _score(round: Any, unit: Any, rank: int, total: str, env: str, service: str) -> None:
    from minxin.competition.models import UnitScore

    UnitScore.objects.create(
        round=round,
        unit=unit,
        standard_points=Decimal(total),
        total=Decimal(total),
        rank=rank,
        breakdown={"indicators": {}, "dimensions": {"env": env, "service": service}},
        computed_at=round.computed_at,
    )


def _flag(round: Any, unit: Any, colour: str, rank: int, total: str, removed: dt.date | None = None) -> None:
    from minxin.competition.models import FlagAward

    FlagAward.objects.create(
        round=round,
        unit=unit,
        colour=colour,
        rank=rank,
        total=Decimal(total),
        reason="test",
        awarded_at=round.frozen_at,
        removed_at=_at(removed) if removed else None,
    )


def competition_make(cast: Any) -> Competition:
    from minxin.competition.models import Title, TitleEvent
    from minxin.orgs.services import unit_create

    qhd, sjz = cast.hall.unit, cast.other_hall.unit
    enforcement_unit = unit_create(
        name="秦皇岛市市场监管综合执法支队", kind="organ", flag_category="enforcement", region=cast.qhd_city
    )
    service_unit = unit_create(
        name="石家庄12345热线", kind="organ", flag_category="service", region=cast.sjz_city
    )
    admin = _rubric("admin", "administration")
    september = _round(admin, cast.province, "administration", 9, dt.date(2026, 10, 8))
    _score(september, sjz, 1, "91.00", "44.00", "47.00")
    _score(september, qhd, 2, "86.00", "40.00", "46.00")
    _flag(september, sjz, "red", 1, "91.00")
    october = _round(admin, cast.province, "administration", 10, dt.date(2026, 11, 10))
    _score(october, qhd, 1, "95.50", "45.50", "50.00")
    _score(october, sjz, 2, "88.00", "40.00", "48.00")
    _flag(october, qhd, "red", 1, "95.50")
    _flag(october, sjz, "black", 2, "88.00")
    enforcement = _round(
        _rubric("enf", "enforcement"), cast.qhd_city, "enforcement", 10, dt.date(2026, 11, 12)
    )
    _score(enforcement, enforcement_unit, 1, "92.00", "45.00", "47.00")
    _flag(enforcement, enforcement_unit, "red", 1, "92.00")
    service = _round(_rubric("svc", "service"), cast.province, "service", 9, dt.date(2026, 10, 9))
    _score(service, service_unit, 1, "60.00", "30.00", "30.00")
    _flag(service, service_unit, "black", 1, "60.00", removed=dt.date(2026, 11, 20))
    title = Title.objects.create(
        unit=qhd,
        name="省级文明单位",
        granted_by=cast.province,
        granted_on=dt.date(2026, 11, 15),
        status="granted",
    )
    TitleEvent.objects.create(
        title=title,
        step="granted",
        decision="省文明委授予",
        decided_on=dt.date(2026, 11, 15),
        at=_at(dt.date(2026, 11, 15)),
    )
    return Competition(october, enforcement, enforcement_unit, service_unit)
