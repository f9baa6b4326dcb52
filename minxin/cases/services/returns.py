"""The applicant comes back with materials: the return of a one-time correction (补正), after which the
case is accepted, or of 容缺 materials, each closing its gap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.cases.models import Case, CaseMaterial, CaseNotice, CaseStatus, CaseSuspension, NoticeKind
from minxin.cases.services.clocks import case_resume_locked
from minxin.cases.services.common import (
    case_locked,
    case_move,
    case_require,
    deadlines_for,
    field_error,
    hall_today,
    history_add,
    staff_may_act_at_window,
    steps_create,
)
from minxin.cases.services.materials import MaterialCheck, checks_validated, notice_content
from minxin.cases.services.supervision import case_light_schedule
from minxin.core import clock
from minxin.core.errors import Conflict


def case_materials_supply(
    *, case: Case, actor: User, materials: Sequence[MaterialCheck], in_person: bool = True
) -> Case:
    """The applicant returns with materials. For a correction: only what the one-time notice listed may
    be checked again (a new fault is refused: the notice was the one time); when everything on it is now
    correct the case is accepted and its deadlines run from today. For 容缺 gaps: each material supplied
    closes its gap; an open 'waiting for materials' suspension ends when the last gap closes."""
    case_require(case=case, user=actor, allowed=staff_may_act_at_window(user=actor, case=case))
    if not materials:
        raise field_error("materials", _("List the materials brought."), "materials_required")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        version = locked.item_version
        checks = checks_validated(version, materials)
        rows = {row.material_id: row for row in CaseMaterial.objects.filter(case=locked).select_for_update()}
        if locked.status == CaseStatus.CORRECTION:
            _correction_return(locked, rows, checks, actor=actor, now=now, in_person=in_person)
        elif locked.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
            _gaps_return(locked, rows, checks, actor=actor, now=now, in_person=in_person)
        else:
            raise Conflict(_("This case takes no more materials."), code="case_wrong_status")
    return locked


def _correction_return(
    case: Case,
    rows: dict[int, CaseMaterial],
    checks: dict[int, MaterialCheck],
    *,
    actor: User,
    now: dt.datetime,
    in_person: bool,
) -> None:
    for material_id, check in checks.items():
        row = rows[material_id]
        if not row.on_notice and not (check.presented and check.ok):
            raise Conflict(
                _("%(name)s was not on the one-time correction notice; a second notice is not allowed.")
                % {"name": row.material.name},
                code="not_on_correction_notice",
                details={"material": material_id},
            )
        if row.on_notice:
            row.presented, row.ok = check.presented, check.presented and check.ok
            row.original, row.note = check.original, check.note.strip()
            if row.ok:
                row.received_at = now
            row.save(update_fields=["presented", "ok", "original", "note", "received_at"])
    trips = case.trips_made + (1 if in_person else 0)
    still_missing = [row for row in rows.values() if row.on_notice and not row.ok]
    if still_missing:
        Case.objects.filter(pk=case.pk).update(trips_made=trips)
        case.trips_made = trips
        history_add(
            case=case,
            action="correction_incomplete",
            from_status=case.status,
            actor=actor,
            details={"missing": [row.material_id for row in still_missing]},
        )
        return
    today = hall_today(case.hall)
    deadlines = deadlines_for(version=case.item_version, accepted_on=today)
    case_move(
        case=case,
        from_statuses=[CaseStatus.CORRECTION],
        to_status=CaseStatus.ACCEPTED,
        accepted_at=now,
        accepted_on=today,
        promised_due=deadlines.promised_due,
        statutory_due=deadlines.statutory_due,
        trips_made=trips,
    )
    steps_create(case=case, deadlines=deadlines, now=now)
    CaseNotice.objects.create(
        case=case,
        kind=NoticeKind.ACCEPTANCE,
        issued_at=now,
        issued_by=actor,
        content=notice_content(case, list(rows.values()), set(), ""),
    )
    history_add(case=case, action="accept_after_correction", from_status=CaseStatus.CORRECTION, actor=actor)
    case_light_schedule(case=case, now=now)


def _gaps_return(
    case: Case,
    rows: dict[int, CaseMaterial],
    checks: dict[int, MaterialCheck],
    *,
    actor: User,
    now: dt.datetime,
    in_person: bool,
) -> None:
    closed = []
    for material_id, check in checks.items():
        row = rows[material_id]
        if row.gap_due is None or row.received_at is not None:
            raise Conflict(
                _("%(name)s is not an outstanding material of this case.") % {"name": row.material.name},
                code="not_a_gap",
                details={"material": material_id},
            )
        if check.presented and check.ok:
            row.presented, row.ok, row.original, row.received_at = True, True, check.original, now
            row.note = check.note.strip()
            row.save(update_fields=["presented", "ok", "original", "note", "received_at"])
            closed.append(material_id)
    trips = case.trips_made + (1 if in_person else 0)
    Case.objects.filter(pk=case.pk).update(trips_made=trips)
    case.trips_made = trips
    history_add(
        case=case, action="gaps_supplied", from_status=case.status, actor=actor, details={"closed": closed}
    )
    open_gaps = [r for r in rows.values() if r.gap_due is not None and r.received_at is None]
    waiting = CaseSuspension.objects.filter(case=case, ended_on__isnull=True, kind="materials").exists()
    if not open_gaps and waiting and case.status == CaseStatus.SUSPENDED:
        case_resume_locked(case=case, actor=actor, now=now)
