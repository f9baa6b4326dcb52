"""The wall screen's figures, precomputed: the worker recomputes each wall's payload every few seconds
from the aggregate tables and the queues' day counters, so a screen's refresh reads one row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from minxin.core import clock
from minxin.insights import modules
from minxin.insights.figures import ROW_FIELDS, Figures
from minxin.insights.models import HallDayStats, HallHourStats, WallSnapshot
from minxin.insights.selectors import (
    HallRef,
    hall_refs_of_region,
    open_windows_by_hall,
    province_today,
    waiting_by_hall,
)
from minxin.orgs.models import Region

STALE_AFTER = dt.timedelta(seconds=60)
TREND_DAYS = 30
TOP_WAITS = 8


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class _Now:
    """Today's figures of each hall (by hall id): the day so far, the last two hours, the people
    waiting and the windows open."""

    today: dict[int, Figures]
    recent: dict[int, Figures]
    waiting: dict[int, int]
    open_windows: dict[int, int]

    def waiting_at(self, hall_ids: Iterable[int]) -> int:
        return sum(max(0, self.waiting.get(pk) or 0) for pk in hall_ids)


def wall_payload(*, region: Region) -> dict[str, Any]:
    """Everything the wall shows, as JSON-ready data (about ten queries whatever the province's size)."""
    today = province_today()
    now = clock.now()
    halls = hall_refs_of_region(region)
    hall_ids = [hall.pk for hall in halls]
    today_by_hall = {
        row[0]: Figures.from_values(row[1:])
        for row in HallDayStats.objects.filter(hall_id__in=hall_ids, service_date=today).values_list(
            "hall_id", *ROW_FIELDS
        )
    }
    trend = day_trend(hall_ids=hall_ids, start=today - dt.timedelta(days=TREND_DAYS - 1), end=today)
    live = _Now(
        today=today_by_hall,
        recent=_recent_by_hall(hall_ids, today, clock.local_now(region_zone(halls)).hour),
        waiting=waiting_by_hall(hall_ids, today),
        open_windows=open_windows_by_hall(hall_ids),
    )
    cities = list(region.children.order_by("code"))
    city_of_hall = {
        hall.pk: next((city.code for city in cities if hall.region_path.startswith(city.path)), "")
        for hall in halls
    }
    return {
        "region": {"code": region.code, "name": region.name},
        "generated_at": now.isoformat(),
        "date": today.isoformat(),
        "zone": region_zone(halls),
        "totals": _totals(halls, live),
        "cities": _city_rows(cities, city_of_hall, live),
        "longest_waits": _longest_waits(halls, cities, city_of_hall, live),
        "trend": [
            {"date": day.isoformat(), "served": figures.served, "wait_mean": _text(figures.wait_mean)}
            for day, figures in sorted(trend.items())
        ],
        "modules": modules.wall_panels(region=region, today=today),
        "competition": modules.competition_figures(region=region),
    }


def _recent_by_hall(hall_ids: list[int], today: dt.date, local_hour: int) -> dict[int, Figures]:
    """Each hall's figures of this hour and the one before (the waits people meet now)."""
    hour_rows = HallHourStats.objects.filter(
        hall_id__in=hall_ids, service_date=today, hour__in=[local_hour, max(0, local_hour - 1)]
    )
    recent: dict[int, Figures] = {}
    for row in hour_rows.values_list("hall_id", *ROW_FIELDS):
        recent.setdefault(row[0], Figures()).add(Figures.from_values(row[1:]))
    return recent


def _city_rows(cities: list[Region], city_of_hall: dict[int, str], live: _Now) -> list[dict[str, Any]]:
    city_rows = []
    for city in cities:
        mine = [pk for pk, code in city_of_hall.items() if code == city.code]
        figures = Figures.of(live.today[pk] for pk in mine if pk in live.today)
        city_rows.append(
            {
                "code": city.code,
                "name": city.name,
                "halls": len(mine),
                "served": figures.served,
                "issued": figures.issued,
                "wait_mean": _text(figures.wait_mean),
                "wait_p90": _text(figures.wait_p90),
                "waiting_now": live.waiting_at(mine),
                "windows_open": sum(live.open_windows.get(pk, 0) for pk in mine),
            }
        )
    return city_rows


def _longest_waits(
    halls: list[HallRef], cities: list[Region], city_of_hall: dict[int, str], live: _Now
) -> list[dict[str, Any]]:
    """The halls where people wait longest now (this hour and the last), longest first."""
    recent = live.recent
    return sorted(
        (
            {
                "hall": hall.name,
                "code": hall.code,
                "city": next((c.name for c in cities if c.code == city_of_hall[hall.pk]), ""),
                "wait_mean": _text(recent[hall.pk].wait_mean),
                "wait_p90": _text(recent[hall.pk].wait_p90),
                "waiting_now": max(0, live.waiting.get(hall.pk) or 0),
            }
            for hall in halls
            if hall.pk in recent and recent[hall.pk].wait_mean is not None
        ),
        key=lambda item: (-float(item["wait_mean"] or 0), item["hall"]),
    )[:TOP_WAITS]


def _totals(halls: list[HallRef], live: _Now) -> dict[str, Any]:
    total = Figures.of(live.today.values())
    return {
        "halls": len(halls),
        "issued": total.issued,
        "served": total.served,
        "wait_mean": _text(total.wait_mean),
        "wait_p90": _text(total.wait_p90),
        "forecast_mean": _text(total.forecast_mean),
        "waiting_now": sum(max(0, count or 0) for count in live.waiting.values()),
        "windows_open": sum(live.open_windows.values()),
    }


def day_trend(*, hall_ids: list[int], start: dt.date, end: dt.date) -> dict[dt.date, Figures]:
    """Day by day sums, added up by the database (one query, no histograms)."""
    trend = {start + dt.timedelta(days=n): Figures() for n in range((end - start).days + 1)}
    rows = (
        HallDayStats.objects.filter(hall_id__in=hall_ids, service_date__gte=start, service_date__lte=end)
        .values("service_date")
        .annotate(
            issued_sum=Sum("issued"),
            served_sum=Sum("served"),
            waited_sum=Sum("waited"),
            wait_sum=Sum("wait_seconds"),
        )
    )
    for row in rows:
        figures = trend[row["service_date"]]
        figures.issued, figures.served = row["issued_sum"], row["served_sum"]
        figures.waited, figures.wait_seconds = row["waited_sum"], row["wait_sum"]
    return trend


def region_zone(halls: list[Any]) -> str:
    from django.conf import settings

    return str(halls[0].time_zone) if halls else str(settings.TIME_ZONE)


def wall_refresh(*, region: Region) -> WallSnapshot:
    snapshot, _created = WallSnapshot.objects.update_or_create(
        scope=region.code, defaults={"payload": wall_payload(region=region), "computed_at": clock.now()}
    )
    return snapshot


def wall_snapshot(*, region: Region) -> dict[str, Any]:
    """The wall's latest figures: the worker's snapshot, or fresh ones when it is missing or stale (a
    worker that stopped must not freeze the wall on old figures without saying so)."""
    snapshot = WallSnapshot.objects.filter(scope=region.code).first()
    if snapshot is None or clock.now() - snapshot.computed_at > STALE_AFTER:
        snapshot = wall_refresh(region=region)
    payload: dict[str, Any] = snapshot.payload
    return payload


def wall_refresh_all() -> int:
    """The worker's job: refresh the snapshot of every top region (the province) that has halls."""
    done = 0
    for region in Region.objects.filter(parent__isnull=True):
        wall_refresh(region=region)
        done += 1
    return done
