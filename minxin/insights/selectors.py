"""Reads of the dashboards: who may see which region, and the figures of a region's halls from the
aggregate tables (never from raw tickets). Each function issues a fixed number of queries, whatever the
number of halls or days (asserted in the tests)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum

from minxin.accounts.models import Role, User
from minxin.core import clock
from minxin.insights.figures import Figures, percent
from minxin.insights.models import HallDayStats, HallMonthStats, Report
from minxin.orgs.models import Hall, Region, StaffMembership
from minxin.queueing.models import QueueDay, WindowState

VIEWER_ROLES = (Role.CITY_OFFICE, Role.COMMAND_CENTRE, Role.ASSESSOR)
TREND_MONTHS = 12


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def province_today() -> dt.date:
    return clock.local_today(settings.TIME_ZONE)


def regions_for_staff(*, user: User) -> list[Region]:
    """The regions whose dashboards `user` may open: where they hold a viewing role (and everything
    under it), or every top region for a system administrator."""
    if not user.is_authenticated or not user.is_active:
        return []
    memberships = StaffMembership.objects.filter(user=user)
    if user.is_superuser or memberships.filter(role=Role.SYSTEM_ADMIN).exists():
        return list(Region.objects.filter(parent__isnull=True))
    return list(
        Region.objects.filter(
            pk__in=memberships.filter(role__in=VIEWER_ROLES, region__isnull=False).values("region")
        )
    )


def region_may_view(*, user: User, region: Region) -> bool:
    return any(region.path.startswith(held.path) for held in regions_for_staff(user=user))


def halls_of_region(region: Region) -> list[Hall]:
    return list(
        Hall.objects.filter(is_active=True, unit__region__path__startswith=region.path)
        .select_related("unit__region")
        .order_by("unit__region__path", "name")
    )


def city_of(hall: Hall) -> Region:
    """The city-level region above the hall (the hall's own region when none is a city)."""
    region: Region = hall.unit.region
    return region


@dataclass(slots=True)
class HallLine:
    hall: Hall
    city_code: str
    month: Figures
    today: Figures
    previous: Figures
    trend: list[Figures]
    windows_open: int = 0
    waiting_now: int = 0

    @property
    def wait_change(self) -> Any:
        if self.month.wait_mean is None or self.previous.wait_mean is None:
            return None
        return self.month.wait_mean - self.previous.wait_mean


@dataclass(slots=True)
class RegionView:
    region: Region
    month: dt.date
    today: dt.date
    lines: list[HallLine]
    months: list[dt.date]
    trend: list[Figures]
    total_month: Figures
    total_today: Figures
    children: list[tuple[Region, Figures, Figures]] = field(default_factory=list)

    @property
    def windows_open(self) -> int:
        return sum(line.windows_open for line in self.lines)

    @property
    def waiting_now(self) -> int:
        return sum(line.waiting_now for line in self.lines)


def _city_code_of(region_path: str, child_codes: dict[str, str]) -> str:
    for path, code in child_codes.items():
        if region_path.startswith(path):
            return code
    return ""


def region_view(*, region: Region, month: dt.date | None = None) -> RegionView:
    """Every hall of `region` side by side: the month's figures against the month before, today's,
    windows open and numbers waiting now, and twelve months of trend; and each child region's sums.
    Six queries whatever the number of halls."""
    today = province_today()
    month = month_start(month or today)
    first = month_add(month, -(TREND_MONTHS - 1))
    halls = halls_of_region(region)
    hall_ids = [hall.pk for hall in halls]
    months = [month_add(first, index) for index in range(TREND_MONTHS)]
    by_month: dict[tuple[int, dt.date], HallMonthStats] = {
        (row.hall_id, row.month): row
        for row in HallMonthStats.objects.filter(
            hall_id__in=hall_ids, month__gte=month_add(first, -1), month__lte=month
        )
    }
    today_rows = {
        row.hall_id: row for row in HallDayStats.objects.filter(hall_id__in=hall_ids, service_date=today)
    }
    open_windows = dict(
        WindowState.objects.filter(window__hall_id__in=hall_ids, status=WindowState.Status.OPEN)
        .values_list("window__hall_id")
        .annotate(count=Count("id"))
    )
    waiting = dict(
        QueueDay.objects.filter(queue__hall_id__in=hall_ids, service_date=today)
        .values_list("queue__hall_id")
        .annotate(count=Sum(F("issued") - F("departed")))
    )
    children = list(region.children.order_by("code"))
    child_paths = {child.path: child.code for child in children}
    lines = []
    for hall in halls:
        trend = [Figures.of([row] if (row := by_month.get((hall.pk, each))) else []) for each in months]
        lines.append(
            HallLine(
                hall=hall,
                city_code=_city_code_of(hall.unit.region.path, child_paths),
                month=trend[-1],
                today=Figures.of([today_rows[hall.pk]] if hall.pk in today_rows else []),
                previous=trend[-2] if len(trend) > 1 else Figures(),
                trend=trend,
                windows_open=open_windows.get(hall.pk, 0),
                waiting_now=max(0, waiting.get(hall.pk) or 0),
            )
        )
    trend_total = [Figures() for _ in months]
    for line in lines:
        for index, figures in enumerate(line.trend):
            _sum(trend_total[index], figures)
    child_rows = []
    for child in children:
        mine = [line for line in lines if line.city_code == child.code]
        child_rows.append(
            (child, _sum_all(line.month for line in mine), _sum_all(line.today for line in mine))
        )
    return RegionView(
        region=region,
        month=month,
        today=today,
        lines=lines,
        months=months,
        trend=trend_total,
        total_month=trend_total[-1],
        total_today=_sum_all(line.today for line in lines),
        children=child_rows,
    )


def _sum(target: Figures, other: Figures) -> Figures:
    target.add(other)
    return target


def _sum_all(items: Any) -> Figures:
    total = Figures()
    for figures in items:
        total.add(figures)
    return total


def daily_series(*, hall_ids: list[int], start: dt.date, end: dt.date) -> dict[dt.date, Figures]:
    """Day by day sums of the halls' day rows (one query)."""
    series: dict[dt.date, Figures] = defaultdict(Figures)
    for row in HallDayStats.objects.filter(
        hall_id__in=hall_ids, service_date__gte=start, service_date__lte=end
    ):
        series[row.service_date].add(row)
    return dict(sorted(series.items()))


def reports_of_hall(*, hall: Hall, limit: int = 24) -> list[Report]:
    return list(Report.objects.filter(hall=hall).defer("content").order_by("-month", "kind", "fmt")[:limit])


def rate(part: int, whole: int) -> Any:
    return percent(part, whole)


def regions_with_halls() -> list[Region]:
    return list(Region.objects.filter(Q(level=Region.Level.CITY)).order_by("code"))
