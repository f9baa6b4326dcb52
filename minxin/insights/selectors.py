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
from minxin.core.memo import memo
from minxin.insights.figures import ROW_FIELDS, Figures, percent
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


@dataclass(frozen=True, slots=True)
class HallRef:
    """What a dashboard shows of a hall: read as a tuple, not a model (a province has thousands)."""

    pk: int
    code: str
    name: str
    region_name: str
    region_path: str
    time_zone: str


def hall_refs_of_region(region: Region) -> list[HallRef]:
    rows = (
        Hall.objects.filter(is_active=True, unit__region__path__startswith=region.path)
        .order_by("unit__region__path", "name")
        .values_list("pk", "code", "name", "unit__region__name", "unit__region__path", "time_zone")
    )
    return [HallRef(*row) for row in rows]


@dataclass(slots=True)
class HallLine:
    hall: HallRef
    city_code: str
    month: Figures
    today: Figures
    previous: Figures
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

    @property
    def shown_lines(self) -> list[HallLine]:
        """The halls a page lists: all of a city's; a province's longest waits first, at most
        PAGE_HALLS (the export has every hall, each city's page too)."""
        if len(self.lines) <= PAGE_HALLS:
            return self.lines
        return sorted(self.lines, key=lambda line: -(line.month.wait_mean or 0))[:PAGE_HALLS]


PAGE_HALLS = 60
SUMMED = (
    "issued",
    "served",
    "no_show",
    "waited",
    "wait_seconds",
    "forecast_count",
    "forecast_seconds",
    "service_count",
    "service_seconds",
)


def _city_code_of(region_path: str, child_codes: dict[str, str]) -> str:
    for path, code in child_codes.items():
        if region_path.startswith(path):
            return code
    return ""


def month_trend(*, hall_ids: list[int], months: list[dt.date]) -> list[Figures]:
    """Month by month sums of the halls' month rows, summed by the database (one query; no p90, which
    needs the histograms: the current month's is merged from the halls' rows instead)."""
    sums = {
        row["month"]: row
        for row in HallMonthStats.objects.filter(
            hall_id__in=hall_ids, month__gte=months[0], month__lte=months[-1]
        )
        .values("month")
        .annotate(**{name: Sum(name) for name in SUMMED})
    }
    trend = []
    for month in months:
        figures = Figures()
        for name in SUMMED:
            setattr(figures, name, (sums.get(month) or {}).get(name) or 0)
        trend.append(figures)
    return trend


def region_view(*, region: Region, month: dt.date | None = None) -> RegionView:
    """Every hall of `region` side by side: the month's figures against the month before, today's,
    windows open and numbers waiting now; twelve months of trend; each child region's sums. Seven
    queries whatever the number of halls."""
    today = province_today()
    month = month_start(month or today)
    halls = hall_refs_of_region(region)
    hall_ids = [hall.pk for hall in halls]
    months = [month_add(month, index - (TREND_MONTHS - 1)) for index in range(TREND_MONTHS)]
    before_month = month_add(month, -1)
    by_month = _month_figures(hall_ids, month, before_month)
    today_rows = _day_sums(hall_ids, today)
    open_windows = open_windows_by_hall(hall_ids)
    waiting = waiting_by_hall(hall_ids, today)
    children = list(region.children.order_by("code"))
    child_paths = {child.path: child.code for child in children}
    lines = [
        HallLine(
            hall=hall,
            city_code=_city_code_of(hall.region_path, child_paths),
            month=by_month.get((hall.pk, month)) or Figures(),
            today=today_rows.get(hall.pk) or Figures(),
            previous=by_month.get((hall.pk, before_month)) or Figures(),
            windows_open=open_windows.get(hall.pk, 0),
            waiting_now=max(0, waiting.get(hall.pk) or 0),
        )
        for hall in halls
    ]
    trend = month_trend(hall_ids=hall_ids, months=months)
    child_rows, total_month = _children_sums(children, lines)
    trend[-1] = total_month  # the current month with its merged histogram (p90)
    return RegionView(
        region=region,
        month=month,
        today=today,
        lines=lines,
        months=months,
        trend=trend,
        total_month=total_month,
        total_today=_sum_all(line.today for line in lines),
        children=child_rows,
    )


def _month_figures(
    hall_ids: list[int], month: dt.date, before_month: dt.date
) -> dict[tuple[int, dt.date], Figures]:
    """Each hall's figures of the month and of the month before. Only this month's rows carry their
    histogram (p90); last month needs sums alone, and a province reads thousands of rows."""
    by_month: dict[tuple[int, dt.date], Figures] = {
        (row[0], month): Figures.from_values(row[1:])
        for row in HallMonthStats.objects.filter(hall_id__in=hall_ids, month=month).values_list(
            "hall_id", *ROW_FIELDS
        )
    }
    for row in HallMonthStats.objects.filter(hall_id__in=hall_ids, month=before_month).values_list(
        "hall_id", *ROW_FIELDS[:-1]
    ):
        by_month[(row[0], before_month)] = Figures.from_values((*row[1:], None))
    return by_month


def _day_sums(hall_ids: list[int], day: dt.date) -> dict[int, Figures]:
    """Each hall's sums of the day (without the histogram)."""
    return {
        row[0]: Figures.from_values((*row[1:], None))
        for row in HallDayStats.objects.filter(hall_id__in=hall_ids, service_date=day).values_list(
            "hall_id", *ROW_FIELDS[:-1]
        )
    }


def open_windows_by_hall(hall_ids: list[int]) -> dict[int, int]:
    """The windows open now, by hall id."""
    return dict(
        WindowState.objects.filter(window__hall_id__in=hall_ids, status=WindowState.Status.OPEN)
        .values_list("window__hall_id")
        .annotate(count=Count("id"))
    )


def waiting_by_hall(hall_ids: list[int], day: dt.date) -> dict[int, int]:
    """Numbers issued and not yet gone on `day`, by hall id (may be negative in a queue's counters:
    callers clamp at zero)."""
    return dict(
        QueueDay.objects.filter(queue__hall_id__in=hall_ids, service_date=day)
        .values_list("queue__hall_id")
        .annotate(count=Sum(F("issued") - F("departed")))
    )


def _children_sums(
    children: list[Region], lines: list[HallLine]
) -> tuple[list[tuple[Region, Figures, Figures]], Figures]:
    """Each child region's month and today, and the region's month: its children's sums (a handful of
    histogram merges, not one per hall) plus its halls outside any child."""
    by_child: dict[str, list[HallLine]] = defaultdict(list)
    for line in lines:
        by_child[line.city_code].append(line)
    child_rows = [
        (
            child,
            _sum_all(line.month for line in by_child[child.code]),
            _sum_all(line.today for line in by_child[child.code]),
        )
        for child in children
    ]
    total_month = _sum_all(
        [month_sum for _child, month_sum, _today in child_rows] + [line.month for line in by_child[""]]
    )
    return child_rows, total_month


def _sum_all(items: Any) -> Figures:
    total = Figures()
    for figures in items:
        total.add(figures)
    return total


def reports_of_hall(*, hall: Hall, limit: int = 24) -> list[Report]:
    return list(Report.objects.filter(hall=hall).defer("content").order_by("-month", "kind", "fmt")[:limit])


def rate(part: int, whole: int) -> Any:
    return percent(part, whole)


def regions_with_halls() -> list[Region]:
    return list(Region.objects.filter(Q(level=Region.Level.CITY)).order_by("code"))


def region_view_cached(*, region: Region, month: dt.date | None = None) -> RegionView:
    """`region_view`, kept per process for one aggregates cycle: its figures cannot change faster than
    the worker refreshes them, and a province's view (thousands of halls) costs a few hundred
    milliseconds to build, which the first request of each cycle pays alone."""
    key_month = month_start(month or province_today())
    return memo(
        ("insights-region", region.pk, key_month),
        settings.INSIGHTS_AGGREGATE_EVERY_SECONDS,
        lambda: region_view(region=region, month=key_month),
    )
