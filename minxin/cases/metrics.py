"""The hall metrics of DOMAIN.md §2 point 8 (formulas in docs/cases.md): `halls_metrics(halls=…,
start=…, end=…)` for many halls at once (a fixed number of grouped queries whatever their number) and
`hall_metrics(hall=…, start=…, end=…)` for one, both `Decimal` values rounded half-up to four places;
and `hall_monthly`, the same period month by month. Re-exported by `cases.selectors`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth

from minxin.accounts.models import Role, User
from minxin.cases.models import Case, CaseStatus, HallCaseSettings, Light
from minxin.catalog.models import ItemVersion, Material
from minxin.catalog.selectors import current_versions
from minxin.orgs.models import Hall
from minxin.orgs.selectors import halls_for_staff

PLACES = Decimal("0.0001")
ZERO = Decimal("0.0000")
METRIC_KEYS = (
    "entry_rate",
    "materials_cut_rate",
    "time_limit_cut_rate",
    "trips_saved",
    "zero_trip_item_share",
    "one_trip_item_share",
    "on_time_rate",
    "speed_up_rate",
    "one_visit_rate",
    "cases_by_status",
    "cases_by_light",
)
CaseFigures = dict[int, dict[str, Any]]


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    """numerator ÷ denominator rounded half-up to 4 places; 0 when there is nothing to divide by."""
    if not denominator:
        return ZERO
    return (Decimal(numerator) / Decimal(denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _period(zone: str, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(zone)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _item_figures(hall_ids: list[int], end: dt.date) -> dict[int, dict[str, int]]:
    """Per hall, over the item versions in force on `end` in active departments: items, Σ statutory,
    Σ promised, items at 0 trips, at ≤ 1 trip, materials now, materials in each item's first version."""
    versions = current_versions(on=end).filter(
        item__department__hall_id__in=hall_ids, item__department__is_active=True
    )
    figures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in versions.values("item__department__hall_id").annotate(
        items=Count("id"),
        statutory=Sum("statutory_days"),
        promised=Sum("promised_days"),
        zero=Count("id", filter=Q(trips=0)),
        one=Count("id", filter=Q(trips__lte=1)),
    ):
        target = figures[row["item__department__hall_id"]]
        for key in ("items", "statutory", "promised", "zero", "one"):
            target[key] = int(row[key] or 0)
    for row in (
        Material.objects.filter(version__in=versions)
        .values("version__item__department__hall_id")
        .annotate(n=Count("id"))
    ):
        figures[row["version__item__department__hall_id"]]["materials_after"] = int(row["n"])
    # the first published version of each item in force: the "before" of the materials cut
    item_ids = versions.values("item_id")
    first_numbers = (
        ItemVersion.objects.filter(item_id__in=item_ids, status=ItemVersion.Status.PUBLISHED)
        .values("item_id")
        .annotate(first=Min("number"))
    )
    firsts = Q()
    for row in first_numbers:
        firsts |= Q(version__item_id=row["item_id"], version__number=row["first"])
    if firsts:
        for row in (
            Material.objects.filter(firsts)
            .values("version__item__department__hall_id")
            .annotate(n=Count("id"))
        ):
            figures[row["version__item__department__hall_id"]]["materials_before"] = int(row["n"])
    return figures


def _decided_figures(cases: CaseFigures, decided: QuerySet[Case], tz: ZoneInfo) -> None:
    """Per hall: cases decided in the period, on time, working days used and promised."""
    for row in (
        decided.annotate(decided_on=TruncDate("decided_at", tzinfo=tz))
        .values("hall_id")
        .annotate(
            decided=Count("id"),
            on_time=Count("id", filter=Q(decided_on__lte=F("promised_due"))),
            used=Sum("handling_days", filter=Q(item_version__promised_days__gt=0)),
            promised=Sum("item_version__promised_days", filter=Q(item_version__promised_days__gt=0)),
        )
    ):
        cases[row["hall_id"]].update(
            decided=row["decided"],
            on_time=row["on_time"],
            used=row["used"] or 0,
            promised=row["promised"] or 0,
        )


def _completed_figures(cases: CaseFigures, completed: QuerySet[Case]) -> None:
    """Per hall: cases completed in the period, in one visit, and the trips saved."""
    for row in completed.values("hall_id").annotate(
        completed=Count("id"),
        one_visit=Count("id", filter=Q(trips_made__lte=1)),
        baseline=Sum("baseline_trips"),
        trips=Sum("trips_made"),
    ):
        cases[row["hall_id"]].update(
            completed=row["completed"],
            one_visit=row["one_visit"],
            saved=int(row["baseline"] or 0) - int(row["trips"] or 0),
        )


def _received_figures(cases: CaseFigures, received: QuerySet[Case]) -> None:
    """Per hall: cases received in the period by status, and those accepted by light."""
    for row in received.values("hall_id", "status").annotate(n=Count("id")):
        cases[row["hall_id"]].setdefault("by_status", {})[row["status"]] = row["n"]
    for row in received.filter(accepted_at__isnull=False).values("hall_id", "light").annotate(n=Count("id")):
        cases[row["hall_id"]].setdefault("by_light", {})[row["light"]] = row["n"]


def _case_figures(hall_list: list[Hall], start: dt.date, end: dt.date) -> CaseFigures:
    """The case counts of each hall over the local dates start..end: one set of queries per time zone."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for hall in hall_list:
        by_zone[hall.time_zone].append(hall.pk)
    cases: CaseFigures = defaultdict(lambda: defaultdict(int))
    for zone, ids in by_zone.items():
        since, until = _period(zone, start, end)
        of_halls = Case.objects.filter(hall_id__in=ids)
        _decided_figures(cases, of_halls.filter(decided_at__gte=since, decided_at__lt=until), ZoneInfo(zone))
        _completed_figures(cases, of_halls.filter(completed_at__gte=since, completed_at__lt=until))
        _received_figures(cases, of_halls.filter(created_at__gte=since, created_at__lt=until))
    return cases


def _hall_result(item: dict[str, int], case: dict[str, Any], required: int) -> dict[str, Any]:
    handled = int(item.get("items", 0))
    before = int(item.get("materials_before", 0))
    after = int(item.get("materials_after", 0))
    statutory = int(item.get("statutory", 0))
    promised_used = int(case.get("promised", 0))
    decided = int(case.get("decided", 0))
    return {
        "entry_rate": ratio(handled, required),
        "materials_cut_rate": ratio(before - after, before),
        "time_limit_cut_rate": ratio(statutory - int(item.get("promised", 0)), statutory),
        "trips_saved": Decimal(int(case.get("saved", 0))),
        "zero_trip_item_share": ratio(int(item.get("zero", 0)), handled),
        "one_trip_item_share": ratio(int(item.get("one", 0)), handled),
        "on_time_rate": ratio(decided and int(case.get("on_time", 0)), decided),
        "speed_up_rate": (Decimal(1) - ratio(int(case.get("used", 0)), promised_used))
        if promised_used
        else ZERO,
        "one_visit_rate": ratio(int(case.get("one_visit", 0)), int(case.get("completed", 0))),
        "cases_by_status": {
            status: int(case.get("by_status", {}).get(status, 0)) for status in CaseStatus.values
        },
        "cases_by_light": {light: int(case.get("by_light", {}).get(light, 0)) for light in Light.values},
    }


def halls_metrics(*, halls: Iterable[Hall], start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    """The point-8 metrics of each hall for the local dates start..end (both included), keyed by hall
    id. Grouped queries: the number of queries does not grow with the number of halls (one set per
    time zone)."""
    hall_list = list(halls)
    items = _item_figures([h.pk for h in hall_list], end)
    required = dict(
        HallCaseSettings.objects.filter(hall__in=hall_list).values_list("hall_id", "required_items")
    )
    cases = _case_figures(hall_list, start, end)
    result: dict[int, dict[str, Any]] = {}
    for hall in hall_list:
        item = items.get(hall.pk, {})
        handled = int(item.get("items", 0))
        result[hall.pk] = _hall_result(item, cases.get(hall.pk, {}), required.get(hall.pk, handled))
    return result


def hall_metrics(*, hall: Hall, start: dt.date, end: dt.date) -> dict[str, Any]:
    return halls_metrics(halls=[hall], start=start, end=end)[hall.pk]


def halls_for_metrics(*, user: User) -> Sequence[Hall]:
    return list(halls_for_staff(user=user, roles=[Role.HALL_MANAGER, Role.CITY_OFFICE]))


def hall_monthly(*, hall: Hall, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per month of the period: cases received, accepted, decided, decided on time, trips saved."""
    tz = ZoneInfo(hall.time_zone)
    since, until = _period(hall.time_zone, start, end)
    months: dict[str, dict[str, Any]] = {}
    cursor = start.replace(day=1)
    while cursor <= end:
        months[cursor.strftime("%Y-%m")] = {
            "month": cursor.strftime("%Y-%m"),
            "received": 0,
            "accepted": 0,
            "decided": 0,
            "on_time": 0,
            "trips_saved": 0,
        }
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)

    def add(rows: Any, key: str, value_key: str = "n") -> None:
        for row in rows:
            month = row["month"].strftime("%Y-%m")
            if month in months:
                months[month][key] += int(row[value_key] or 0)

    cases = Case.objects.filter(hall=hall)
    add(
        cases.filter(created_at__gte=since, created_at__lt=until)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id")),
        "received",
    )
    add(
        cases.filter(accepted_at__gte=since, accepted_at__lt=until)
        .annotate(month=TruncMonth("accepted_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id")),
        "accepted",
    )
    decided = cases.filter(decided_at__gte=since, decided_at__lt=until).annotate(
        month=TruncMonth("decided_at", tzinfo=tz), decided_on=TruncDate("decided_at", tzinfo=tz)
    )
    add(decided.values("month").annotate(n=Count("id")), "decided")
    add(decided.filter(decided_on__lte=F("promised_due")).values("month").annotate(n=Count("id")), "on_time")
    completed = cases.filter(completed_at__gte=since, completed_at__lt=until).annotate(
        month=TruncMonth("completed_at", tzinfo=tz)
    )
    add(completed.values("month").annotate(n=Sum(F("baseline_trips") - F("trips_made"))), "trips_saved")
    return list(months.values())
