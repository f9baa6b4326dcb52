"""Importing past cases in bulk (from a former case system, or the demo city's generated history).

A historic case is described by what happened and when (received, accepted, working days used,
suspended, extended, decided, delivered, completed); the importer computes every deadline with the
working-day calendar exactly as intake would, writes cases, materials, steps, history, suspensions,
extensions, notices and light flips with a few bulk inserts, and numbers the cases from the hall's
counter in one step. Cases still open are left with their light and next check set, so the supervision
job carries on from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from minxin.accounts.models import User
from minxin.cases.models import (
    Applicant,
    Case,
    CaseExtension,
    CaseHistory,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    CaseStep,
    CaseSuspension,
    Light,
    LightFlip,
    NoticeKind,
)
from minxin.cases.services.common import step_days
from minxin.cases.services.intake import case_number_next
from minxin.cases.services.supervision import light_plan, midnight
from minxin.catalog.models import ItemVersion, Window
from minxin.core.numbering import counter_next
from minxin.core.workdays import WorkingCalendar
from minxin.orgs.models import Hall


@dataclass(slots=True)
class HistoricCase:
    version: ItemVersion
    applicant: Applicant
    clerk: User
    officer: User
    window: Window | None
    received_on: dt.date
    outcome: str  # accept, correct, refuse, accept_with_gaps
    corrected_after: int | None = None  # working days until the correction came back (None: never)
    handling_days: int = 0  # working days from acceptance to decision, suspensions excluded
    suspended_days: int = 0
    suspension_kind: str = "testing"
    extended: bool = False
    decision: str = "approve"
    delivery: str = "window"
    delivered_after: int = 1  # calendar days after the decision
    completed_after: int = 2  # calendar days after delivery
    refusal: str = ""
    notes: list[str] = field(default_factory=list)


def _midnight(day: dt.date, zone: str) -> dt.datetime:
    moment = midnight(day, zone)
    assert moment is not None
    return moment


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[-1])


def _at(day: dt.date, hour: int, zone: ZoneInfo, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def cases_import_history(*, hall: Hall, rows: Sequence[HistoricCase], today: dt.date) -> int:
    """Write `rows` as cases of `hall`, as they would stand on `today`. Returns how many were written."""
    if not rows:
        return 0
    zone = ZoneInfo(hall.time_zone)
    first = min(r.received_on for r in rows)
    calendar = WorkingCalendar(first - dt.timedelta(days=30), today + dt.timedelta(days=200))
    yellow_days = int(settings.CASES_YELLOW_WORKING_DAYS)
    with transaction.atomic():
        by_year: dict[int, list[HistoricCase]] = {}
        for row in sorted(rows, key=lambda r: r.received_on):
            by_year.setdefault(row.received_on.year, []).append(row)
        numbers: list[str] = []
        prefix = case_number_next(hall=hall, year=first.year).rsplit("-", 2)[0]  # also reserves one
        for year, group in by_year.items():
            last = counter_next(scope="case", key=f"{hall.pk}:{year}", step=len(group))
            numbers += [f"{prefix}-{year}-{seq:06d}" for seq in range(last - len(group) + 1, last + 1)]
        ordered = [row for group in by_year.values() for row in group]
        built = [
            _build(row, number, hall, zone, calendar, today, yellow_days)
            for row, number in zip(ordered, numbers, strict=True)
        ]
        Case.objects.bulk_create([b.case for b in built], batch_size=500)
        for b in built:
            for obj in (
                *b.materials,
                *b.steps,
                *b.history,
                *b.suspensions,
                *b.extensions,
                *b.notices,
                *b.flips,
            ):
                obj.case = b.case  # type: ignore[attr-defined]
        CaseMaterial.objects.bulk_create([m for b in built for m in b.materials], batch_size=1000)
        CaseStep.objects.bulk_create([s for b in built for s in b.steps], batch_size=1000)
        CaseHistory.objects.bulk_create([h for b in built for h in b.history], batch_size=1000)
        CaseSuspension.objects.bulk_create([s for b in built for s in b.suspensions], batch_size=1000)
        CaseExtension.objects.bulk_create([e for b in built for e in b.extensions], batch_size=1000)
        CaseNotice.objects.bulk_create([n for b in built for n in b.notices], batch_size=1000)
        LightFlip.objects.bulk_create([f for b in built for f in b.flips], batch_size=1000)
    return len(built)


@dataclass(slots=True)
class _Built:
    case: Case
    materials: list[CaseMaterial] = field(default_factory=list)
    steps: list[CaseStep] = field(default_factory=list)
    history: list[CaseHistory] = field(default_factory=list)
    suspensions: list[CaseSuspension] = field(default_factory=list)
    extensions: list[CaseExtension] = field(default_factory=list)
    notices: list[CaseNotice] = field(default_factory=list)
    flips: list[LightFlip] = field(default_factory=list)


def _build(
    row: HistoricCase,
    number: str,
    hall: Hall,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    today: dt.date,
    yellow_days: int,
) -> _Built:
    version = row.version
    received = _at(row.received_on, 9 + (_seq(number) % 7), zone, _seq(number) % 60)
    case = Case(
        number=number,
        hall=hall,
        department=version.item.department,
        item_version=version,
        applicant=row.applicant,
        status=CaseStatus.ACCEPTED,
        outcome=row.outcome,
        clerk=row.clerk,
        window=row.window,
        created_at=received,
        trips_made=1,
        baseline_trips=int(settings.CASES_BASELINE_TRIPS),
        delivery_method=row.delivery,
    )
    built = _Built(case=case)
    materials = list(version.materials.all())

    def log(
        at: dt.datetime, action: str, before: str, after: str, actor: User, note: str = "", **details: object
    ) -> None:
        built.history.append(
            CaseHistory(
                at=at,
                action=action,
                from_status=before,
                to_status=after,
                actor=actor,
                actor_label=str(actor),
                note=note,
                details=dict(details),
            )
        )

    missing_names = [m for m in materials if m.mandatory][-1:] if materials else []
    if row.outcome == "refuse":
        case.status, case.refused_at = CaseStatus.REFUSED, received
        case.refusal_reasons = row.refusal or "申请事项不属于本机关职权范围"
        case.refusal_basis = version.legal_basis or "《中华人民共和国行政许可法》第三十二条"
        built.materials = [
            CaseMaterial(material=m, presented=True, ok=True, original=True) for m in materials
        ]
        built.notices.append(
            CaseNotice(
                kind=NoticeKind.REFUSAL,
                issued_at=received,
                issued_by=row.clerk,
                content={
                    "number": number,
                    "item": version.name,
                    "missing": [],
                    "reasons": case.refusal_reasons,
                },
            )
        )
        log(received, "intake_refuse", "", CaseStatus.REFUSED, row.clerk, case.refusal_reasons)
        return built
    accepted_on = row.received_on
    if row.outcome == "correct":
        built.materials = [
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
        built.notices.append(
            CaseNotice(
                kind=NoticeKind.CORRECTION,
                issued_at=received,
                issued_by=row.clerk,
                content={
                    "number": number,
                    "item": version.name,
                    "reasons": "",
                    "missing": [
                        {"material": m.pk, "name": m.name, "note": "缺少", "due": None} for m in missing_names
                    ],
                },
            )
        )
        log(received, "intake_correct", "", CaseStatus.CORRECTION, row.clerk)
        back_on = (
            calendar.add(row.received_on, row.corrected_after) if row.corrected_after is not None else None
        )
        if back_on is None or back_on >= today:
            case.status = CaseStatus.CORRECTION
            return built
        accepted_on = back_on
        case.trips_made = 2
        for material in built.materials:
            material.presented = material.ok = True
        log(
            _at(back_on, 10, zone),
            "accept_after_correction",
            CaseStatus.CORRECTION,
            CaseStatus.ACCEPTED,
            row.clerk,
        )
    else:
        gaps = [m for m in materials if not m.mandatory][:1] if row.outcome == "accept_with_gaps" else []
        gap_due = calendar.add(row.received_on, int(settings.CASES_GAP_WORKING_DAYS))
        gap_back = calendar.add(row.received_on, 2)
        built.materials = [
            CaseMaterial(
                material=m,
                presented=m not in gaps or gap_back < today,
                ok=m not in gaps or gap_back < today,
                original=True,
                gap_due=gap_due if m in gaps else None,
                received_at=_at(gap_back, 11, zone) if m in gaps and gap_back < today else None,
            )
            for m in materials
        ]
        kind: str = NoticeKind.GAPS if gaps else NoticeKind.ACCEPTANCE
        log(received, f"intake_{row.outcome}", "", CaseStatus.ACCEPTED, row.clerk)
        if gaps and gap_back < today:
            case.trips_made += 1
            log(_at(gap_back, 11, zone), "gaps_supplied", CaseStatus.ACCEPTED, CaseStatus.ACCEPTED, row.clerk)
        built.notices.append(
            CaseNotice(
                kind=kind,
                issued_at=received,
                issued_by=row.clerk,
                content={"number": number, "item": version.name, "missing": [], "reasons": ""},
            )
        )
    accepted_at = received if accepted_on == row.received_on else _at(accepted_on, 10, zone)
    promised = calendar.add(accepted_on, version.promised_days)
    statutory = calendar.add(accepted_on, version.statutory_days)
    case.accepted_at, case.accepted_on = accepted_at, accepted_on
    if row.outcome == "correct":
        built.notices.append(
            CaseNotice(
                kind=NoticeKind.ACCEPTANCE,
                issued_at=accepted_at,
                issued_by=row.clerk,
                content={"number": number, "item": version.name, "missing": [], "reasons": ""},
            )
        )
    used = 0
    step_plan_days = step_days(version)
    step_dues = []
    for kind, days in step_plan_days:
        used += days
        step_dues.append((kind, days, calendar.add(accepted_on, min(used, version.statutory_days))))
    # the decision day: working days used plus the suspension
    decided_on = calendar.add(accepted_on, row.handling_days + row.suspended_days)
    if row.suspended_days:
        start = calendar.add(accepted_on, max(1, min(row.handling_days, 2)))
        end = calendar.add(start, row.suspended_days)
        if end <= today:
            promised = calendar.add(promised, row.suspended_days)
            statutory = calendar.add(statutory, row.suspended_days)
            step_dues = [(k, d, calendar.add(due, row.suspended_days)) for k, d, due in step_dues]
            case.suspended_days = row.suspended_days
            built.suspensions.append(
                CaseSuspension(
                    kind=row.suspension_kind,
                    reason="依法需要"
                    + {
                        "testing": "检测",
                        "hearing": "听证",
                        "inspection": "现场核查",
                        "expert_review": "专家评审",
                    }.get(row.suspension_kind, "检测"),
                    started_on=start,
                    ended_on=end,
                    working_days=row.suspended_days,
                    started_by=row.officer,
                )
            )
            log(
                _at(start, 15, zone),
                "suspend",
                CaseStatus.IN_REVIEW,
                CaseStatus.SUSPENDED,
                row.officer,
                "",
                kind=row.suspension_kind,
            )
            log(
                _at(end, 9, zone),
                "resume",
                CaseStatus.SUSPENDED,
                CaseStatus.IN_REVIEW,
                row.officer,
                "",
                working_days=row.suspended_days,
            )
        else:
            built.suspensions.append(
                CaseSuspension(
                    kind=row.suspension_kind, reason="依法需要检测", started_on=start, started_by=row.officer
                )
            )
            log(
                _at(start, 15, zone),
                "suspend",
                CaseStatus.IN_REVIEW,
                CaseStatus.SUSPENDED,
                row.officer,
                "",
                kind=row.suspension_kind,
            )
            case.status, case.suspended_since = CaseStatus.SUSPENDED, start
    if row.extended:
        new_due = calendar.add(statutory, int(settings.CASES_EXTENSION_WORKING_DAYS))
        ext_on = calendar.add(accepted_on, max(1, row.handling_days // 2))
        if ext_on < today:
            built.extensions.append(
                CaseExtension(
                    days=int(settings.CASES_EXTENSION_WORKING_DAYS),
                    reason="情况复杂，经负责人批准延长",
                    approver=row.officer,
                    at=_at(ext_on, 16, zone),
                    previous_due=statutory,
                    new_due=new_due,
                )
            )
            log(
                _at(ext_on, 16, zone),
                "extend",
                CaseStatus.IN_REVIEW,
                CaseStatus.IN_REVIEW,
                row.officer,
                "情况复杂",
                statutory_due=new_due.isoformat(),
            )
            statutory, case.extended_days = new_due, int(settings.CASES_EXTENSION_WORKING_DAYS)
    promised = min(promised, statutory)
    case.promised_due, case.statutory_due = promised, statutory
    took_on = calendar.add(accepted_on, min(1, max(version.promised_days, 0)))
    if took_on < today and took_on <= decided_on:
        log(
            _at(took_on, 9, zone, 30),
            "step_accept_done",
            CaseStatus.ACCEPTED,
            CaseStatus.IN_REVIEW,
            row.officer,
        )
    decided = decided_on < today and case.status != CaseStatus.SUSPENDED
    light_day = decided_on if decided else today
    plan = light_plan(
        light=Light.NONE,
        yellow_on=None,
        promised_due=promised,
        statutory_due=statutory,
        today=light_day,
        yellow_days=yellow_days,
        calendar=calendar,
    )
    plan_light, yellow_on, red_reason = plan.light, plan.yellow_on, plan.reason
    if plan_light != Light.NONE:
        yellow_from = max(calendar.subtract(promised, yellow_days), accepted_on)
        plan2 = light_plan(
            light=Light.YELLOW,
            yellow_on=yellow_from,
            promised_due=promised,
            statutory_due=statutory,
            today=light_day,
            yellow_days=yellow_days,
            calendar=calendar,
        )
        yellow_on = yellow_from
        built.flips.append(
            LightFlip(
                department=case.department,
                hall=hall,
                at=_midnight(yellow_from, hall.time_zone),
                from_light=Light.NONE,
                to_light=Light.YELLOW,
                reason="promised_near",
            )
        )
        plan_light = plan2.light
        if plan2.light == Light.RED:
            red_on = min(
                statutory + dt.timedelta(days=1),
                calendar.add(yellow_from, int(settings.CASES_SUPERVISION_WORKING_DAYS))
                + dt.timedelta(days=1),
            )
            built.flips.append(
                LightFlip(
                    department=case.department,
                    hall=hall,
                    at=_midnight(red_on, hall.time_zone),
                    from_light=Light.YELLOW,
                    to_light=Light.RED,
                    reason=red_reason or "yellow_not_cleared",
                )
            )
    case.light, case.yellow_on = plan_light, yellow_on
    if built.flips:
        case.light_changed_at = built.flips[-1].at
    for position, (kind, days, due) in enumerate(step_dues):
        finished = decided or (position == 0 and took_on < today)
        built.steps.append(
            CaseStep(
                kind=kind,
                position=position,
                days=days,
                due=due,
                started_at=accepted_at if position == 0 else None,
                finished_at=_at(decided_on if decided else took_on, 15, zone) if finished else None,
                actor=row.officer if finished else None,
            )
        )
    if not decided:
        case.status = (
            case.status
            if case.status == CaseStatus.SUSPENDED
            else (CaseStatus.IN_REVIEW if took_on < today else CaseStatus.ACCEPTED)
        )
        if case.status != CaseStatus.SUSPENDED:
            next_on = plan.next_check_on if plan_light == plan.light else None
            if plan_light == Light.YELLOW and next_on is None:
                next_on = today + dt.timedelta(days=1)
            case.next_check_at = midnight(next_on, hall.time_zone) if plan_light != Light.RED else None
        return built
    decided_at = _at(decided_on, 15, zone, _seq(number) % 50)
    case.status, case.decided_at, case.decision = CaseStatus.DECIDED, decided_at, row.decision
    case.decision_reasons = "不符合法定条件" if row.decision == "reject" else ""
    case.handling_days = row.handling_days
    log(
        decided_at,
        f"decide_{row.decision}",
        CaseStatus.IN_REVIEW,
        CaseStatus.DECIDED,
        row.officer,
        case.decision_reasons,
    )
    delivered_on = decided_on + dt.timedelta(days=row.delivered_after)
    if delivered_on >= today:
        return built
    case.status, case.delivered_at = CaseStatus.DELIVERING, _at(delivered_on, 10, zone)
    if row.delivery == "mail":
        case.delivery_carrier, case.delivery_tracking = "EMS", f"11{_seq(number) * 7919 % 10**11:011d}"
    log(
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
    if completed_on >= today:
        return built
    case.status, case.completed_at = CaseStatus.COMPLETED, _at(completed_on, 14, zone)
    if row.delivery == "window":
        case.trips_made += 1
    log(case.completed_at, "complete", CaseStatus.DELIVERING, CaseStatus.COMPLETED, row.clerk)
    return built
