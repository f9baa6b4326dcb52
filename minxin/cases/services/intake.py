"""Intake at the window (一窗受理): the applicant, the materials check and the four outcomes, and the
return of a correction (补正) or of 容缺 materials."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Citizen, Role, User
from minxin.cases.models import (
    Applicant,
    ApplicantKind,
    Case,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    CaseSuspension,
    HallCaseSettings,
    IntakeOutcome,
    NoticeKind,
)
from minxin.cases.services.common import (
    WINDOW_ROLES,
    baseline_trips,
    case_locked,
    case_move,
    case_require,
    deadlines_for,
    hall_today,
    history_add,
    staff_may_act_at_window,
    steps_create,
)
from minxin.cases.services.supervision import case_light_schedule
from minxin.catalog.models import ItemVersion, Material, Window
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minxin.core.numbering import counter_next
from minxin.core.workdays import add_working_days
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_may_act_in_hall
from minxin.queueing.models import Ticket

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(raw: str) -> str | None:
    """An 18-character unified social credit code (GB 32100-2015) with a valid check character."""
    value = (raw or "").strip().upper()
    if not CREDIT_CODE_RE.match(value):
        return None
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(value[:17], _CREDIT_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return value if _CREDIT_CHARS[check] == value[17] else None


@dataclass(frozen=True, slots=True)
class ApplicantData:
    kind: str
    name: str
    id_number: str  # a resident ID number, or a credit code for a company
    phone: str
    contact_name: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class MaterialCheck:
    material: int
    presented: bool
    ok: bool
    original: bool = False
    note: str = ""
    due: dt.date | None = None


@dataclass(slots=True)
class IntakeResult:
    case: Case
    notice: CaseNotice | None = None
    missing: list[CaseMaterial] = field(default_factory=list)


def _field_error(field_name: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field_name})


def applicant_upsert(*, data: ApplicantData, now: dt.datetime) -> Applicant:
    """The applicant with this ID number or credit code, created or brought up to date (name, phone).
    One INSERT … ON CONFLICT DO UPDATE: two windows taking in the same person at once get one row."""
    if data.kind not in ApplicantKind.values:
        raise _field_error("applicant.kind", _("The applicant is a person or a company."), "invalid_kind")
    name = data.name.strip()
    if not name or len(name) > 128:
        raise _field_error("applicant.name", _("Enter the applicant's name."), "invalid_name")
    if data.kind == ApplicantKind.PERSON:
        identifier = personal.normalize_id_number(data.id_number)
        if identifier is None:
            raise _field_error(
                "applicant.id_number", _("This is not a valid ID number."), "invalid_id_number"
            )
    else:
        identifier = normalize_credit_code(data.id_number)
        if identifier is None:
            raise _field_error(
                "applicant.credit_code",
                _("This is not a valid unified social credit code."),
                "invalid_credit_code",
            )
    phone = personal.normalize_phone(data.phone)
    if phone is None:
        raise _field_error("applicant.phone", _("Enter a valid mobile number."), "invalid_phone")
    phone_hash = personal.keyed_hash(phone, purpose="phone")
    citizen = Citizen.objects.filter(phone_hash=phone_hash).first()
    row = Applicant(
        kind=data.kind,
        name=name,
        id_hash=personal.keyed_hash(identifier, purpose=f"applicant:{data.kind}"),
        id_encrypted=personal.encrypt(identifier),
        id_masked=personal.mask_id_number(identifier),
        contact_name=data.contact_name.strip()[:64],
        phone_hash=phone_hash,
        phone_encrypted=personal.encrypt(phone),
        phone_masked=personal.mask_phone(phone),
        address=data.address.strip()[:255],
        citizen=citizen,
        created_at=now,
        updated_at=now,
    )
    update = ["name", "contact_name", "phone_hash", "phone_encrypted", "phone_masked", "updated_at"]
    if citizen is not None:
        update.append("citizen")
    if row.address:
        update.append("address")
    Applicant.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["kind", "id_hash"], update_fields=update
    )
    return Applicant.objects.get(kind=row.kind, id_hash=row.id_hash)


def case_number_next(*, hall: Hall, year: int) -> str:
    settings_row = HallCaseSettings.objects.filter(hall=hall).only("number_prefix").first()
    prefix = (
        settings_row.number_prefix if settings_row and settings_row.number_prefix else hall.code
    ).upper()
    seq = counter_next(scope="case", key=f"{hall.pk}:{year}")
    return f"{prefix}-{year}-{seq:06d}"


def _version_for_hall(*, hall: Hall, item_public_id: str, today: dt.date) -> ItemVersion:
    version = (
        current_versions(on=today)
        .filter(item__public_id=item_public_id, item__department__hall=hall, item__department__is_active=True)
        .first()
    )
    if version is None:
        raise NotFound(_("This hall handles no such item."), code="item_not_found")
    return version


def _checks_validated(version: ItemVersion, checks: Sequence[MaterialCheck]) -> dict[int, MaterialCheck]:
    known = {m.pk: m for m in Material.objects.filter(version=version)}
    by_id: dict[int, MaterialCheck] = {}
    for check in checks:
        if check.material not in known:
            raise _field_error(
                "materials",
                _("Material %(id)s is not one of this item's.") % {"id": check.material},
                "unknown_material",
            )
        if check.material in by_id:
            raise _field_error("materials", _("A material is listed twice."), "duplicate_material")
        if len(check.note) > 255:
            raise _field_error("materials", _("A note is longer than 255 characters."), "note_too_long")
        by_id[check.material] = check
    return by_id


def _materials_rows(case: Case, version: ItemVersion, checks: dict[int, MaterialCheck]) -> list[CaseMaterial]:
    rows = []
    for material in Material.objects.filter(version=version).order_by("position", "id"):
        check = checks.get(material.pk)
        rows.append(
            CaseMaterial(
                case=case,
                material=material,
                presented=bool(check and check.presented),
                original=bool(check and check.original),
                ok=bool(check and check.presented and check.ok),
                note=(check.note.strip() if check else ""),
                gap_due=check.due if check else None,
            )
        )
    return rows


def case_intake(
    *,
    hall: Hall,
    clerk: User,
    item: str,
    applicant: ApplicantData,
    materials: Sequence[MaterialCheck],
    outcome: str,
    reasons: str = "",
    legal_basis: str = "",
    window: Window | None = None,
    ticket: Ticket | None = None,
    delivery_method: str = "window",
    delivery_address: str = "",
) -> IntakeResult:
    """Take an application in at the window and record one of the four outcomes (行政许可法 Art. 32).

    accept: every mandatory material presented and correct; deadlines stamped from the item version
    (refused with WorkingCalendarMissing when a year is not loaded). correct: at least one material
    missing or faulty; all of them go on one notice. refuse: reasons required. accept_with_gaps: only
    non-mandatory materials missing, each with a due date. Every outcome gets a case number."""
    if not staff_may_act_in_hall(user=clerk, hall=hall, roles=WINDOW_ROLES):
        raise Forbidden(_("You may not take in cases in this hall."), code="out_of_scope")
    if outcome not in IntakeOutcome.values:
        raise _field_error("outcome", _("Unknown outcome."), "invalid_outcome")
    if window is not None and window.hall_id != hall.pk:
        raise _field_error("window", _("This window is in another hall."), "invalid_window")
    if ticket is not None and ticket.hall_id != hall.pk:
        raise _field_error("ticket", _("This number was taken in another hall."), "invalid_ticket")
    if delivery_method not in ("window", "mail", "home"):
        raise _field_error("delivery", _("Unknown delivery method."), "invalid_delivery")
    now = clock.now()
    today = hall_today(hall)
    version = _version_for_hall(hall=hall, item_public_id=item, today=today)
    if delivery_method != "window" and not version.mail_delivery:
        raise _field_error("delivery", _("This item's result cannot be mailed."), "delivery_not_offered")
    checks = _checks_validated(version, materials)
    reasons = reasons.strip()
    mandatory_missing: list[Material] = []
    optional_missing: list[Material] = []
    for material in Material.objects.filter(version=version):
        check = checks.get(material.pk)
        if check is None or not (check.presented and check.ok):
            (mandatory_missing if material.mandatory else optional_missing).append(material)
    missing = mandatory_missing + optional_missing
    deadlines = None
    if outcome == IntakeOutcome.ACCEPT and missing:
        raise _field_error(
            "materials",
            _("Materials are missing or faulty: issue a one-time correction notice or accept with gaps."),
            "materials_incomplete",
        )
    if outcome == IntakeOutcome.CORRECT and not missing:
        raise _field_error("materials", _("Nothing is missing: accept the case."), "nothing_to_correct")
    if outcome == IntakeOutcome.REFUSE and not reasons:
        raise _field_error("reasons", _("Give the reasons for not accepting."), "reasons_required")
    if outcome == IntakeOutcome.ACCEPT_WITH_GAPS:
        if mandatory_missing:
            raise _field_error(
                "materials",
                _("Key materials are missing; only non-key materials may be supplied later."),
                "key_material_missing",
            )
        if not optional_missing:
            raise _field_error("materials", _("Nothing is missing: accept the case."), "nothing_to_correct")
    if outcome in (IntakeOutcome.ACCEPT, IntakeOutcome.ACCEPT_WITH_GAPS):
        deadlines = deadlines_for(version=version, accepted_on=today)
    gap_due = (
        add_working_days(today, int(settings.CASES_GAP_WORKING_DAYS))
        if outcome == IntakeOutcome.ACCEPT_WITH_GAPS
        else None
    )
    with transaction.atomic():
        person = applicant_upsert(data=applicant, now=now)
        status = {
            IntakeOutcome.ACCEPT: CaseStatus.ACCEPTED,
            IntakeOutcome.ACCEPT_WITH_GAPS: CaseStatus.ACCEPTED,
            IntakeOutcome.CORRECT: CaseStatus.CORRECTION,
            IntakeOutcome.REFUSE: CaseStatus.REFUSED,
        }[IntakeOutcome(outcome)]
        case = Case.objects.create(
            number=case_number_next(hall=hall, year=today.year),
            hall=hall,
            department=version.item.department,
            item_version=version,
            applicant=person,
            status=status,
            outcome=outcome,
            clerk=clerk,
            window=window,
            ticket=ticket,
            created_at=now,
            accepted_at=now if deadlines else None,
            accepted_on=today if deadlines else None,
            refused_at=now if status == CaseStatus.REFUSED else None,
            promised_due=deadlines.promised_due if deadlines else None,
            statutory_due=deadlines.statutory_due if deadlines else None,
            refusal_reasons=reasons if status == CaseStatus.REFUSED else "",
            refusal_basis=(legal_basis.strip() or version.legal_basis)
            if status == CaseStatus.REFUSED
            else "",
            delivery_method=delivery_method,
            delivery_address=delivery_address.strip()[:255],
            trips_made=1,
            baseline_trips=baseline_trips(version),
        )
        rows = _materials_rows(case, version, checks)
        missing_ids = {m.pk for m in missing}
        for row in rows:
            if row.material_id in missing_ids and outcome == IntakeOutcome.CORRECT:
                row.on_notice = True
            if row.material_id in missing_ids and outcome == IntakeOutcome.ACCEPT_WITH_GAPS:
                row.gap_due = row.gap_due or gap_due
        CaseMaterial.objects.bulk_create(rows)
        if deadlines is not None:
            steps_create(case=case, deadlines=deadlines, now=now)
        notice_kind = {
            IntakeOutcome.ACCEPT: NoticeKind.ACCEPTANCE,
            IntakeOutcome.ACCEPT_WITH_GAPS: NoticeKind.GAPS,
            IntakeOutcome.CORRECT: NoticeKind.CORRECTION,
            IntakeOutcome.REFUSE: NoticeKind.REFUSAL,
        }[IntakeOutcome(outcome)]
        notice = CaseNotice.objects.create(
            case=case,
            kind=notice_kind,
            issued_at=now,
            issued_by=clerk,
            content=_notice_content(case, rows, missing_ids, reasons),
        )
        history_add(case=case, action=f"intake_{outcome}", from_status="", actor=clerk, note=reasons)
        if deadlines is not None:
            case_light_schedule(case=case, now=now)
        audit_record(
            actor=clerk, action=f"cases.intake_{outcome}", target=case, details={"number": case.number}
        )
    missing_rows = [row for row in rows if row.material_id in missing_ids]
    return IntakeResult(case=case, notice=notice, missing=missing_rows)


def _notice_content(
    case: Case, rows: list[CaseMaterial], missing_ids: set[int], reasons: str
) -> dict[str, object]:
    return {
        "number": case.number,
        "item": case.item_version.name,
        "missing": [
            {
                "material": row.material_id,
                "name": row.material.name,
                "note": row.note,
                "due": row.gap_due.isoformat() if row.gap_due else None,
            }
            for row in rows
            if row.material_id in missing_ids
        ],
        "reasons": reasons,
        "promised_due": case.promised_due.isoformat() if case.promised_due else None,
        "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None,
    }


def case_materials_supply(
    *, case: Case, actor: User, materials: Sequence[MaterialCheck], in_person: bool = True
) -> Case:
    """The applicant returns with materials. For a correction: only what the one-time notice listed may
    be checked again (a new fault is refused: the notice was the one time); when everything on it is now
    correct the case is accepted and its deadlines run from today. For 容缺 gaps: each material supplied
    closes its gap; an open 'waiting for materials' suspension ends when the last gap closes."""
    case_require(case=case, user=actor, allowed=staff_may_act_at_window(user=actor, case=case))
    if not materials:
        raise _field_error("materials", _("List the materials brought."), "materials_required")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        version = locked.item_version
        checks = _checks_validated(version, materials)
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
        content=_notice_content(case, list(rows.values()), set(), ""),
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
        from minxin.cases.services.backoffice import case_resume_locked

        case_resume_locked(case=case, actor=actor, now=now)


def gaps_outstanding(case: Case) -> bool:
    return CaseMaterial.objects.filter(case=case, gap_due__isnull=False, received_at__isnull=True).exists()


def role_may_take_in(user: User, hall: Hall) -> bool:
    return staff_may_act_in_hall(user=user, hall=hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER])
