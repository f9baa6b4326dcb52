"""Reads of cases: a case in scope, lists (inbox, citizen, supervision) and the hall metrics.

The metrics of DOMAIN.md §2 point 8 are `halls_metrics(halls=…, start=…, end=…)` (many halls at once,
a fixed number of grouped queries whatever their number) and `hall_metrics(hall=…, start=…, end=…)`
for one; both give `Decimal` values rounded half-up to four places (formulas in docs/cases.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from minxin.accounts.models import Citizen, Role, User
from minxin.cases.models import (
    OPEN_STATUSES,
    Applicant,
    Case,
    CaseHistory,
    CaseMaterial,
    CaseStatus,
    HallCaseSettings,
    Light,
    LightFlip,
    StaffNotice,
)
from minxin.cases.services.common import staff_may_view_case
from minxin.catalog.models import Department, ItemVersion, Material
from minxin.catalog.selectors import current_versions, departments_for_officer
from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall

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


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    """numerator ÷ denominator rounded half-up to 4 places; 0 when there is nothing to divide by."""
    if not denominator:
        return ZERO
    return (Decimal(numerator) / Decimal(denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def case_for_staff(*, user: User, public_id: str) -> Case | None:
    case = (
        Case.objects.select_related(
            "hall__unit__region", "department", "item_version__item", "applicant", "window", "clerk"
        )
        .filter(public_id=public_id)
        .first()
    )
    if case is None or not staff_may_view_case(user=user, case=case):
        return None
    return case


def citizen_cases(*, citizen: Citizen) -> QuerySet[Case]:
    """The cases of applicants linked to the citizen or sharing the citizen's verified phone."""
    return (
        Case.objects.filter(Q(applicant__citizen=citizen) | Q(applicant__phone_hash=citizen.phone_hash))
        .select_related("hall", "department", "item_version")
        .order_by("-created_at")
    )


def case_for_citizen(*, citizen: Citizen, public_id: str) -> Case | None:
    return citizen_cases(citizen=citizen).select_related("applicant").filter(public_id=public_id).first()


def case_lookup(*, number: str, phone_last4: str) -> Case | None:
    """办件查询: the case with this number whose applicant's phone ends with these four digits."""
    case = (
        Case.objects.select_related("hall", "department", "item_version", "applicant")
        .filter(number=number.strip().upper())
        .first()
    )
    if case is None or not phone_last4.isdigit() or case.applicant.phone_masked[-4:] != phone_last4:
        return None
    return case


def case_history(case: Case) -> list[CaseHistory]:
    return list(CaseHistory.objects.filter(case=case).select_related("actor").order_by("at", "id"))


def case_materials(case: Case) -> list[CaseMaterial]:
    return list(
        CaseMaterial.objects.filter(case=case)
        .select_related("material")
        .order_by("material__position", "material_id")
    )


def department_inbox(*, user: User, hall: Hall, status: str = "") -> QuerySet[Case]:
    """Open cases of the departments the user handles (every department for the hall manager)."""
    departments = departments_for_officer(user=user, hall=hall)
    cases = Case.objects.filter(department__in=departments).select_related(
        "department", "item_version", "applicant"
    )
    if status:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=[*OPEN_STATUSES, CaseStatus.DECIDED, CaseStatus.DELIVERING])
    return cases.order_by("promised_due", "accepted_at", "id")


def hall_cases_today(*, hall: Hall, clerk: User | None = None) -> QuerySet[Case]:
    today = clock.local_today(hall.time_zone)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=ZoneInfo(hall.time_zone))
    cases = Case.objects.filter(hall=hall, created_at__gte=start).select_related("item_version", "applicant")
    if clerk is not None:
        cases = cases.filter(clerk=clerk)
    return cases.order_by("-created_at")


def applicant_prefill(*, phone_hash: str) -> Applicant | None:
    """Form-free filing: the applicant last seen with this phone (from an earlier case)."""
    if not phone_hash:
        return None
    return Applicant.objects.filter(phone_hash=phone_hash).order_by("-updated_at").first()


def staff_notices(*, user: User, limit: int = 20) -> list[StaffNotice]:
    return list(
        StaffNotice.objects.filter(recipient=user, read_at__isnull=True).select_related("case")[:limit]
    )


def staff_may_supervise(*, user: User, hall: Hall) -> bool:
    roles = staff_roles_in_hall(user=user, hall=hall)
    return bool(roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER, Role.CITY_OFFICE})


@dataclass(frozen=True, slots=True)
class DepartmentSupervision:
    department: Department
    yellow: list[Case]
    red: list[Case]
    yellow_cards: int
    red_cards: int


def hall_supervision(*, hall: Hall, today: dt.date | None = None) -> list[DepartmentSupervision]:
    """Yellow and red open cases by department, and the cards (黄牌/红牌: flips to yellow or red)
    issued per department this month, in the hall's zone."""
    day = today or clock.local_today(hall.time_zone)
    month_start = dt.datetime.combine(day.replace(day=1), dt.time.min, tzinfo=ZoneInfo(hall.time_zone))
    lit = list(
        Case.objects.filter(hall=hall, status__in=OPEN_STATUSES, light__in=[Light.YELLOW, Light.RED])
        .select_related("department", "item_version", "applicant")
        .order_by("department__name", "-light", "statutory_due", "id")
    )
    cards: dict[tuple[int, str], int] = {
        (row["department_id"], row["to_light"]): row["n"]
        for row in LightFlip.objects.filter(hall=hall, at__gte=month_start, step__isnull=True)
        .values("department_id", "to_light")
        .annotate(n=Count("id"))
    }
    departments = {c.department_id: c.department for c in lit}
    for dep in Department.objects.filter(pk__in={k[0] for k in cards}):
        departments.setdefault(dep.pk, dep)
    result = []
    for dep in sorted(departments.values(), key=lambda d: d.name):
        result.append(
            DepartmentSupervision(
                department=dep,
                yellow=[c for c in lit if c.department_id == dep.pk and c.light == Light.YELLOW],
                red=[c for c in lit if c.department_id == dep.pk and c.light == Light.RED],
                yellow_cards=cards.get((dep.pk, Light.YELLOW), 0),
                red_cards=cards.get((dep.pk, Light.RED), 0),
            )
        )
    return result


# ---- metrics -------------------------------------------------------------------------------------


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


def halls_metrics(*, halls: Iterable[Hall], start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    """The point-8 metrics of each hall for the local dates start..end (both included), keyed by hall
    id. Grouped queries: the number of queries does not grow with the number of halls (one set per
    time zone)."""
    hall_list = list(halls)
    by_zone: dict[str, list[int]] = defaultdict(list)
    for hall in hall_list:
        by_zone[hall.time_zone].append(hall.pk)
    items = _item_figures([h.pk for h in hall_list], end)
    required = dict(
        HallCaseSettings.objects.filter(hall__in=hall_list).values_list("hall_id", "required_items")
    )
    cases: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for zone, ids in by_zone.items():
        since, until = _period(zone, start, end)
        tz = ZoneInfo(zone)
        decided = Case.objects.filter(hall_id__in=ids, decided_at__gte=since, decided_at__lt=until)
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
        for row in (
            Case.objects.filter(hall_id__in=ids, completed_at__gte=since, completed_at__lt=until)
            .values("hall_id")
            .annotate(
                completed=Count("id"),
                one_visit=Count("id", filter=Q(trips_made__lte=1)),
                baseline=Sum("baseline_trips"),
                trips=Sum("trips_made"),
            )
        ):
            cases[row["hall_id"]].update(
                completed=row["completed"],
                one_visit=row["one_visit"],
                saved=int(row["baseline"] or 0) - int(row["trips"] or 0),
            )
        received = Case.objects.filter(hall_id__in=ids, created_at__gte=since, created_at__lt=until)
        for row in received.values("hall_id", "status").annotate(n=Count("id")):
            cases[row["hall_id"]].setdefault("by_status", {})[row["status"]] = row["n"]
        for row in (
            received.filter(accepted_at__isnull=False).values("hall_id", "light").annotate(n=Count("id"))
        ):
            cases[row["hall_id"]].setdefault("by_light", {})[row["light"]] = row["n"]
    result: dict[int, dict[str, Any]] = {}
    for hall in hall_list:
        item = items.get(hall.pk, {})
        case = cases.get(hall.pk, {})
        handled = int(item.get("items", 0))
        before = int(item.get("materials_before", 0))
        after = int(item.get("materials_after", 0))
        statutory = int(item.get("statutory", 0))
        promised_used = int(case.get("promised", 0))
        result[hall.pk] = {
            "entry_rate": ratio(handled, required.get(hall.pk, handled)),
            "materials_cut_rate": ratio(before - after, before),
            "time_limit_cut_rate": ratio(statutory - int(item.get("promised", 0)), statutory),
            "trips_saved": Decimal(int(case.get("saved", 0))),
            "zero_trip_item_share": ratio(int(item.get("zero", 0)), handled),
            "one_trip_item_share": ratio(int(item.get("one", 0)), handled),
            "on_time_rate": ratio(
                int(case.get("decided", 0)) and int(case.get("on_time", 0)), int(case.get("decided", 0))
            ),
            "speed_up_rate": (Decimal(1) - ratio(int(case.get("used", 0)), promised_used))
            if promised_used
            else ZERO,
            "one_visit_rate": ratio(int(case.get("one_visit", 0)), int(case.get("completed", 0))),
            "cases_by_status": {
                status: int(case.get("by_status", {}).get(status, 0)) for status in CaseStatus.values
            },
            "cases_by_light": {light: int(case.get("by_light", {}).get(light, 0)) for light in Light.values},
        }
    return result


def hall_metrics(*, hall: Hall, start: dt.date, end: dt.date) -> dict[str, Any]:
    return halls_metrics(halls=[hall], start=start, end=end)[hall.pk]


def halls_for_metrics(*, user: User) -> Sequence[Hall]:
    from minxin.orgs.selectors import halls_for_staff

    return list(halls_for_staff(user=user, roles=[Role.HALL_MANAGER, Role.CITY_OFFICE]))


ACTION_LABELS = {
    "intake_accept": _("Accepted at the window"),
    "intake_accept_with_gaps": _("Accepted; some materials to follow"),
    "intake_correct": _("One-time correction notice issued"),
    "intake_refuse": _("Not accepted"),
    "correction_incomplete": _("Materials brought back, still incomplete"),
    "accept_after_correction": _("Accepted after correction"),
    "gaps_supplied": _("Missing materials supplied"),
    "step_accept_done": _("Department took the case over"),
    "step_review_done": _("Review finished"),
    "suspend": _("Clock stopped"),
    "resume": _("Clock restarted"),
    "extend": _("Time limit extended"),
    "decide_approve": _("Approved"),
    "decide_reject": _("Rejected"),
    "deliver_window": _("Result ready at the result window"),
    "deliver_mail": _("Result posted"),
    "deliver_home": _("Result on its way home"),
    "complete": _("Result received"),
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    note: str


def cases_timelines(cases: Sequence[Case]) -> dict[int, list[TimelineEntry]]:
    """Each case's progress for citizens: the history rows in order, labelled (one query)."""
    timelines: dict[int, list[TimelineEntry]] = {case.pk: [] for case in cases}
    rows = CaseHistory.objects.filter(case_id__in=list(timelines)).order_by("at", "id")
    for row in rows.values("case_id", "at", "action", "note", "details"):
        note = row["note"] if row["action"] in {"intake_refuse", "decide_reject", "suspend", "extend"} else ""
        details = row["details"] or {}
        if row["action"] == "deliver_mail" and details.get("tracking"):
            note = f"{details.get('carrier', '')} {details['tracking']}".strip()
        timelines[row["case_id"]].append(
            TimelineEntry(
                at=row["at"],
                action=row["action"],
                label=str(ACTION_LABELS.get(row["action"], row["action"])),
                note=note,
            )
        )
    return timelines


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
    from django.db.models.functions import TruncMonth

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


@dataclass(frozen=True, slots=True)
class CaseProgress:
    """A case as its applicant follows it: status, deadlines kept or not, what is missing, the way the
    result comes, and every step so far."""

    case: Case
    timeline: list[TimelineEntry]
    missing: list[str]
    on_time: bool | None
    overdue: bool


def cases_progress(cases: Sequence[Case]) -> list[CaseProgress]:
    timelines = cases_timelines(cases)
    missing: dict[int, list[str]] = defaultdict(list)
    rows = CaseMaterial.objects.filter(case__in=list(cases)).select_related("material", "case")
    for row in rows.order_by("material__position", "material_id"):
        waiting_correction = row.case.status == CaseStatus.CORRECTION and row.on_notice and not row.ok
        waiting_gap = row.gap_due is not None and row.received_at is None
        if waiting_correction or waiting_gap:
            missing[row.case_id].append(row.material.name)
    result = []
    for case in cases:
        zone = ZoneInfo(case.hall.time_zone)
        on_time = None
        if case.decided_at is not None and case.promised_due is not None:
            on_time = case.decided_at.astimezone(zone).date() <= case.promised_due
        overdue = bool(
            case.decided_at is None
            and case.promised_due is not None
            and case.status in OPEN_STATUSES
            and clock.local_today(case.hall.time_zone) > case.promised_due
        )
        result.append(
            CaseProgress(
                case=case,
                timeline=timelines[case.pk],
                missing=missing[case.pk],
                on_time=on_time,
                overdue=overdue,
            )
        )
    return result
