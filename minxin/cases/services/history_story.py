"""A historic case as the importer is told it (`HistoricCase`), the rows it becomes (`Built`), and the
story being built step by step (`Story`, with the deadlines as they move: `Dues`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

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
    LightFlip,
)
from minxin.catalog.models import ItemVersion, Window
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


@dataclass(slots=True)
class Built:
    case: Case
    materials: list[CaseMaterial] = field(default_factory=list)
    steps: list[CaseStep] = field(default_factory=list)
    history: list[CaseHistory] = field(default_factory=list)
    suspensions: list[CaseSuspension] = field(default_factory=list)
    extensions: list[CaseExtension] = field(default_factory=list)
    notices: list[CaseNotice] = field(default_factory=list)
    flips: list[LightFlip] = field(default_factory=list)


def seq_of(number: str) -> int:
    return int(number.rsplit("-", 1)[-1])


def at_hour(day: dt.date, hour: int, zone: ZoneInfo, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


@dataclass(slots=True)
class Story:
    """The case being built and what every step needs to know of it."""

    row: HistoricCase
    number: str
    hall: Hall
    zone: ZoneInfo
    calendar: WorkingCalendar
    today: dt.date
    yellow_days: int
    received: dt.datetime
    built: Built

    @property
    def case(self) -> Case:
        return self.built.case

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return at_hour(day, hour, self.zone, minute)

    def log(
        self,
        at: dt.datetime,
        action: str,
        before: str,
        after: str,
        actor: User,
        note: str = "",
        **details: object,
    ) -> None:
        self.built.history.append(
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

    def notice(self, kind: str, at: dt.datetime, **content: object) -> None:
        self.built.notices.append(
            CaseNotice(
                kind=kind,
                issued_at=at,
                issued_by=self.row.clerk,
                content={"number": self.number, "item": self.row.version.name, **content},
            )
        )


@dataclass(slots=True)
class Dues:
    """The deadlines as they move: promised, statutory and each step's (kind, days, due)."""

    accepted_on: dt.date
    accepted_at: dt.datetime
    promised: dt.date
    statutory: dt.date
    steps: list[tuple[str, int, dt.date]]


def story_begin(
    row: HistoricCase,
    number: str,
    hall: Hall,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    today: dt.date,
    yellow_days: int,
) -> Story:
    version = row.version
    received = at_hour(row.received_on, 9 + (seq_of(number) % 7), zone, seq_of(number) % 60)
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
    return Story(row, number, hall, zone, calendar, today, yellow_days, received, Built(case=case))
