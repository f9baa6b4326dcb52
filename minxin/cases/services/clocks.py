"""Both clocks of a case restarting after a suspension: the working days suspended move the promised
and statutory deadlines and the open steps' due dates. Shared by the back office's resumption and the
return of the last 容缺 material, which ends a 'waiting for materials' suspension."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.cases.models import Case, CaseStatus, CaseStep, CaseSuspension
from minxin.cases.services.common import case_move, hall_today, history_add
from minxin.cases.services.supervision import case_light_schedule
from minxin.core.errors import Conflict
from minxin.core.workdays import WorkingCalendar


def suspended_working_days(*, started_on: dt.date, resumed_on: dt.date, calendar: WorkingCalendar) -> int:
    """Working days from the day of suspension (counted) to the day of resumption (not counted)."""
    return calendar.between(started_on - dt.timedelta(days=1), resumed_on - dt.timedelta(days=1))


def case_resume_locked(*, case: Case, actor: User, now: dt.datetime) -> None:
    """Restart both clocks; both deadlines and the open steps' move by the working days suspended.
    The caller holds the case's row lock."""
    if case.status != CaseStatus.SUSPENDED:
        raise Conflict(_("The case is not suspended."), code="case_not_suspended")
    suspension = CaseSuspension.objects.select_for_update().get(case=case, ended_on__isnull=True)
    today = hall_today(case.hall)
    assert case.promised_due is not None
    assert case.statutory_due is not None
    calendar = WorkingCalendar(
        suspension.started_on - dt.timedelta(days=10), case.statutory_due + dt.timedelta(days=200)
    )
    days = suspended_working_days(started_on=suspension.started_on, resumed_on=today, calendar=calendar)
    CaseSuspension.objects.filter(pk=suspension.pk).update(ended_on=today, working_days=days)
    for step in CaseStep.objects.filter(case=case, finished_at__isnull=True):
        CaseStep.objects.filter(pk=step.pk).update(due=calendar.add(step.due, days))
    steps_started = CaseStep.objects.filter(case=case, position__gt=0, started_at__isnull=False).exists()
    case_move(
        case=case,
        from_statuses=[CaseStatus.SUSPENDED],
        to_status=CaseStatus.IN_REVIEW if steps_started else CaseStatus.ACCEPTED,
        promised_due=calendar.add(case.promised_due, days),
        statutory_due=calendar.add(case.statutory_due, days),
        suspended_days=F("suspended_days") + days,
        suspended_since=None,
    )
    case.refresh_from_db(fields=["suspended_days"])
    history_add(
        case=case,
        action="resume",
        from_status=CaseStatus.SUSPENDED,
        actor=actor,
        details={
            "working_days": days,
            "promised_due": case.promised_due.isoformat(),
            "statutory_due": case.statutory_due.isoformat(),
        },
    )
    case_light_schedule(case=case, now=now, calendar=calendar)
