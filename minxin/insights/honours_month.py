"""A month of the competition in a region, for the monthly competition report: the rounds frozen in the
month (ranking, points per dimension), the flags they awarded, red flags that moved, black flags removed
and titles that changed.

Ranking rows come through `competition.selectors.round_scores`. The competition has no selector yet
for "what happened in a month", so the four small reads below query its models directly, read-only
(`rounds_frozen_between`, `previous_frozen_round`, `flags_removed_between`, `title_events_between`);
they are meant to move into `minxin/competition/selectors.py` as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from minxin.core import clock
from minxin.insights.honours import SHAPES, _round_label
from minxin.insights.selectors import month_add, month_start
from minxin.orgs.models import Region

PDF_ROWS = 30


def _covering(region: Region) -> Q:
    above = [region.path[: i + 1] for i, char in enumerate(region.path) if char == "/"]
    return Q(region__path__startswith=region.path) | Q(region__path__in=above)


def rounds_frozen_between(*, region: Region, start: dt.datetime, end: dt.datetime) -> list[Any]:
    from minxin.competition.models import Round

    return list(
        Round.objects.filter(
            _covering(region), status=Round.Status.FROZEN, frozen_at__gte=start, frozen_at__lt=end
        )
        .select_related("region", "rubric")
        .order_by("category", "region__path", "period_start")
    )


def previous_frozen_round(*, round: Any) -> Any:
    from minxin.competition.models import Round

    return (
        Round.objects.filter(
            region=round.region,
            category=round.category,
            status=Round.Status.FROZEN,
            period_start__lt=round.period_start,
        )
        .order_by("-period_start")
        .first()
    )


def flags_of_rounds(*, rounds: list[Any], region: Region) -> list[Any]:
    from minxin.competition.models import FlagAward

    return list(
        FlagAward.objects.filter(round__in=rounds, unit__region__path__startswith=region.path)
        .select_related("unit__region")
        .order_by("round_id", "colour", "rank")
    )


def flags_removed_between(*, region: Region, start: dt.datetime, end: dt.datetime) -> list[Any]:
    from minxin.competition.models import FlagAward

    return list(
        FlagAward.objects.filter(
            unit__region__path__startswith=region.path, removed_at__gte=start, removed_at__lt=end
        )
        .select_related("unit", "round__region")
        .order_by("removed_at")
    )


def title_events_between(*, region: Region, first: dt.date, last: dt.date) -> list[Any]:
    from minxin.competition.models import TitleEvent

    return list(
        TitleEvent.objects.filter(
            title__unit__region__path__startswith=region.path, decided_on__gte=first, decided_on__lte=last
        )
        .select_related("title__unit", "title__granted_by")
        .order_by("decided_on", "at", "id")
    )


@dataclass(slots=True)
class RoundBlock:
    round: Any
    label: str
    shape: str
    dimensions: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    units: int
    red: list[Any]
    black: list[Any]
    moved_in: list[str]
    moved_out: list[str]

    @property
    def pdf_rows(self) -> list[dict[str, Any]]:
        """The top of the ranking, and every flagged or vetoed unit below it."""
        return [
            row for index, row in enumerate(self.rows) if index < PDF_ROWS or row["flag"] or row["vetoed"]
        ]


@dataclass(slots=True)
class CompetitionMonth:
    region: Region
    month: dt.date
    rounds: list[RoundBlock]
    removed: list[Any]
    titles: list[Any]
    generated_at: dt.datetime = field(default_factory=clock.now)

    @property
    def is_empty(self) -> bool:
        return not (self.rounds or self.removed or self.titles)

    @property
    def awarded(self) -> tuple[int, int]:
        return sum(len(b.red) for b in self.rounds), sum(len(b.black) for b in self.rounds)


def _score_rows(round: Any, region: Region, dims: list[tuple[str, str]], flags: dict[int, str]) -> list[Any]:
    from minxin.competition.selectors import round_scores

    rows = []
    for score in round_scores(round=round).filter(unit__region__path__startswith=region.path):
        parts = score.breakdown.get("dimensions", {})
        rows.append(
            {
                "rank": score.rank,
                "unit": score.unit.name,
                "city": score.unit.region.name,
                "total": score.total,
                "standard": score.standard_points,
                "bonus": score.bonus_points,
                "deductions": score.deductions,
                "dimensions": [parts.get(code, "") for code, _name in dims],
                "vetoed": score.vetoed,
                "flag": flags.get(score.unit_id, ""),
            }
        )
    return rows


def _block(round: Any, region: Region, flags: list[Any]) -> RoundBlock:
    dims = [
        (d.code, d.name) for d in round.rubric.dimensions.exclude(code="bonus").order_by("position", "id")
    ]
    mine = [flag for flag in flags if flag.round_id == round.pk]
    red = [flag for flag in mine if flag.colour == "red"]
    black = [flag for flag in mine if flag.colour == "black"]
    before = previous_frozen_round(round=round)
    old: dict[int, str] = {}
    if before is not None:
        old = {
            f.unit_id: f.unit.name
            for f in flags_of_rounds(rounds=[before], region=region)
            if f.colour == "red"
        }
    new = {flag.unit_id: flag.unit.name for flag in red}
    return RoundBlock(
        round=round,
        label=_round_label(round),
        shape=SHAPES[round.category][0],
        dimensions=dims,
        rows=_score_rows(round, region, dims, {flag.unit_id: flag.colour for flag in mine}),
        units=0,
        red=red,
        black=black,
        moved_in=sorted(name for pk, name in new.items() if pk not in old) if before else [],
        moved_out=sorted(name for pk, name in old.items() if pk not in new),
    )


def competition_month(*, region: Region, month: dt.date) -> CompetitionMonth:
    """Everything the monthly competition report prints (a few queries per round frozen in the month)."""
    month = month_start(month)
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(month_add(month, 1), dt.time(), tzinfo=zone)
    rounds = rounds_frozen_between(region=region, start=start, end=end)
    flags = flags_of_rounds(rounds=rounds, region=region) if rounds else []
    blocks = []
    for round in rounds:
        block = _block(round, region, flags)
        block.units = len(block.rows)
        blocks.append(block)
    return CompetitionMonth(
        region=region,
        month=month,
        rounds=blocks,
        removed=flags_removed_between(region=region, start=start, end=end),
        titles=title_events_between(
            region=region, first=month, last=month_add(month, 1) - dt.timedelta(days=1)
        ),
    )
