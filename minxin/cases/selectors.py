"""Reads of cases: a case in scope, lists (inbox, citizen, supervision), the citizen's timelines and
the hall metrics.

The metrics of DOMAIN.md §2 point 8 are `halls_metrics(halls=…, start=…, end=…)` (many halls at once,
a fixed number of grouped queries whatever their number) and `hall_metrics(hall=…, start=…, end=…)`
for one; both give `Decimal` values rounded half-up to four places (formulas in docs/cases.md). They
live in `cases.metrics` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from minxin.accounts.models import Citizen, Role, User
from minxin.cases.metrics import (
    METRIC_KEYS,
    PLACES,
    ZERO,
    hall_metrics,
    hall_monthly,
    halls_for_metrics,
    halls_metrics,
    ratio,
)
from minxin.cases.models import (
    OPEN_STATUSES,
    Applicant,
    Case,
    CaseHistory,
    CaseMaterial,
    CaseStatus,
    Light,
    LightFlip,
    StaffNotice,
)
from minxin.cases.services.common import staff_may_view_case
from minxin.catalog.models import Department
from minxin.catalog.selectors import departments_for_officer
from minxin.core import clock
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall

__all__ = [
    "ACTION_LABELS",
    "METRIC_KEYS",
    "PLACES",
    "SUPERVISE_ROLES",
    "ZERO",
    "CaseProgress",
    "DepartmentSupervision",
    "TimelineEntry",
    "applicant_prefill",
    "case_for_citizen",
    "case_for_staff",
    "case_history",
    "case_lookup",
    "case_materials",
    "cases_progress",
    "cases_timelines",
    "citizen_cases",
    "department_inbox",
    "hall_cases_today",
    "hall_metrics",
    "hall_monthly",
    "hall_supervision",
    "halls_for_metrics",
    "halls_metrics",
    "ratio",
    "staff_may_supervise",
    "staff_notices",
]


SUPERVISE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.HALL_MANAGER, Role.CITY_OFFICE})


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
    return bool(roles & SUPERVISE_ROLES)


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
