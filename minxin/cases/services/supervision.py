"""E-supervision (电子监察): each case's light and the worker job that flips it.

Rules (docs/cases.md):
- yellow from the day the promised deadline is within N working days (N = the item's rule or
  CASES_YELLOW_WORKING_DAYS), or once it is overrun;
- red the day after the statutory deadline, or when a yellow light is not cleared (by a decision)
  within CASES_SUPERVISION_WORKING_DAYS working days of turning yellow;
- a step is yellow the day after its own due date and red M working days later.
Lights never go back: a flip is a supervision record. A suspended or decided case is not checked.

Each open case stores `next_check_at`, the local midnight at which its light can next change. The
job reads the due rows from the partial index on that column and claims each with a conditional
UPDATE (same light, same next check): two workers never flip a case twice, and the cost grows with
the due cases, not with the open ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.cases.models import Case, CaseStatus, CaseStep, Light, LightFlip, StaffNotice
from minxin.cases.sql import LightWrite, lights_write
from minxin.cases.staff_notices import StaffMessage, staff_notices_send_on_commit
from minxin.core import clock
from minxin.core.workdays import WorkingCalendar, WorkingCalendarMissing

logger = logging.getLogger(__name__)
_RANK = {Light.NONE: 0, Light.YELLOW: 1, Light.RED: 2}
CHECKED_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


@dataclass(frozen=True, slots=True)
class LightPlan:
    light: str
    reason: str
    yellow_on: dt.date | None
    next_check_on: dt.date | None


def light_plan(
    *,
    light: str,
    yellow_on: dt.date | None,
    promised_due: dt.date,
    statutory_due: dt.date,
    today: dt.date,
    yellow_days: int,
    calendar: WorkingCalendar,
) -> LightPlan:
    """The light a case should show on `today` (never lower than `light`) and the next date it may
    change (None once red)."""
    grace = int(settings.CASES_SUPERVISION_WORKING_DAYS)
    reason = ""
    if _RANK[Light(light)] < 1:
        yellow_from = calendar.subtract(promised_due, yellow_days)
        if today >= yellow_from:
            light, yellow_on = Light.YELLOW, today
            reason = "promised_overrun" if today > promised_due else "promised_near"
        else:
            return LightPlan(light, reason, yellow_on, yellow_from)
    if light == Light.YELLOW:
        red_on = statutory_due + dt.timedelta(days=1)
        red_reason = "statutory_overrun"
        uncleared_on = calendar.add(yellow_on or today, grace) + dt.timedelta(days=1)
        if uncleared_on < red_on:
            red_on, red_reason = uncleared_on, "yellow_not_cleared"
        if today >= red_on:
            return LightPlan(Light.RED, red_reason, yellow_on, None)
        return LightPlan(Light.YELLOW, reason, yellow_on, red_on)
    return LightPlan(Light.RED, reason, yellow_on, None)


def midnight(day: dt.date | None, zone: str) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def step_plan(*, step: CaseStep, today: dt.date, calendar: WorkingCalendar) -> tuple[str, dt.date | None]:
    """A step's light on `today` and the next date it may change."""
    if step.finished_at is not None:
        return step.light, None
    yellow_on = step.due + dt.timedelta(days=1)
    red_on = calendar.add(step.due, int(settings.CASES_SUPERVISION_WORKING_DAYS)) + dt.timedelta(days=1)
    if today >= red_on:
        return Light.RED, None
    if today >= yellow_on:
        return (Light.YELLOW if step.light != Light.RED else Light.RED), red_on
    return step.light, yellow_on


def case_plan(case: Case, *, today: dt.date, calendar: WorkingCalendar, yellow_days: int) -> LightPlan:
    assert case.promised_due is not None
    assert case.statutory_due is not None
    return light_plan(
        light=case.light,
        yellow_on=case.yellow_on,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        today=today,
        yellow_days=yellow_days,
        calendar=calendar,
    )


def recipients_for(case: Case, cache: dict[tuple[int, int], list[User]] | None = None) -> list[User]:
    """The department's officers and the hall's managers (cached per department and hall in a sweep)."""
    key = (case.department_id, case.hall_id)
    if cache is not None and key in cache:
        return cache[key]
    officers = list(case.department.officers.filter(is_active=True))
    managers = list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.HALL_MANAGER,
            memberships__hall_id=case.hall_id,
        ).distinct()
    )
    seen: dict[int, User] = {}
    for user in officers + managers:
        seen.setdefault(user.pk, user)
    found = list(seen.values())
    if cache is not None:
        cache[key] = found
    return found


def flip_notify(*, flips: list[LightFlip]) -> int:
    """Write one in-app notice per recipient per flip (unique, so a retried job adds none) in one insert,
    and hand each flip to the staff notice backend after commit (minxin/cases/staff_notices.py: the
    government's messaging addresses staff by account, not by phone)."""
    now = clock.now()
    cache: dict[tuple[int, int], list[User]] = {}
    rows = []
    messages: list[StaffMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for flip in flips:
            case = flip.case
            label = _("yellow") if flip.to_light == Light.YELLOW else _("red")
            text = _("Case %(number)s (%(item)s, %(department)s) turned %(light)s.") % {
                "number": case.number,
                "item": case.item_version.name,
                "department": case.department.name,
                "light": label,
            }
            recipients = recipients_for(case, cache)
            rows += [
                StaffNotice(recipient=user, case=case, flip=flip, text=text[:255], created_at=now)
                for user in recipients
            ]
            if recipients:
                link = reverse("cases:case", kwargs={"public_id": case.public_id})
                messages.append(StaffMessage(tuple(u.username for u in recipients), text, link))
    StaffNotice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    staff_notices_send_on_commit(messages)
    return len(rows)


def _due_ids(now: dt.datetime, batch: int) -> list[int]:
    due = Case.objects.filter(next_check_at__lte=now).order_by("next_check_at").values_list("pk", flat=True)
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    return list(due[:batch])


@dataclass(slots=True)
class _Sweep:
    """What a sweep decided for one case, written later in one statement for all of them."""

    case: Case
    write: LightWrite
    flips: list[LightFlip]
    step_lights: list[tuple[CaseStep, str]]


def cases_supervise(*, batch: int | None = None) -> int:
    """Worker job: flip the lights of the cases whose next check has come. Returns the flips made.

    Reads the due rows from the partial index (locked with SKIP LOCKED on PostgreSQL; SQLite's
    IMMEDIATE transactions serialise writers), decides every case in Python with one preloaded
    calendar, writes all new lights in one statement guarded by each case's old light and next check,
    and records flips and notices only for the rows that statement changed."""
    now = clock.now()
    size = batch or int(settings.CASES_SWEEP_BATCH)
    with transaction.atomic():
        ids = _due_ids(now, size)
        if not ids:
            return 0
        cases = list(
            Case.objects.filter(pk__in=ids).select_related("hall", "department", "item_version__case_rules")
        )
        steps: dict[int, list[CaseStep]] = {}
        for step in CaseStep.objects.filter(case_id__in=ids, finished_at__isnull=True).order_by("position"):
            steps.setdefault(step.case_id, []).append(step)
        first = min((c.accepted_on or now.date()) for c in cases) - dt.timedelta(days=30)
        calendar = WorkingCalendar(first, now.date() + dt.timedelta(days=120))
        decided = [_decide(case, steps.get(case.pk, []), now=now, calendar=calendar) for case in cases]
        flips = _apply(decided, now=now)
    return len(flips)


def _apply(decided: list[_Sweep], *, now: dt.datetime) -> list[LightFlip]:
    written: set[int] = set()
    for start in range(0, len(decided), 500):
        written |= lights_write(rows=[d.write for d in decided[start : start + 500]], now=now)
    flips: list[LightFlip] = []
    step_changes: dict[tuple[str, str], list[int]] = {}
    for item in decided:
        if item.case.pk not in written:
            continue
        flips += item.flips
        for step, light in item.step_lights:
            step_changes.setdefault((step.light, light), []).append(step.pk)
    for (old, new), step_ids in step_changes.items():
        CaseStep.objects.filter(pk__in=step_ids, light=old).update(light=new)
    LightFlip.objects.bulk_create(flips, batch_size=1000)
    flip_notify(flips=flips)
    return flips


def _decide(case: Case, steps: list[CaseStep], *, now: dt.datetime, calendar: WorkingCalendar) -> _Sweep:
    """The case's light, yellow date and next check as of `now`, with the flips that makes."""
    today = now.astimezone(ZoneInfo(case.hall.time_zone)).date()
    unchanged = LightWrite(case.pk, case.light, case.next_check_at, case.light, case.yellow_on, None)
    if case.status not in CHECKED_STATUSES or case.promised_due is None:
        return _Sweep(case, unchanged, [], [])
    rules = getattr(case.item_version, "case_rules", None)
    yellow = rules.yellow_days if rules is not None and rules.yellow_days is not None else None
    try:
        plan = case_plan(
            case,
            today=today,
            calendar=calendar,
            yellow_days=int(settings.CASES_YELLOW_WORKING_DAYS if yellow is None else yellow),
        )
    except WorkingCalendarMissing as missing:
        # Cannot say when it changes next: look again tomorrow, once the year may be loaded.
        logger.warning("case %s: calendar for %s missing", case.number, missing.year)
        retry = LightWrite(
            case.pk, case.light, case.next_check_at, case.light, case.yellow_on, now + dt.timedelta(days=1)
        )
        return _Sweep(case, retry, [], [])
    next_dates = [d for d in [plan.next_check_on] if d is not None]
    flips: list[LightFlip] = []
    step_lights: list[tuple[CaseStep, str]] = []
    for step in steps[:1]:  # only the current step runs
        light, next_on = step_plan(step=step, today=today, calendar=calendar)
        if next_on is not None:
            next_dates.append(next_on)
        if light != step.light:
            step_lights.append((step, light))
            flips.append(
                LightFlip(
                    case=case,
                    step=step,
                    department=case.department,
                    hall=case.hall,
                    at=now,
                    from_light=step.light,
                    to_light=light,
                    reason="step_overtime",
                )
            )
    if plan.light != case.light:
        flips.append(
            LightFlip(
                case=case,
                department=case.department,
                hall=case.hall,
                at=now,
                from_light=case.light,
                to_light=plan.light,
                reason=plan.reason or "statutory_overrun",
            )
        )
    next_check = midnight(min(next_dates), case.hall.time_zone) if next_dates else None
    write = LightWrite(case.pk, case.light, case.next_check_at, plan.light, plan.yellow_on, next_check)
    return _Sweep(case, write, flips, step_lights)


def case_light_schedule(
    *, case: Case, now: dt.datetime | None = None, calendar: WorkingCalendar | None = None
) -> list[LightFlip]:
    """Set the case's next check from its dates (after acceptance, resume or extension) and apply any
    flip already due, recording it. Called inside the caller's transaction."""
    moment = now or clock.now()
    cal = calendar or WorkingCalendar(
        moment.date() - dt.timedelta(days=30), moment.date() + dt.timedelta(days=120)
    )
    steps = list(CaseStep.objects.filter(case=case, finished_at__isnull=True).order_by("position"))
    case.refresh_from_db(fields=["light", "yellow_on", "next_check_at", "status"])
    flips = _apply([_decide(case, steps, now=moment, calendar=cal)], now=moment)
    case.refresh_from_db(fields=["light", "yellow_on", "next_check_at", "light_changed_at"])
    return flips
