"""Figures of the modules above the queue (cases, ratings, lookouts), for the dashboards.

Each panel appears only when its module has data. The modules' own selectors compute the figures
(grouped queries over a month of cases or ratings); the worker keeps their results in `ModuleFigures`
rows every few minutes, so a dashboard request reads one row per module instead of running them.
A request that finds no row (or a stale one, the worker being down) computes it once and stores it.

The competition's flags and rankings come through `minxin.insights.honours` (its selectors), kept the
same way ("competition" rows per region).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.insights.models import ModuleFigures
from minxin.insights.selectors import TREND_MONTHS, halls_of_region, month_add, month_start, province_today
from minxin.orgs.models import Hall, Region

MAX_AGE = dt.timedelta(minutes=10)
HUNDRED = Decimal(100)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _percent(value: Decimal | None) -> str | None:
    """A 0..1 ratio as a percentage with one decimal (the cases app's rates are ratios)."""
    return None if value is None else str((value * HUNDRED).quantize(Decimal("0.1")))


def snapshot(
    module: str,
    scope: str,
    compute: Callable[[], dict[str, Any]],
    *,
    fresh: bool = False,
    max_age: dt.timedelta = MAX_AGE,
) -> dict[str, Any]:
    row = None if fresh else ModuleFigures.objects.filter(module=module, scope=scope).first()
    if row is not None and clock.now() - row.computed_at < max_age:
        payload: dict[str, Any] = row.payload
        return payload
    payload = compute()
    ModuleFigures.objects.update_or_create(
        module=module, scope=scope, defaults={"payload": payload, "computed_at": clock.now()}
    )
    return payload


def _month_end(month: dt.date) -> dt.date:
    return month_add(month, 1) - dt.timedelta(days=1)


# --- cases: on-time rate, the headline metrics, lights per department ----------------------------------


def cases_compute(*, region: Region, month: dt.date, halls: list[Hall], departments: bool) -> dict[str, Any]:
    from minxin.cases.models import Case
    from minxin.cases.selectors import hall_supervision, halls_metrics

    hall_ids = [hall.pk for hall in halls]
    if not Case.objects.filter(hall_id__in=hall_ids).exists():
        return {}
    metrics = halls_metrics(halls=halls, start=month, end=min(_month_end(month), province_today()))
    per_hall: dict[str, dict[str, Any]] = {}
    for hall in halls:
        figures = metrics.get(hall.pk)
        if not figures:
            continue
        lights = figures.get("cases_by_light", {})
        per_hall[str(hall.pk)] = {
            "on_time_rate": _percent(figures["on_time_rate"]),
            "entry_rate": _percent(figures["entry_rate"]),
            "materials_cut_rate": _percent(figures["materials_cut_rate"]),
            "time_limit_cut_rate": _percent(figures["time_limit_cut_rate"]),
            "trips_saved": int(figures["trips_saved"]),
            "zero_trip_item_share": _percent(figures["zero_trip_item_share"]),
            "yellow": int(lights.get("yellow", 0)),
            "red": int(lights.get("red", 0)),
        }
    rows = []
    if departments:
        for hall in halls:
            for each in hall_supervision(hall=hall):
                rows.append(
                    [
                        hall.name,
                        each.department.name,
                        len(each.yellow),
                        len(each.red),
                        each.yellow_cards,
                        each.red_cards,
                    ]
                )
    return {"halls": per_hall, "departments": rows}


def cases_figures(*, region: Region, month: dt.date) -> dict[str, Any]:
    departments = region.level != Region.Level.PROVINCE
    return snapshot(
        "cases",
        f"{region.code}:{month:%Y-%m}",
        lambda: cases_compute(
            region=region, month=month, halls=halls_of_region(region), departments=departments
        ),
    )


# --- ratings: satisfaction per hall and over months ------------------------------------------------------


def feedback_compute(*, region: Region, month: dt.date, halls: list[Hall]) -> dict[str, Any]:
    from minxin.feedback.selectors import rating_figures_map

    hall_ids = [hall.pk for hall in halls]
    per_hall = rating_figures_map(by="hall", date_from=month, date_to=_month_end(month), hall_ids=hall_ids)
    first = month_add(month, -(TREND_MONTHS - 1))
    trend = rating_figures_map(
        by="all", date_from=first, date_to=_month_end(month), region=region, period="month"
    )
    if not any(figures.count for figures in per_hall.values()) and not any(f.count for f in trend.values()):
        return {}
    return {
        "halls": {
            str(key[0]): {
                "satisfaction": _text(figures.satisfaction_rate),
                "mean": _text(figures.mean),
                "count": figures.count,
                "bad": figures.bad,
            }
            for key, figures in per_hall.items()
            if key[0] is not None and figures.count
        },
        "trend": [
            [f"{key[1]:%Y-%m}", _text(figures.satisfaction_rate), figures.count]
            for key, figures in sorted(trend.items(), key=lambda item: item[0][1] or dt.date.min)
            if key[1] is not None
        ],
    }


def feedback_figures(*, region: Region, month: dt.date) -> dict[str, Any]:
    return snapshot(
        "feedback",
        f"{region.code}:{month:%Y-%m}",
        lambda: feedback_compute(region=region, month=month, halls=halls_of_region(region)),
    )


# --- competition: flag holders and the latest ranking ------------------------------------------------


def competition_figures(*, region: Region, fresh: bool = False) -> dict[str, Any]:
    from minxin.insights.honours import honours_compute

    return snapshot("competition", region.code, lambda: honours_compute(region=region), fresh=fresh)


# --- lookouts: the posts' state ------------------------------------------------------------------------


def watch_compute(*, region: Region) -> dict[str, Any]:
    from minxin.watch.scope import Scope
    from minxin.watch.selectors import board_data

    board = board_data(Scope(is_admin=True, lookout_units=frozenset(), command_paths=()))
    if not board["posts"]:
        return {}
    counts: dict[str, int] = {}
    for post in board["posts"]:
        counts[post["state"]] = counts.get(post["state"], 0) + 1
    return {
        "posts": [
            [post["name"], post["state_label"], post["missed_today"], post["state"]]
            for post in board["posts"]
        ],
        "counts": counts,
        "incidents": len([incident for incident in board["incidents"] if incident.get("status") == "open"]),
    }


# --- the wall's panels -----------------------------------------------------------------------------------

LIGHT_OF_POST = {"up": "green", "late": "yellow", "missed": "red", "escalated": "red", "paused": "yellow"}


def wall_panels(*, region: Region, today: dt.date) -> dict[str, Any]:
    """The wall's module panels, as {title, header, rows, lights}: only those with data."""
    month = month_start(today)
    panels: dict[str, Any] = {}
    feedback = feedback_figures(region=region, month=month)
    if feedback.get("trend"):
        panels["satisfaction"] = {
            "title": _("Satisfaction by month (%)"),
            "header": [_("Month"), _("Satisfied (%)"), _("Ratings")],
            "rows": [[row[0], row[1] or "—", row[2]] for row in feedback["trend"][-6:]],
        }
    cases = cases_figures(region=region, month=month)
    if cases.get("halls"):
        yellow = sum(row["yellow"] for row in cases["halls"].values())
        red = sum(row["red"] for row in cases["halls"].values())
        panels["lights"] = {
            "title": _("Supervision lights this month"),
            "header": [_("Light"), _("Cases")],
            "rows": [[_("Yellow (due soon)"), yellow], [_("Red (overdue)"), red]],
            "lights": ["yellow", "red"],
        }
    watch = snapshot("watch", region.code, lambda: watch_compute(region=region))
    if watch.get("posts"):
        posts = sorted(watch["posts"], key=lambda post: (post[3] == "up", post[0]))[:6]
        panels["lookouts"] = {
            "title": _("Lookout posts"),
            "header": [_("Post"), _("Missed today"), _("State")],
            "rows": [[post[0], post[2], post[1]] for post in posts],
            "lights": [LIGHT_OF_POST.get(post[3], "yellow") for post in posts],
        }
    return panels


def modules_refresh() -> int:
    """The worker's job: recompute this month's module figures of every region with halls."""
    month = month_start(province_today())
    done = 0
    for region in Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]):
        halls = halls_of_region(region)
        if halls:
            _region_refresh(region, month, halls)
            done += 1
    return done


def _region_refresh(region: Region, month: dt.date, halls: list[Hall]) -> None:
    scope = f"{region.code}:{month:%Y-%m}"
    departments = region.level != Region.Level.PROVINCE
    snapshot(
        "cases",
        scope,
        lambda: cases_compute(region=region, month=month, halls=halls, departments=departments),
        fresh=True,
    )
    snapshot("feedback", scope, lambda: feedback_compute(region=region, month=month, halls=halls), fresh=True)
    competition_figures(region=region, fresh=True)
    if region.parent_id is None:
        snapshot("watch", region.code, lambda: watch_compute(region=region), fresh=True)


# --- voting: published results ---------------------------------------------------------------------------


def public_vote_results(*, region: Region, limit: int = 10) -> list[Any]:
    """Campaigns of the region (or under it) whose results are published, newest first (one query)."""
    from minxin.voting.models import CampaignState
    from minxin.voting.selectors import campaigns_public

    return list(
        campaigns_public().filter(state=CampaignState.RESULTS, region__path__startswith=region.path)[:limit]
    )
