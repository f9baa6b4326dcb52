"""What every case service shares: the conditional transition, the history row, scope checks and the
deadline arithmetic (all of it through `core.workdays`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.cases.models import Case, CaseHistory, CaseStep, ItemRules, StepKind
from minxin.catalog.models import ItemVersion
from minxin.core import clock
from minxin.core.errors import Conflict, InvalidInput, NotFound
from minxin.core.events import publish_on_commit
from minxin.core.workdays import WorkingCalendar
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall

VIEW_ROLES = {Role.SYSTEM_ADMIN, Role.HALL_MANAGER, Role.CITY_OFFICE, Role.WINDOW_CLERK}
WINDOW_ROLES = {Role.SYSTEM_ADMIN, Role.HALL_MANAGER, Role.WINDOW_CLERK}
MANAGER_ROLES = {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}


def field_error(field_name: str, message: str, code: str) -> InvalidInput:
    """Bad input, naming the field (the API's `details.field`, the page's highlighted field)."""
    return InvalidInput(message, code=code, details={"field": field_name})


def hall_today(hall: Hall) -> dt.date:
    return clock.local_today(hall.time_zone)


def case_topic(hall: Hall) -> str:
    return f"cases.{hall.code}"


def staff_may_view_case(*, user: User, case: Case) -> bool:
    """Hall staff, the city office above the hall, and the officers of the case's department."""
    roles = staff_roles_in_hall(user=user, hall=case.hall)
    if roles & VIEW_ROLES:
        return True
    if Role.DEPARTMENT_OFFICER in roles:
        return case.department.officers.filter(pk=user.pk).exists()
    return False


def staff_may_decide(*, user: User, case: Case) -> bool:
    """The department's officers (and the hall's manager) move a case through the back office."""
    roles = staff_roles_in_hall(user=user, hall=case.hall)
    if roles & MANAGER_ROLES:
        return True
    return Role.DEPARTMENT_OFFICER in roles and case.department.officers.filter(pk=user.pk).exists()


def staff_may_act_at_window(*, user: User, case: Case) -> bool:
    return bool(staff_roles_in_hall(user=user, hall=case.hall) & WINDOW_ROLES)


def case_require(*, case: Case, user: User, allowed: bool) -> None:
    """Refuse an action outside the user's scope: 404 when they may not even see the case (its existence
    is not theirs to know), 403 when they see it but may not do this."""
    if allowed:
        return
    if not staff_may_view_case(user=user, case=case):
        raise NotFound(_("No such case."), code="case_not_found")
    from minxin.core.errors import Forbidden

    raise Forbidden(_("This action on the case is not yours to take."), code="case_forbidden")


def history_add(
    *,
    case: Case,
    action: str,
    from_status: str,
    actor: User | None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> CaseHistory:
    entry = CaseHistory.objects.create(
        case=case,
        at=clock.now(),
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        note=note,
        details=details or {},
    )
    publish_on_commit(
        case_topic(case.hall),
        {"case": str(case.public_id), "number": case.number, "status": case.status, "action": action},
    )
    return entry


def case_move(*, case: Case, from_statuses: Iterable[str], to_status: str, **fields: Any) -> None:
    """The transition as one conditional UPDATE: two clerks racing on the same case cannot both win."""
    allowed = list(from_statuses)
    updated = Case.objects.filter(pk=case.pk, status__in=allowed).update(status=to_status, **fields)
    if not updated:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise Conflict(
            _("The case is %(status)s; this step is not possible now.") % {"status": current},
            code="case_wrong_status",
            details={"status": current, "expected": allowed},
        )
    case.status = to_status
    for name, value in fields.items():
        setattr(case, name, value)


def case_locked(*, case_id: int) -> Case:
    case = (
        Case.objects.select_for_update()
        .select_related("hall", "department", "item_version")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."), code="case_not_found")
    return case


@dataclass(frozen=True, slots=True)
class Deadlines:
    promised_due: dt.date
    statutory_due: dt.date
    steps: list[tuple[str, int, dt.date]]


def step_days(version: ItemVersion) -> list[tuple[str, int]]:
    """Each step's share of the promised limit: the item version's rule, else an even split (the last
    steps take the remainder, so decide gets the most)."""
    rules = ItemRules.objects.filter(version=version).first()
    if rules is not None and None not in (rules.accept_days, rules.review_days, rules.decide_days):
        return [
            (StepKind.ACCEPT, int(rules.accept_days or 0)),
            (StepKind.REVIEW, int(rules.review_days or 0)),
            (StepKind.DECIDE, int(rules.decide_days or 0)),
        ]
    total = version.promised_days
    base, extra = divmod(total, 3)
    return [
        (StepKind.ACCEPT, base),
        (StepKind.REVIEW, base + (1 if extra == 2 else 0)),
        (StepKind.DECIDE, base + (1 if extra >= 1 else 0)),
    ]


def deadlines_for(
    *, version: ItemVersion, accepted_on: dt.date, calendar: WorkingCalendar | None = None
) -> Deadlines:
    """Promised and statutory deadlines and each step's, counted from the day after acceptance.
    Raises WorkingCalendarMissing when any of them falls in a year not loaded."""
    cal = calendar or WorkingCalendar(
        accepted_on, accepted_on + dt.timedelta(days=version.statutory_days * 3 + 60)
    )
    steps: list[tuple[str, int, dt.date]] = []
    used = 0
    for kind, days in step_days(version):
        used += days
        steps.append((kind, days, cal.add(accepted_on, min(used, version.statutory_days))))
    return Deadlines(
        promised_due=cal.add(accepted_on, version.promised_days),
        statutory_due=cal.add(accepted_on, version.statutory_days),
        steps=steps,
    )


def steps_create(*, case: Case, deadlines: Deadlines, now: dt.datetime) -> None:
    CaseStep.objects.bulk_create(
        [
            CaseStep(
                case=case,
                kind=kind,
                position=position,
                days=days,
                due=due,
                started_at=now if position == 0 else None,
            )
            for position, (kind, days, due) in enumerate(deadlines.steps)
        ]
    )


def yellow_days(version: ItemVersion) -> int:
    rules = ItemRules.objects.filter(version=version).only("yellow_days").first()
    if rules is not None and rules.yellow_days is not None:
        return int(rules.yellow_days)
    return int(settings.CASES_YELLOW_WORKING_DAYS)


def baseline_trips(version: ItemVersion) -> int:
    rules = ItemRules.objects.filter(version=version).only("baseline_trips").first()
    if rules is not None and rules.baseline_trips is not None:
        return int(rules.baseline_trips)
    return int(settings.CASES_BASELINE_TRIPS)


def open_steps(case: Case) -> Q:
    return Q(case=case, finished_at__isnull=True)
