"""A competition for the insights seed: per city one unit of each flag category, and for each category
two frozen province rounds (the month before `today` and the one before it) with scores per dimension,
red flags for the top three and a black flag for the last — as the competition's services leave them
(rows written directly: the seed is about what the dashboards read, not about scoring)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIMENSIONS = (("env", "环境"), ("service", "服务"), ("manage", "管理"))
NAMES = {
    "administration": "行政审批局",
    "enforcement": "市场监管综合执法支队",
    "service": "12345政务服务便民热线",
}


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _units(province: Any, cities: list[Any]) -> dict[str, list[Any]]:
    from minxin.orgs.models import Unit
    from minxin.orgs.services import unit_create

    units: dict[str, list[Any]] = {}
    for category, suffix in NAMES.items():
        for city in cities:
            name = f"{city.name}{suffix}"
            unit = Unit.objects.filter(name=name, region=city).first() or unit_create(
                name=name, kind="organ", flag_category=category, region=city
            )
            units.setdefault(category, []).append(unit)
    return units


def _round(province: Any, rubric: Any, category: str, start: dt.date) -> Any:
    from minxin.competition.models import Round

    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    frozen = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(10), tzinfo=SHANGHAI)
    return Round.objects.create(
        rubric=rubric,
        region=province,
        category=category,
        period_start=start,
        period_end=end,
        status="frozen",
        opened_at=frozen - dt.timedelta(days=40),
        computed_at=frozen - dt.timedelta(days=3),
        frozen_at=frozen,
    )


def _scores(round: Any, units: list[Any], rng: random.Random) -> None:
    from minxin.competition.models import FlagAward, UnitScore

    totals = sorted(((Decimal(rng.randint(7000, 9850)) / 100, unit) for unit in units), key=lambda r: -r[0])
    rows = []
    for rank, (total, unit) in enumerate(totals, start=1):
        env = (total * Decimal("0.3")).quantize(Decimal("0.01"))
        service = (total * Decimal("0.4")).quantize(Decimal("0.01"))
        dims = {"env": str(env), "service": str(service), "manage": str(total - env - service)}
        rows.append(
            UnitScore(
                round=round,
                unit=unit,
                standard_points=total,
                total=total,
                rank=rank,
                breakdown={"indicators": {}, "dimensions": dims},
                computed_at=round.computed_at,
            )
        )
    UnitScore.objects.bulk_create(rows)
    flags = [(rows[index], "red") for index in range(min(3, len(rows)))] + [(rows[-1], "black")]
    FlagAward.objects.bulk_create(
        FlagAward(
            round=round,
            unit=row.unit,
            colour=colour,
            rank=row.rank,
            total=row.total,
            reason="seed",
            awarded_at=round.frozen_at,
        )
        for row, colour in flags
    )


def competition_seed(*, province: Any, cities: list[Any], today: dt.date) -> int:
    """Two frozen rounds per category (idempotent: nothing when the province already has rounds)."""
    from minxin.competition.models import Dimension, Round, Rubric

    if Round.objects.filter(region=province).exists():
        return 0
    rng = random.Random(7)
    units = _units(province, cities)
    made = 0
    last = _month_before(today)
    for category in NAMES:
        rubric = Rubric.objects.create(
            code=f"seed-{category}",
            name="文明单位测评细则",
            category=category,
            created_at=dt.datetime.combine(last, dt.time(), tzinfo=SHANGHAI) - dt.timedelta(days=90),
        )
        for position, (code, name) in enumerate(DIMENSIONS):
            Dimension.objects.create(rubric=rubric, code=code, name=name, position=position)
        for start in (_month_before(last), last):
            _scores(_round(province, rubric, category, start), units[category], rng)
            made += 1
    return made
