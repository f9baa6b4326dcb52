"""Expected report slots, from a duty plan. Pure functions: no database, so they are fast and easy to test.

A slot is the span in which one report is due. Slots follow the post's local clock: an interval of I
minutes splits each local day at multiples of I from midnight (15 → :00, :15, :30, :45; 60 → on the
hour), and a slot also ends wherever the interval changes (day and night, a season's first or last
day, a fire-danger override), so the slots partition time without gaps or overlaps and every missed
report is countable.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 1440


def valid_interval(minutes: int) -> bool:
    """Slots line up with local midnight only if the interval divides the day."""
    return 0 < minutes <= MINUTES_PER_DAY and MINUTES_PER_DAY % minutes == 0


@dataclass(frozen=True, slots=True)
class DangerWindow:
    starts_at: dt.datetime
    ends_at: dt.datetime
    level: int


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything the slot arithmetic needs about one post."""

    zone: str
    lat: float
    lon: float
    season_day_minutes: int
    season_night_minutes: int
    day_minutes: int
    night_minutes: int
    danger_minutes: int
    danger_level_from: int
    grace: dt.timedelta
    solar: bool
    day_starts: dt.time
    day_ends: dt.time
    seasons: tuple[tuple[int, int, int, int], ...]  # (start month, start day, end month, end day)
    danger: tuple[DangerWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    minutes: int  # the interval in force


def in_season(rules: Rules, day: dt.date) -> bool:
    key = (day.month, day.day)
    for start_month, start_day, end_month, end_day in rules.seasons:
        start, end = (start_month, start_day), (end_month, end_day)
        if (start <= key <= end) if start <= end else (key >= start or key <= end):
            return True
    return False


@lru_cache(maxsize=4096)
def _daylight(day: dt.date, lat: float, lon: float, zone: str) -> tuple[dt.datetime, dt.datetime] | None:
    rise_set = sun_rise_set(day, lat, lon)
    if rise_set is None:
        return None
    return rise_set[0].astimezone(ZoneInfo(zone)), rise_set[1].astimezone(ZoneInfo(zone))


def day_bounds(rules: Rules, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """When day begins and ends on the local date `day` (sunrise and sunset to the minute, or the
    fixed hours; fixed hours too where the sun does not rise or set)."""
    zone = ZoneInfo(rules.zone)
    if rules.solar:
        solar = _daylight(day, round(rules.lat, 3), round(rules.lon, 3), rules.zone)
        if solar is not None:
            return solar
    return (
        dt.datetime.combine(day, rules.day_starts, tzinfo=zone),
        dt.datetime.combine(day, rules.day_ends, tzinfo=zone),
    )


def danger_level(rules: Rules, at: dt.datetime) -> int:
    return max((w.level for w in rules.danger if w.starts_at <= at < w.ends_at), default=0)


def interval_at(rules: Rules, at: dt.datetime) -> int:
    """The interval (minutes) in force at `at`."""
    if danger_level(rules, at) >= rules.danger_level_from:
        return rules.danger_minutes
    local = at.astimezone(ZoneInfo(rules.zone))
    rise, fall = day_bounds(rules, local.date())
    by_day = rise <= at < fall
    if in_season(rules, local.date()):
        return rules.season_day_minutes if by_day else rules.season_night_minutes
    return rules.day_minutes if by_day else rules.night_minutes


def _midnight(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone))


def _changes(rules: Rules, at: dt.datetime) -> list[dt.datetime]:
    """Instants around `at` where the interval may change: midnights (seasons), sunrise and sunset (or
    the fixed hours), and the edges of danger overrides."""
    local_day = at.astimezone(ZoneInfo(rules.zone)).date()
    instants: list[dt.datetime] = []
    for offset in (-1, 0, 1):
        day = local_day + dt.timedelta(days=offset)
        instants.append(_midnight(day, rules.zone))
        instants.extend(day_bounds(rules, day))
    for window in rules.danger:
        instants.extend((window.starts_at, window.ends_at))
    return instants


def slot_at(rules: Rules, at: dt.datetime) -> Slot:
    """The slot that contains `at`."""
    minutes = interval_at(rules, at)
    local = at.astimezone(ZoneInfo(rules.zone))
    midnight = _midnight(local.date(), rules.zone)
    elapsed = (at - midnight).total_seconds() // 60
    aligned = midnight + dt.timedelta(minutes=(elapsed // minutes) * minutes)
    changes = _changes(rules, at)
    before = max((c for c in changes if c <= at), default=aligned)
    after = min((c for c in changes if c > at), default=aligned + dt.timedelta(minutes=minutes))
    return Slot(
        start=max(aligned, before), end=min(aligned + dt.timedelta(minutes=minutes), after), minutes=minutes
    )


def slots_between(rules: Rules, start: dt.datetime, end: dt.datetime) -> list[Slot]:
    """Every slot that starts in [start, end) (the first one may start before `start` if it contains it)."""
    slots: list[Slot] = []
    at = start
    while at < end:
        slot = slot_at(rules, at)
        slots.append(slot)
        at = slot.end
    return slots


def sun_rise_set(day: dt.date, lat: float, lon: float) -> tuple[dt.datetime, dt.datetime] | None:
    """Sunrise and sunset (UTC, to the minute) on `day` at (lat, lon), by the NOAA sunrise equation
    (about a minute's accuracy at mid latitudes; refraction and the sun's disc: −0.833°). None in the
    polar day or night."""
    julian_day = day.toordinal() + 1721425  # the Julian day number at noon of that date
    n = julian_day - 2451545 + 0.0008
    mean_noon = n - lon / 360.0
    anomaly = math.radians((357.5291 + 0.98560028 * mean_noon) % 360)
    centre = 1.9148 * math.sin(anomaly) + 0.0200 * math.sin(2 * anomaly) + 0.0003 * math.sin(3 * anomaly)
    ecliptic = math.radians((math.degrees(anomaly) + centre + 180 + 102.9372) % 360)
    transit = 2451545.0 + mean_noon + 0.0053 * math.sin(anomaly) - 0.0069 * math.sin(2 * ecliptic)
    declination = math.asin(math.sin(ecliptic) * math.sin(math.radians(23.4397)))
    phi = math.radians(lat)
    cos_hour = (math.sin(math.radians(-0.833)) - math.sin(phi) * math.sin(declination)) / (
        math.cos(phi) * math.cos(declination)
    )
    if not -1.0 <= cos_hour <= 1.0:
        return None
    hour_angle = math.degrees(math.acos(cos_hour)) / 360.0

    def instant(julian: float) -> dt.datetime:
        moment = dt.datetime(2000, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=julian - 2451545.0)
        return moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1 if moment.second >= 30 else 0)

    return instant(transit - hour_angle), instant(transit + hour_angle)
