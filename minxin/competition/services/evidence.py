"""What rounds are scored from besides the platform's facts: inspections (checklists, deductions,
photos, GPS, server time), document reviews, questionnaire answers, veto findings, uploaded evidence."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from minxin.accounts.models import Citizen, User
from minxin.competition.models import (
    Assignment,
    DocumentReview,
    Evidence,
    Finding,
    Indicator,
    Inspection,
    Photo,
    QuestionnaireAnswer,
    Round,
    VetoFinding,
    VetoItem,
)
from minxin.competition.selectors import is_unit_staff, officer_may_run, units_of_round
from minxin.competition.services.common import require_officer
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minxin.orgs.models import Unit

MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")


@dataclass(frozen=True, slots=True)
class FindingData:
    indicator: str
    deduction: Decimal | None = None
    note: str = ""


def _document_indicators(round: Round) -> QuerySet[Indicator]:
    """Indicators scored by document review, or falling back to it without platform data."""
    return round.rubric.indicators.filter(Q(method="document") | Q(method="formula", fallback="document"))


def questionnaire_indicators(round: Round) -> QuerySet[Indicator]:
    """The questions of a round's questionnaire: its questionnaire indicators and those falling back to it."""
    return round.rubric.indicators.filter(
        Q(method="questionnaire") | Q(method="formula", fallback="questionnaire"), is_bonus=False
    )


def _open(round: Round) -> None:
    if round.status != Round.Status.OPEN:
        raise Conflict(_("Inspections and reviews close when the round is computed."), code="round_not_open")


def require_assessor_of(*, user: User, round: Round, unit: Unit) -> None:
    """The user is assigned to assess `unit` in `round` and does not work for it."""
    if is_unit_staff(user=user, unit=unit):
        raise Forbidden(_("An assessor never assesses their own unit."), code="own_unit")
    if not Assignment.objects.filter(round=round, unit=unit, assessor=user).exists():
        raise Forbidden(_("You are not assigned to assess this unit in this round."), code="not_assigned")


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as error:
        raise InvalidInput(_("Not a coordinate."), code="invalid", details={"field": field}) from error
    if not number.is_finite() or abs(number) > limit:
        raise InvalidInput(_("Not a coordinate."), code="invalid", details={"field": field})
    return number


def _findings(round: Round, findings: list[FindingData]) -> list[tuple[Indicator, Decimal, str]]:
    indicators = {i.code: i for i in round.rubric.indicators.all()}
    rows = []
    for position, finding in enumerate(findings):
        indicator = indicators.get(finding.indicator)
        if indicator is None:
            raise InvalidInput(
                _("No indicator %(code)s in this rubric.") % {"code": finding.indicator},
                code="unknown_indicator",
                details={"field": f"findings[{position}].indicator"},
            )
        deduction = indicator.deduction if finding.deduction is None else finding.deduction
        if not deduction.is_finite() or deduction < 0 or deduction > indicator.points:
            raise InvalidInput(
                _("A deduction lies between 0 and the indicator's points."),
                code="invalid_deduction",
                details={"field": f"findings[{position}].deduction", "max": str(indicator.points)},
            )
        rows.append((indicator, deduction.quantize(Decimal("0.01")), finding.note.strip()[:500]))
    return rows


@transaction.atomic
def inspection_submit(
    *,
    assessor: User,
    round: Round,
    unit: Unit,
    findings: list[FindingData],
    kind: str = Inspection.Kind.UNANNOUNCED,
    note: str = "",
    latitude: Any = None,
    longitude: Any = None,
    accuracy: Any = None,
    photos: list[UploadedFile] | None = None,
) -> Inspection:
    """Record an inspection of `unit` by its assigned assessor: the checklist's findings with their
    deductions, photos, the phone's GPS fix, all stamped with the server's time (never the phone's)."""
    require_assessor_of(user=assessor, round=round, unit=unit)
    _open(round)
    if kind not in Inspection.Kind.values:
        raise InvalidInput(_("Unknown inspection kind."), code="invalid", details={"field": "kind"})
    rows = _findings(round, findings)
    try:
        gps_accuracy = int(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError) as error:
        raise InvalidInput(_("Not a number."), code="invalid", details={"field": "accuracy"}) from error
    inspection = Inspection.objects.create(
        round=round,
        unit=unit,
        assessor=assessor,
        kind=kind,
        note=note.strip(),
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        gps_accuracy_m=max(gps_accuracy, 0) if gps_accuracy is not None else None,
        submitted_at=clock.now(),
    )
    Finding.objects.bulk_create(
        Finding(inspection=inspection, indicator=indicator, deduction=deduction, note=text)
        for indicator, deduction, text in rows
    )
    for photo in photos or []:
        photo_add(inspection=inspection, upload=photo)
    audit_record(
        actor=assessor, action="competition.inspection", target=inspection, details={"findings": len(rows)}
    )
    return inspection


def photo_add(*, inspection: Inspection, upload: UploadedFile) -> Photo:
    if (upload.size or 0) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            _("A photo may be 8 MB at most."), code="photo_too_large", details={"field": "photos"}
        )
    if upload.content_type not in PHOTO_TYPES:
        raise InvalidInput(
            _("Photos are JPEG, PNG, WebP or HEIC."), code="photo_type", details={"field": "photos"}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    photo = Photo(inspection=inspection, sha256=digest.hexdigest(), received_at=clock.now())
    photo.image.save(f"{inspection.public_id}-{digest.hexdigest()[:12]}", upload, save=False)
    photo.save()
    return photo


@transaction.atomic
def inspection_withdraw_finding(*, officer: User, finding: Finding, reason: str) -> None:
    """Withdraw a finding after an upheld objection (the round must be computed again)."""
    round = finding.inspection.round
    require_officer(user=officer, region=round.region)
    if is_unit_staff(user=officer, unit=finding.inspection.unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if round.status == Round.Status.FROZEN:
        raise Conflict(_("The round is frozen."), code="round_frozen")
    audit_record(
        actor=officer,
        action="competition.finding_withdraw",
        target=finding.inspection,
        details={"indicator": finding.indicator.code, "deduction": str(finding.deduction), "reason": reason},
    )
    finding.delete()


@transaction.atomic
def document_review(
    *, assessor: User, round: Round, unit: Unit, indicator_code: str, points: Decimal, note: str = ""
) -> DocumentReview:
    """The assigned assessor scores a unit's uploaded evidence for a document-review indicator (again
    replaces the earlier review while the round is open)."""
    require_assessor_of(user=assessor, round=round, unit=unit)
    _open(round)
    indicator = _document_indicators(round).filter(code=indicator_code).first()
    if indicator is None:
        raise InvalidInput(
            _("No document-review indicator with this code."),
            code="unknown_indicator",
            details={"field": "indicator"},
        )
    if not points.is_finite() or not 0 <= points <= indicator.points:
        raise InvalidInput(
            _("Points lie between 0 and the indicator's points."),
            code="invalid_points",
            details={"field": "points", "max": str(indicator.points)},
        )
    review, _created = DocumentReview.objects.update_or_create(
        round=round,
        unit=unit,
        indicator=indicator,
        defaults={
            "points": points.quantize(Decimal("0.01")),
            "note": note.strip()[:500],
            "reviewer": assessor,
            "reviewed_at": clock.now(),
        },
    )
    return review


@transaction.atomic
def evidence_upload(
    *,
    user: User,
    round: Round,
    unit: Unit,
    indicator_code: str,
    summary: str,
    file: UploadedFile | None = None,
) -> Evidence:
    """A unit's staff uploads evidence for a document-review indicator (500 characters at most)."""
    if not is_unit_staff(user=user, unit=unit):
        raise Forbidden(_("Only the unit's own staff upload its evidence."), code="not_unit_staff")
    _open(round)
    indicator = _document_indicators(round).filter(code=indicator_code).first()
    if indicator is None:
        raise InvalidInput(
            _("No document-review indicator with this code."),
            code="unknown_indicator",
            details={"field": "indicator"},
        )
    if not summary.strip() or len(summary) > 500:
        raise InvalidInput(
            _("A summary of 1 to 500 characters."), code="invalid", details={"field": "summary"}
        )
    row = Evidence(
        round=round,
        unit=unit,
        indicator=indicator,
        summary=summary.strip(),
        uploaded_by=user,
        uploaded_at=clock.now(),
    )
    if file is not None:
        row.file.save(file.name or "evidence", file, save=False)
    row.save()
    return row


@transaction.atomic
def veto_record(*, officer: User, round: Round, unit: Unit, item_code: str, note: str) -> VetoFinding:
    """Record a veto item against a unit (一票否决): it is not scored or ranked in this round."""
    require_officer(user=officer, region=round.region)
    if is_unit_staff(user=officer, unit=unit):
        raise Forbidden(_("You work for this unit."), code="own_unit")
    if round.status == Round.Status.FROZEN:
        raise Conflict(_("The round is frozen."), code="round_frozen")
    item = VetoItem.objects.filter(rubric=round.rubric, code=item_code).first()
    if item is None:
        raise InvalidInput(_("No such veto item."), code="unknown_veto_item", details={"field": "item"})
    if not note.strip():
        raise InvalidInput(
            _("Say what happened and where it is documented."), code="required", details={"field": "note"}
        )
    try:
        with transaction.atomic():
            finding = VetoFinding.objects.create(
                round=round,
                unit=unit,
                item=item,
                note=note.strip(),
                recorded_by=officer,
                recorded_at=clock.now(),
            )
    except IntegrityError as error:
        raise Conflict(_("This veto item is recorded already."), code="veto_exists") from error
    audit_record(
        actor=officer, action="competition.veto", target=round, details={"unit": unit.pk, "item": item_code}
    )
    return finding


@transaction.atomic
def answer_submit(
    *, citizen: Citizen, round: Round, unit: Unit, answers: dict[str, int], comment: str = ""
) -> QuestionnaireAnswer:
    """A citizen's questionnaire about a unit: one answer per phone (the unique constraint says so)."""
    if round.status != Round.Status.OPEN:
        raise Conflict(_("This questionnaire is closed."), code="round_not_open")
    if not units_of_round(round=round).filter(pk=unit.pk).exists():
        raise NotFound(_("No such questionnaire."), code="not_found")
    codes = set(questionnaire_indicators(round).values_list("code", flat=True))
    if set(answers) != codes:
        raise InvalidInput(_("Answer every question."), code="incomplete", details={"field": "answers"})
    for code, level in answers.items():
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise InvalidInput(_("Choose one of the five levels."), code="invalid", details={"field": code})
    try:
        with transaction.atomic():
            return QuestionnaireAnswer.objects.create(
                round=round,
                unit=unit,
                phone_hash=citizen.phone_hash,
                answers=answers,
                comment=comment.strip()[:500],
                answered_at=clock.now(),
            )
    except IntegrityError as error:
        raise Conflict(
            _("This phone has answered about this unit already."), code="answered_already"
        ) from error


def may_officer(*, user: User, round: Round) -> bool:
    return officer_may_run(user=user, region=round.region)
