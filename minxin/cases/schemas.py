"""The shapes of the cases API: what it takes in and what it answers (a case with its materials, steps
and history; the hall's metrics; the supervision board)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from minxin.cases import selectors
from minxin.cases.models import Case, CaseStatus


class ApplicantIn(Schema):
    kind: Literal["person", "company"]
    name: str = Field(..., min_length=1, max_length=128)
    id_number: str = Field("", max_length=32, description="Resident ID number (person)")
    credit_code: str = Field("", max_length=32, description="Unified social credit code (company)")
    phone: str = Field(..., max_length=20)
    contact_name: str = Field("", max_length=64)
    address: str = Field("", max_length=255)


class MaterialIn(Schema):
    material: int
    presented: bool = False
    ok: bool = False
    original: bool = False
    note: str = Field("", max_length=255)
    due: dt.date | None = None


class CaseIn(Schema):
    item: uuid.UUID
    applicant: ApplicantIn
    materials: list[MaterialIn] = Field(default_factory=list, max_length=200)
    outcome: Literal["accept", "correct", "refuse", "accept_with_gaps"]
    reasons: str = Field("", max_length=2000)
    legal_basis: str = Field("", max_length=2000)
    ticket: uuid.UUID | None = None
    window: str | None = Field(None, max_length=8, description="Window number in the hall")
    delivery: Literal["window", "mail", "home"] = "window"
    delivery_address: str = Field("", max_length=255)


class ApplicantOut(Schema):
    kind: str
    name: str
    id_masked: str
    phone_masked: str


class MaterialOut(Schema):
    material: int
    name: str
    mandatory: bool
    presented: bool
    original: bool
    ok: bool
    note: str
    on_notice: bool
    due: dt.date | None
    received: bool


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    actor: str
    note: str


class StepOut(Schema):
    kind: str
    days: int
    due: dt.date
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    light: str


class CaseOut(Schema):
    id: uuid.UUID
    number: str
    status: str
    status_label: str
    outcome: str
    hall: str
    department: str
    item: uuid.UUID
    item_name: str
    received_at: dt.datetime
    accepted_on: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    suspended_days: int
    extended_days: int
    light: str
    decision: str
    decision_reasons: str
    refusal_reasons: str
    refusal_basis: str
    decided_at: dt.datetime | None
    completed_at: dt.datetime | None
    on_time: bool | None
    delivery: str
    delivery_carrier: str
    delivery_tracking: str
    trips_made: int
    baseline_trips: int
    applicant: ApplicantOut
    public_url: str
    materials: list[MaterialOut] = []
    steps: list[StepOut] = []
    history: list[HistoryOut] = []

    @staticmethod
    def of(case: Case, *, detail: bool = False) -> CaseOut:
        on_time = None
        if case.decided_at is not None and case.promised_due is not None:
            on_time = case.decided_at.astimezone(_zone(case)).date() <= case.promised_due
        out = CaseOut(
            id=case.public_id,
            number=case.number,
            status=case.status,
            status_label=str(CaseStatus(case.status).label),
            outcome=case.outcome,
            hall=case.hall.code,
            department=case.department.name,
            item=case.item_version.item.public_id,
            item_name=case.item_version.name,
            received_at=case.created_at,
            accepted_on=case.accepted_on,
            promised_due=case.promised_due,
            statutory_due=case.statutory_due,
            suspended_days=case.suspended_days,
            extended_days=case.extended_days,
            light=case.light,
            decision=case.decision,
            decision_reasons=case.decision_reasons,
            refusal_reasons=case.refusal_reasons,
            refusal_basis=case.refusal_basis,
            decided_at=case.decided_at,
            completed_at=case.completed_at,
            on_time=on_time,
            delivery=case.delivery_method,
            delivery_carrier=case.delivery_carrier,
            delivery_tracking=case.delivery_tracking,
            trips_made=case.trips_made,
            baseline_trips=case.baseline_trips,
            applicant=ApplicantOut(
                kind=case.applicant.kind,
                name=case.applicant.name,
                id_masked=case.applicant.id_masked,
                phone_masked=case.applicant.phone_masked,
            ),
            public_url=reverse("cases:public", args=[case.public_id]),
        )
        if detail:
            out.materials = _materials_out(case)
            out.steps = _steps_out(case)
            out.history = _history_out(case)
        return out


def _materials_out(case: Case) -> list[MaterialOut]:
    return [
        MaterialOut(
            material=row.material_id,
            name=row.material.name,
            mandatory=row.material.mandatory,
            presented=row.presented,
            original=row.original,
            ok=row.ok,
            note=row.note,
            on_notice=row.on_notice,
            due=row.gap_due,
            received=row.received_at is not None,
        )
        for row in selectors.case_materials(case)
    ]


def _steps_out(case: Case) -> list[StepOut]:
    return [
        StepOut(
            kind=s.kind,
            days=s.days,
            due=s.due,
            started_at=s.started_at,
            finished_at=s.finished_at,
            light=s.light,
        )
        for s in case.steps.order_by("position")
    ]


def _history_out(case: Case) -> list[HistoryOut]:
    return [
        HistoryOut(
            at=h.at,
            action=h.action,
            from_status=h.from_status,
            to_status=h.to_status,
            actor=h.actor_label,
            note=h.note,
        )
        for h in selectors.case_history(case)
    ]


def _zone(case: Case) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(case.hall.time_zone)


class SuspendIn(Schema):
    kind: Literal["hearing", "testing", "inspection", "expert_review", "appraisal", "materials"]
    reason: str = Field(..., max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class DecideIn(Schema):
    decision: Literal["approve", "reject"]
    reasons: str = Field("", max_length=2000)


class DeliverIn(Schema):
    method: Literal["window", "mail", "home"]
    tracking: str = Field("", max_length=64)
    carrier: str = Field("", max_length=64)
    address: str = Field("", max_length=255)


class MaterialsIn(Schema):
    materials: list[MaterialIn] = Field(..., min_length=1, max_length=200)
    in_person: bool = True


class MetricsFilter(Schema):
    from_: dt.date = Field(..., alias="from")
    to: dt.date


class MetricsOut(Schema):
    hall: str
    start: dt.date = Field(..., alias="from")
    end: dt.date = Field(..., alias="to")
    entry_rate: Decimal
    materials_cut_rate: Decimal
    time_limit_cut_rate: Decimal
    trips_saved: Decimal
    zero_trip_item_share: Decimal
    one_trip_item_share: Decimal
    on_time_rate: Decimal
    speed_up_rate: Decimal
    one_visit_rate: Decimal
    cases_by_status: dict[str, int]
    cases_by_light: dict[str, int]


class LitCaseOut(Schema):
    id: uuid.UUID
    number: str
    item_name: str
    status: str
    light: str
    promised_due: dt.date | None
    statutory_due: dt.date | None


class DepartmentSupervisionOut(Schema):
    department: str
    code: str
    yellow: list[LitCaseOut]
    red: list[LitCaseOut]
    yellow_cards: int
    red_cards: int


class SupervisionOut(Schema):
    hall: str
    departments: list[DepartmentSupervisionOut]


def lit_case_out(case: Case) -> LitCaseOut:
    return LitCaseOut(
        id=case.public_id,
        number=case.number,
        item_name=case.item_version.name,
        status=case.status,
        light=case.light,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
    )
