"""One-window cases: intake, deadlines, e-supervision, delivery: the data and its constraints.

Dates that are deadlines (`promised_due`, `statutory_due`, a step's `due`, a gap's `due`) are local
dates in the hall's zone, computed only by `core.workdays`. Instants (`accepted_at`, …) are aware UTC.
Split by seam: the choices, the case and its rows, what happens to a running case, e-supervision and
settings; every model and choice is imported from here.
"""

from minxin.cases.models.cases import Applicant, Case, CaseHistory, CaseMaterial, CaseStep
from minxin.cases.models.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ApplicantKind,
    CaseStatus,
    Decision,
    DeliveryMethod,
    IntakeOutcome,
    Light,
    NoticeKind,
    StepKind,
    SuspensionKind,
)
from minxin.cases.models.records import CaseExtension, CaseNotice, CaseSuspension
from minxin.cases.models.supervision import HallCaseSettings, ItemRules, LightFlip, StaffNotice

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "Applicant",
    "ApplicantKind",
    "Case",
    "CaseExtension",
    "CaseHistory",
    "CaseMaterial",
    "CaseNotice",
    "CaseStatus",
    "CaseStep",
    "CaseSuspension",
    "Decision",
    "DeliveryMethod",
    "HallCaseSettings",
    "IntakeOutcome",
    "ItemRules",
    "Light",
    "LightFlip",
    "NoticeKind",
    "StaffNotice",
    "StepKind",
    "SuspensionKind",
]
