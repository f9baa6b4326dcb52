"""The week ahead: each hall's 7-day forecast from the appointments app (`appointments.selectors.
hall_forecast`, fitted on the hall's ticket history), summed per day for the city view's outlook panel
and for today's waits against the forecast.

A hall's forecast reads weeks of its tickets, so a job of its own (`insights.forecast`) computes one
city's outlook per run — the city whose figures of today are missing or the oldest past three hours —
and keeps it in a `ModuleFigures` row ("forecast", scope `<city code>:<date>`); a page reads that row
and never fits forecasts itself.
Predicted waits are arrival-weighted means over the open hours (as the appointments app sums them).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.insights.models import ModuleFigures
from minxin.insights.selectors import halls_of_region, province_today
from minxin.orgs.models import Hall, Region

OUTLOOK_DAYS = 7
MAX_AGE = dt.timedelta(hours=3)
TENTH = Decimal("0.1")


def _one(value: float) -> str:
    return str(Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP))


def _day_cells(cells: dict[tuple[dt.date, int], tuple[float, float, float, float]]) -> dict[dt.date, Any]:
    """Per day: expected arrivals, the arrival-weighted predicted wait, the peak hour and its wait."""
    days: dict[dt.date, list[Any]] = {}
    for (day, hour), (arrivals, wait, _low, _high) in cells.items():
        if not math.isfinite(wait):
            wait = 240.0  # a closed or overwhelmed hour: shown as the longest wait the chart knows
        entry = days.setdefault(day, [0.0, 0.0, None, -1.0])
        entry[0] += arrivals
        entry[1] += arrivals * wait
        if wait > entry[3]:
            entry[2], entry[3] = hour, wait
    return days


def hall_outlook(hall: Hall, days: list[dt.date]) -> list[dict[str, Any]] | None:
    from minxin.appointments.selectors import hall_forecast

    forecast = hall_forecast(hall=hall, days=len(days))
    if not forecast.rows:
        return None
    per_day = _day_cells(forecast.hall_hour())
    result = []
    for day in days:
        arrivals, weighted, peak_hour, peak_wait = per_day.get(day, [0.0, 0.0, None, -1.0])
        result.append(
            {
                "date": day.isoformat(),
                "arrivals": round(arrivals),
                "arrivals_exact": arrivals,
                "weighted": weighted,
                "wait": _one(weighted / arrivals) if arrivals else None,
                "peak_hour": peak_hour,
                "peak_wait": _one(peak_wait) if peak_hour is not None else None,
            }
        )
    return result


def forecast_compute(*, region: Region, halls: list[Hall]) -> dict[str, Any]:
    """The outlook of every hall of a city with a forecast, and the city's sums per day."""
    today = province_today()
    days = [today + dt.timedelta(days=offset) for offset in range(OUTLOOK_DAYS)]
    per_hall = []
    totals = {day.isoformat(): [0.0, 0.0] for day in days}
    for hall in halls:
        outlook = hall_outlook(hall, days)
        if outlook is None:
            continue
        for cell in outlook:
            totals[cell["date"]][0] += cell.pop("arrivals_exact")
            totals[cell["date"]][1] += cell.pop("weighted")
        per_hall.append({"code": hall.code, "name": hall.name, "days": outlook})
    if not per_hall:
        return {}
    return {
        "days": [day.isoformat() for day in days],
        "halls": per_hall,
        "city": [
            {
                "date": key,
                "arrivals": round(arrivals),
                "wait": _one(weighted / arrivals) if arrivals else None,
            }
            for key, (arrivals, weighted) in totals.items()
        ],
    }


def _scope(region: Region) -> str:
    return f"{region.code}:{province_today():%Y-%m-%d}"


def forecast_figures(*, region: Region) -> dict[str, Any]:
    """A city's outlook as the worker last stored it today (one query; empty for a province, or before
    the worker has computed the city's — a request never fits a city's forecasts itself)."""
    if region.level != Region.Level.CITY:
        return {}
    row = ModuleFigures.objects.filter(module="forecast", scope=_scope(region)).first()
    payload: dict[str, Any] = row.payload if row is not None else {}
    return payload


def forecast_refresh_next(*, limit: int = 1) -> int:
    """The worker's job: compute the outlook of the `limit` cities whose figures of today are missing or
    the oldest past MAX_AGE (a province's cities have hundreds of halls: one city per run keeps each run
    short, and every city is fresh within a few runs)."""
    now = clock.now()
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    stored = dict(
        ModuleFigures.objects.filter(
            module="forecast", scope__in=[_scope(city) for city in cities]
        ).values_list("scope", "computed_at")
    )
    due = [city for city in cities if _scope(city) not in stored or now - stored[_scope(city)] >= MAX_AGE]
    due.sort(key=lambda city: stored.get(_scope(city)) or dt.datetime.min.replace(tzinfo=dt.UTC))
    done = 0
    for city in due[:limit]:
        halls = halls_of_region(city)
        if not halls:
            continue
        payload = forecast_compute(region=city, halls=halls)
        try:
            ModuleFigures.objects.update_or_create(
                module="forecast",
                scope=_scope(city),
                defaults={"payload": payload, "computed_at": clock.now()},
            )
        except IntegrityError:  # another worker stored the same city's a moment ago
            continue
        done += 1
    return done


def against_forecast(view: Any, outlook: dict[str, Any]) -> list[dict[str, Any]]:
    """Today's mean wait of each hall against its forecast for today, with the difference."""
    forecast_today = {hall["code"]: hall["days"][0] for hall in outlook.get("halls", [])}
    rows = []
    for line in view.lines:
        cell = forecast_today.get(line.hall.code)
        if cell is None:
            continue
        actual = line.today.wait_mean
        predicted = None if cell["wait"] is None else Decimal(cell["wait"])
        change = None if actual is None or predicted is None else actual - predicted
        rows.append(
            {
                "code": line.hall.code,
                "name": line.hall.name,
                "actual": actual,
                "forecast": predicted,
                "change": change,
                "arrivals": cell["arrivals"],
                "issued": line.today.issued,
            }
        )
    return rows


def outlook_chart(outlook: dict[str, Any]) -> dict[str, Any]:
    """Bars of the city's expected arrivals per day and a line of its predicted mean wait."""
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 48, "top": 36, "bottom": 28},
        "xAxis": {"type": "category", "data": [row["date"][5:] for row in outlook["city"]]},
        "yAxis": [{"type": "value", "name": _("Arrivals")}, {"type": "value", "name": _("min")}],
        "series": [
            {
                "name": _("Expected arrivals"),
                "type": "bar",
                "data": [row["arrivals"] for row in outlook["city"]],
            },
            {
                "name": _("Predicted mean wait (min)"),
                "type": "line",
                "yAxisIndex": 1,
                "symbol": "diamond",
                "symbolSize": 10,
                "lineStyle": {"type": "dashed"},
                "data": [None if row["wait"] is None else float(row["wait"]) for row in outlook["city"]],
            },
        ],
    }


def outlook_summary(outlook: dict[str, Any]) -> str:
    """One sentence for screen readers and for people who would rather read."""
    busiest = max(outlook["city"], key=lambda row: row["arrivals"])
    longest = max(
        ((hall, cell) for hall in outlook["halls"] for cell in hall["days"] if cell["peak_wait"] is not None),
        key=lambda item: Decimal(item[1]["peak_wait"]),
        default=None,
    )
    text = _(
        "Over the next 7 days the busiest day is %(day)s, with about %(arrivals)s arrivals expected."
    ) % {
        "day": busiest["date"],
        "arrivals": busiest["arrivals"],
    }
    if longest is not None:
        hall, cell = longest
        text += " " + _(
            "The longest predicted wait is at %(hall)s on %(day)s from %(hour)s:00, about %(wait)s minutes."
        ) % {"hall": hall["name"], "day": cell["date"], "hour": cell["peak_hour"], "wait": cell["peak_wait"]}
    return text
