"""Rating statistics: the figures of ratings and services by group and period.

Statistics (exact, `Decimal`; formulas in docs/feedback.md) — the functions other apps call:

- `rating_figures(*, by, date_from, date_to, hall_ids=None, unit_ids=None, region=None, period=None)`
  → `list[Figures]`, one row per group (and per day or month with `period="day"|"month"`); `by` is
  "clerk", "window", "department", "hall", "unit", "city" (the region of the hall's unit) or "all".
  Set-based: two or three grouped queries whatever the number of halls, units or regions in scope.
- `rating_figures_map(...)` → the same as a dict keyed by (group key, period).
- `Figures` fields: count (all ratings, upheld appeals included), scored (those counted in scores),
  score_sum, satisfied, bad, excluded, rectifications, rectified, rectified_on_time, appeals_upheld,
  appeals_rejected, appeals_pending, served; properties mean, satisfaction_rate (%), participation (%).

Dates are the service's local date (a ticket's service date, a case's completion date in its hall's
zone), inclusive at both ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth

from minxin.accounts.models import User
from minxin.cases.models import Case, CaseStatus
from minxin.catalog.models import Department, Window, window_order
from minxin.core import clock
from minxin.feedback.models import (
    BAD_MAX,
    Appeal,
    Rating,
    RectificationStatus,
)
from minxin.orgs.models import Hall, Region
from minxin.queueing.models import Ticket, TicketStatus

Group = Literal["clerk", "window", "department", "hall", "unit", "city", "all"]
Period = Literal["day", "month"] | None
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

_RATING_KEYS = {
    "clerk": "clerk_id",
    "window": "window_id",
    "department": "department_id",
    "hall": "hall_id",
    "unit": "unit_id",
    "city": "region_id",
}
_TICKET_KEYS = {
    "clerk": "clerk_id",
    "window": "window_id",
    "department": "window__department_id",
    "hall": "hall_id",
    "unit": "hall__unit_id",
    "city": "hall__unit__region_id",
}
_CASE_KEYS = {
    "clerk": "clerk_id",
    "window": "window_id",
    "department": "department_id",
    "hall": "hall_id",
    "unit": "hall__unit_id",
    "city": "hall__unit__region_id",
}


def ratio(part: int, whole: int, *, scale: Decimal = Decimal(1)) -> Decimal | None:
    """part ÷ whole × scale, rounded half up to two places; None when there is nothing to divide by."""
    if whole == 0:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Figures:
    key: int | None
    period: dt.date | None = None
    count: int = 0
    scored: int = 0
    score_sum: int = 0
    satisfied: int = 0
    bad: int = 0
    excluded: int = 0
    rectifications: int = 0
    rectified: int = 0
    rectified_on_time: int = 0
    appeals_upheld: int = 0
    appeals_rejected: int = 0
    appeals_pending: int = 0
    served: int = 0
    label: str = field(default="", compare=False)

    @property
    def mean(self) -> Decimal | None:
        return ratio(self.score_sum, self.scored)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return ratio(self.satisfied, self.scored, scale=HUNDRED)

    @property
    def participation(self) -> Decimal | None:
        return ratio(self.count, self.served, scale=HUNDRED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "scored": self.scored,
            "mean": self.mean,
            "satisfaction_rate": self.satisfaction_rate,
            "bad": self.bad,
            "excluded": self.excluded,
            "rectifications": self.rectifications,
            "rectified": self.rectified,
            "rectified_on_time": self.rectified_on_time,
            "appeals_upheld": self.appeals_upheld,
            "appeals_rejected": self.appeals_rejected,
            "appeals_pending": self.appeals_pending,
            "served": self.served,
            "participation": self.participation,
        }


def _scoped(
    rows: QuerySet[Any],
    prefix: str,
    *,
    hall_ids: Iterable[int] | None,
    unit_ids: Iterable[int] | None,
    region: Region | None,
) -> QuerySet[Any]:
    if hall_ids is not None:
        rows = rows.filter(**{f"{prefix}hall_id__in": list(hall_ids)})
    if unit_ids is not None:
        rows = rows.filter(**{f"{prefix}hall__unit_id__in": list(unit_ids)})
    if region is not None:
        rows = rows.filter(**{f"{prefix}hall__unit__region__path__startswith": region.path})
    return rows


def _grouped_rows(
    rows: QuerySet[Any], key: str | None, date_field: str, period: Period, aggregates: dict[str, Any]
) -> list[dict[str, Any]]:
    """`aggregates` per group key and period (one GROUP BY query), or over all rows when neither."""
    names: list[str] = []
    if key is not None:
        rows = rows.annotate(group_key=_f(key))
        names.append("group_key")
    if period == "day":
        rows = rows.annotate(group_period=_f(date_field))
        names.append("group_period")
    elif period == "month":
        rows = rows.annotate(group_period=TruncMonth(date_field))
        names.append("group_period")
    if not names:
        return [rows.aggregate(**aggregates)]
    return list(rows.values(*names).annotate(**aggregates).order_by())


def _f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def _row_key(row: dict[str, Any], period: Period) -> tuple[int | None, dt.date | None]:
    moment = row.get("group_period") if period else None
    if isinstance(moment, dt.datetime):
        moment = moment.date()
    return row.get("group_key"), moment


def rating_figures(
    *,
    by: Group,
    date_from: dt.date,
    date_to: dt.date,
    hall_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
    region: Region | None = None,
    period: Period = None,
) -> list[Figures]:
    """The figures of every group in scope with anything rated or served, ordered by key and period."""
    return sorted(
        rating_figures_map(
            by=by,
            date_from=date_from,
            date_to=date_to,
            hall_ids=hall_ids,
            unit_ids=unit_ids,
            region=region,
            period=period,
        ).values(),
        key=lambda row: (row.key is None, row.key or 0, row.period or dt.date.min),
    )


def rating_figures_map(
    *,
    by: Group,
    date_from: dt.date,
    date_to: dt.date,
    hall_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
    region: Region | None = None,
    period: Period = None,
) -> dict[tuple[int | None, dt.date | None], Figures]:
    hall_ids = list(hall_ids) if hall_ids is not None else None
    unit_ids = list(unit_ids) if unit_ids is not None else None
    scope: dict[str, Any] = {"hall_ids": hall_ids, "unit_ids": unit_ids, "region": region}
    ratings = _scoped(
        Rating.objects.filter(service_date__gte=date_from, service_date__lte=date_to), "", **scope
    )
    out: dict[tuple[int | None, dt.date | None], Figures] = {}
    for row in _grouped_rows(ratings, _RATING_KEYS.get(by), "service_date", period, _rating_aggregates()):
        if row["n"]:
            key = _row_key(row, period)
            out[key] = _figures_of(key, row)
    for key, served in _served(by, date_from, date_to, period, scope).items():
        out[key] = replace(out.get(key) or Figures(key=key[0], period=key[1]), served=served)
    return out


def _rating_aggregates() -> dict[str, Any]:
    """What is counted of the ratings of a group: all, scored, satisfied, bad, excluded, and their
    rectifications and appeals."""
    satisfied_min = settings.FEEDBACK_SATISFIED_MIN_SCORE
    scored = Q(excluded_at__isnull=True)
    closed = Q(rectification__status=RectificationStatus.CLOSED, rectification__resolution="rectified")
    return dict(
        n=Count("id"),
        n_scored=Count("id", filter=scored),
        n_sum=Sum("score", filter=scored),
        n_satisfied=Count("id", filter=scored & Q(score__gte=satisfied_min)),
        n_bad=Count("id", filter=scored & Q(score__lte=BAD_MAX)),
        n_excluded=Count("id", filter=Q(excluded_at__isnull=False)),
        n_rect=Count("rectification"),
        n_rectified=Count("rectification", filter=closed),
        n_on_time=Count("rectification", filter=closed & Q(rectification__late=False)),
        n_upheld=Count("rectification__appeal", filter=Q(rectification__appeal__status=Appeal.Status.UPHELD)),
        n_rejected=Count(
            "rectification__appeal", filter=Q(rectification__appeal__status=Appeal.Status.REJECTED)
        ),
        n_pending=Count(
            "rectification__appeal", filter=Q(rectification__appeal__status=Appeal.Status.PENDING)
        ),
    )


def _figures_of(key: tuple[int | None, dt.date | None], row: dict[str, Any]) -> Figures:
    return Figures(
        key=key[0],
        period=key[1],
        count=row["n"],
        scored=row["n_scored"],
        score_sum=int(row["n_sum"] or 0),
        satisfied=row["n_satisfied"],
        bad=row["n_bad"],
        excluded=row["n_excluded"],
        rectifications=row["n_rect"],
        rectified=row["n_rectified"],
        rectified_on_time=row["n_on_time"],
        appeals_upheld=row["n_upheld"],
        appeals_rejected=row["n_rejected"],
        appeals_pending=row["n_pending"],
    )


def _served(
    by: Group, date_from: dt.date, date_to: dt.date, period: Period, scope: dict[str, Any]
) -> dict[tuple[int | None, dt.date | None], int]:
    """Services that could be rated: tickets finished at a window, and completed cases."""
    tickets = _scoped(
        Ticket.objects.filter(
            status=TicketStatus.DONE, service_date__gte=date_from, service_date__lte=date_to
        ),
        "",
        **scope,
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    start = clock.local_midnight(date_from, settings.TIME_ZONE)
    end = clock.local_midnight(date_to + dt.timedelta(days=1), settings.TIME_ZONE)
    cases = _scoped(
        Case.objects.filter(status=CaseStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end),
        "",
        **scope,
    ).annotate(completed_on=TruncDate("completed_at", tzinfo=zone))
    totals: dict[tuple[int | None, dt.date | None], int] = {}
    for rows, keys, date_field in (
        (tickets, _TICKET_KEYS, "service_date"),
        (cases, _CASE_KEYS, "completed_on"),
    ):
        for row in _grouped_rows(rows, keys.get(by), date_field, period, {"n": Count("id")}):
            if not row["n"]:
                continue
            key = _row_key(row, period)
            totals[key] = totals.get(key, 0) + row["n"]
    return totals


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class HallSummary:
    total: Figures
    windows: list[tuple[Window, Figures]]
    clerks: list[tuple[User, Figures]]
    departments: list[tuple[Department, Figures]]
    days: list[Figures]


def hall_summary(*, hall: Hall, date_from: dt.date, date_to: dt.date) -> HallSummary:
    """A hall's figures for a period: in total, by window, clerk and department, and by day."""
    scope: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "hall_ids": [hall.pk]}
    total = rating_figures_map(by="all", **scope).get((None, None)) or Figures(key=None)
    windows = rating_figures_map(by="window", **scope)
    clerks = rating_figures_map(by="clerk", **scope)
    departments = rating_figures_map(by="department", **scope)
    window_rows = Window.objects.filter(pk__in=[key for key, _p in windows if key]).order_by(*window_order())
    clerk_rows = User.objects.filter(pk__in=[key for key, _p in clerks if key]).order_by("username")
    department_rows = Department.objects.filter(pk__in=[key for key, _p in departments if key]).order_by(
        "name"
    )
    return HallSummary(
        total=total,
        windows=[(window, windows[(window.pk, None)]) for window in window_rows],
        clerks=[(clerk, clerks[(clerk.pk, None)]) for clerk in clerk_rows],
        departments=[(department, departments[(department.pk, None)]) for department in department_rows],
        days=rating_figures(by="all", period="day", **scope),
    )
