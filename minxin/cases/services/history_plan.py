"""One historic case as rows to insert: what happened and when (received, accepted, working days used,
suspended, extended, decided, delivered, completed), with every deadline computed by the working-day
calendar exactly as intake would, and the light and next check of a case still open. `case_built` runs
the steps below in the order the case lived them; `services.history` writes many cases at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from minxin.cases.models import CaseExtension, CaseMaterial, CaseStatus, CaseStep, CaseSuspension, NoticeKind
from minxin.cases.services.common import step_days
from minxin.cases.services.history_lights import case_lights
from minxin.cases.services.history_story import Built, Dues, HistoricCase, Story, seq_of, story_begin
from minxin.catalog.models import Material
from minxin.core.workdays import WorkingCalendar
from minxin.orgs.models import Hall

SUSPENSION_REASONS = {
    "testing": "检测",
    "hearing": "听证",
    "inspection": "现场核查",
    "expert_review": "专家评审",
}


def _refused(story: Story, materials: list[Material]) -> None:
    case, row, received = story.case, story.row, story.received
    case.status, case.refused_at = CaseStatus.REFUSED, received
    case.refusal_reasons = row.refusal or "申请事项不属于本机关职权范围"
    case.refusal_basis = row.version.legal_basis or "《中华人民共和国行政许可法》第三十二条"
    story.built.materials = [
        CaseMaterial(material=m, presented=True, ok=True, original=True) for m in materials
    ]
    story.notice(NoticeKind.REFUSAL, received, missing=[], reasons=case.refusal_reasons)
    story.log(received, "intake_refuse", "", CaseStatus.REFUSED, row.clerk, case.refusal_reasons)


def _corrected(story: Story, materials: list[Material]) -> dt.date | None:
    """A correction notice at the window; the day the case was accepted after it, or None (still
    waiting for the materials on `today`)."""
    row = story.row
    missing_names = [m for m in materials if m.mandatory][-1:] if materials else []
    story.built.materials = [
        CaseMaterial(
            material=m,
            presented=m not in missing_names,
            ok=m not in missing_names,
            original=True,
            on_notice=m in missing_names,
            note="缺少" if m in missing_names else "",
        )
        for m in materials
    ]
    story.notice(
        NoticeKind.CORRECTION,
        story.received,
        reasons="",
        missing=[{"material": m.pk, "name": m.name, "note": "缺少", "due": None} for m in missing_names],
    )
    story.log(story.received, "intake_correct", "", CaseStatus.CORRECTION, row.clerk)
    back_on = (
        story.calendar.add(row.received_on, row.corrected_after) if row.corrected_after is not None else None
    )
    if back_on is None or back_on >= story.today:
        story.case.status = CaseStatus.CORRECTION
        return None
    story.case.trips_made = 2
    for material in story.built.materials:
        material.presented = material.ok = True
    story.log(
        story.at(back_on, 10),
        "accept_after_correction",
        CaseStatus.CORRECTION,
        CaseStatus.ACCEPTED,
        row.clerk,
    )
    return back_on


def _accepted_at_window(story: Story, materials: list[Material]) -> None:
    """Accepted on the day received, 容缺 gaps (accept_with_gaps) supplied two working days later."""
    row, today, calendar = story.row, story.today, story.calendar
    gaps = [m for m in materials if not m.mandatory][:1] if row.outcome == "accept_with_gaps" else []
    gap_due = calendar.add(row.received_on, int(settings.CASES_GAP_WORKING_DAYS))
    gap_back = calendar.add(row.received_on, 2)
    story.built.materials = [
        CaseMaterial(
            material=m,
            presented=m not in gaps or gap_back < today,
            ok=m not in gaps or gap_back < today,
            original=True,
            gap_due=gap_due if m in gaps else None,
            received_at=story.at(gap_back, 11) if m in gaps and gap_back < today else None,
        )
        for m in materials
    ]
    kind: str = NoticeKind.GAPS if gaps else NoticeKind.ACCEPTANCE
    story.log(story.received, f"intake_{row.outcome}", "", CaseStatus.ACCEPTED, row.clerk)
    if gaps and gap_back < today:
        story.case.trips_made += 1
        story.log(
            story.at(gap_back, 11), "gaps_supplied", CaseStatus.ACCEPTED, CaseStatus.ACCEPTED, row.clerk
        )
    story.notice(kind, story.received, missing=[], reasons="")


def _dues(story: Story, accepted_on: dt.date) -> Dues:
    """The deadlines stamped at acceptance (and the acceptance notice after a correction)."""
    row, calendar, version = story.row, story.calendar, story.row.version
    accepted_at = story.received if accepted_on == row.received_on else story.at(accepted_on, 10)
    promised = calendar.add(accepted_on, version.promised_days)
    statutory = calendar.add(accepted_on, version.statutory_days)
    story.case.accepted_at, story.case.accepted_on = accepted_at, accepted_on
    if row.outcome == "correct":
        story.notice(NoticeKind.ACCEPTANCE, accepted_at, missing=[], reasons="")
    used = 0
    step_dues = []
    for kind, days in step_days(version):
        used += days
        step_dues.append((kind, days, calendar.add(accepted_on, min(used, version.statutory_days))))
    return Dues(accepted_on, accepted_at, promised, statutory, step_dues)


def _suspension(story: Story, dues: Dues) -> None:
    """A suspension from the second working day (or the first), ended by `today` or still running."""
    row, calendar, case = story.row, story.calendar, story.case
    start = calendar.add(dues.accepted_on, max(1, min(row.handling_days, 2)))
    end = calendar.add(start, row.suspended_days)
    kind = row.suspension_kind
    if end > story.today:
        story.built.suspensions.append(
            CaseSuspension(kind=kind, reason="依法需要检测", started_on=start, started_by=row.officer)
        )
        story.log(
            story.at(start, 15),
            "suspend",
            CaseStatus.IN_REVIEW,
            CaseStatus.SUSPENDED,
            row.officer,
            "",
            kind=kind,
        )
        case.status, case.suspended_since = CaseStatus.SUSPENDED, start
        return
    dues.promised = calendar.add(dues.promised, row.suspended_days)
    dues.statutory = calendar.add(dues.statutory, row.suspended_days)
    dues.steps = [(k, d, calendar.add(due, row.suspended_days)) for k, d, due in dues.steps]
    case.suspended_days = row.suspended_days
    story.built.suspensions.append(
        CaseSuspension(
            kind=kind,
            reason="依法需要" + SUSPENSION_REASONS.get(kind, "检测"),
            started_on=start,
            ended_on=end,
            working_days=row.suspended_days,
            started_by=row.officer,
        )
    )
    story.log(
        story.at(start, 15), "suspend", CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED, row.officer, "", kind=kind
    )
    story.log(
        story.at(end, 9),
        "resume",
        CaseStatus.SUSPENDED,
        CaseStatus.IN_REVIEW,
        row.officer,
        "",
        working_days=row.suspended_days,
    )


def _extension(story: Story, dues: Dues) -> None:
    """The one extension, halfway through the working days used, when that day is past."""
    row, calendar = story.row, story.calendar
    days = int(settings.CASES_EXTENSION_WORKING_DAYS)
    new_due = calendar.add(dues.statutory, days)
    ext_on = calendar.add(dues.accepted_on, max(1, row.handling_days // 2))
    if ext_on >= story.today:
        return
    story.built.extensions.append(
        CaseExtension(
            days=days,
            reason="情况复杂，经负责人批准延长",
            approver=row.officer,
            at=story.at(ext_on, 16),
            previous_due=dues.statutory,
            new_due=new_due,
        )
    )
    story.log(
        story.at(ext_on, 16),
        "extend",
        CaseStatus.IN_REVIEW,
        CaseStatus.IN_REVIEW,
        row.officer,
        "情况复杂",
        statutory_due=new_due.isoformat(),
    )
    dues.statutory, story.case.extended_days = new_due, days


def _steps(story: Story, dues: Dues, *, decided: bool, decided_on: dt.date, took_on: dt.date) -> None:
    for position, (kind, days, due) in enumerate(dues.steps):
        finished = decided or (position == 0 and took_on < story.today)
        story.built.steps.append(
            CaseStep(
                kind=kind,
                position=position,
                days=days,
                due=due,
                started_at=dues.accepted_at if position == 0 else None,
                finished_at=story.at(decided_on if decided else took_on, 15) if finished else None,
                actor=story.row.officer if finished else None,
            )
        )


def _decided_and_after(story: Story, decided_on: dt.date) -> None:
    """The decision, then the delivery and the completion when their days are past."""
    row, case, number = story.row, story.case, story.number
    decided_at = story.at(decided_on, 15, seq_of(number) % 50)
    case.status, case.decided_at, case.decision = CaseStatus.DECIDED, decided_at, row.decision
    case.decision_reasons = "不符合法定条件" if row.decision == "reject" else ""
    case.handling_days = row.handling_days
    story.log(
        decided_at,
        f"decide_{row.decision}",
        CaseStatus.IN_REVIEW,
        CaseStatus.DECIDED,
        row.officer,
        case.decision_reasons,
    )
    delivered_on = decided_on + dt.timedelta(days=row.delivered_after)
    if delivered_on >= story.today:
        return
    case.status, case.delivered_at = CaseStatus.DELIVERING, story.at(delivered_on, 10)
    if row.delivery == "mail":
        case.delivery_carrier, case.delivery_tracking = "EMS", f"11{seq_of(number) * 7919 % 10**11:011d}"
    story.log(
        case.delivered_at,
        f"deliver_{row.delivery}",
        CaseStatus.DECIDED,
        CaseStatus.DELIVERING,
        row.clerk,
        "",
        carrier=case.delivery_carrier,
        tracking=case.delivery_tracking,
    )
    completed_on = delivered_on + dt.timedelta(days=row.completed_after)
    if completed_on >= story.today:
        return
    case.status, case.completed_at = CaseStatus.COMPLETED, story.at(completed_on, 14)
    if row.delivery == "window":
        case.trips_made += 1
    story.log(case.completed_at, "complete", CaseStatus.DELIVERING, CaseStatus.COMPLETED, row.clerk)


def _handled(story: Story, dues: Dues) -> None:
    """After acceptance: suspension, extension, the department taking over, the lights, the steps, and
    either the open case's status and next check or its decision and what followed."""
    row, calendar, case, today = story.row, story.calendar, story.case, story.today
    decided_on = calendar.add(dues.accepted_on, row.handling_days + row.suspended_days)
    if row.suspended_days:
        _suspension(story, dues)
    if row.extended:
        _extension(story, dues)
    dues.promised = min(dues.promised, dues.statutory)
    case.promised_due, case.statutory_due = dues.promised, dues.statutory
    took_on = calendar.add(dues.accepted_on, min(1, max(row.version.promised_days, 0)))
    if took_on < today and took_on <= decided_on:
        story.log(
            story.at(took_on, 9, 30),
            "step_accept_done",
            CaseStatus.ACCEPTED,
            CaseStatus.IN_REVIEW,
            row.officer,
        )
    decided = decided_on < today and case.status != CaseStatus.SUSPENDED
    next_check_at = case_lights(
        story.built,
        hall=story.hall,
        accepted_on=dues.accepted_on,
        promised=dues.promised,
        statutory=dues.statutory,
        light_day=decided_on if decided else today,
        today=today,
        yellow_days=story.yellow_days,
        calendar=calendar,
    )
    _steps(story, dues, decided=decided, decided_on=decided_on, took_on=took_on)
    if decided:
        _decided_and_after(story, decided_on)
        return
    if case.status != CaseStatus.SUSPENDED:
        case.status = CaseStatus.IN_REVIEW if took_on < today else CaseStatus.ACCEPTED
        case.next_check_at = next_check_at


def case_built(
    row: HistoricCase,
    number: str,
    hall: Hall,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    today: dt.date,
    yellow_days: int,
) -> Built:
    """The rows of one historic case as it would stand on `today`."""
    story = story_begin(row, number, hall, zone, calendar, today, yellow_days)
    materials = list(row.version.materials.all())
    if row.outcome == "refuse":
        _refused(story, materials)
        return story.built
    if row.outcome == "correct":
        accepted_on = _corrected(story, materials)
        if accepted_on is None:
            return story.built
    else:
        accepted_on = row.received_on
        _accepted_at_window(story, materials)
    _handled(story, _dues(story, accepted_on))
    return story.built
