"""Every write to cases: the applicant, intake (four outcomes), the return of corrections and 容缺
gaps, the back office (steps, suspension, extension, decision), delivery and e-supervision. Split by
seam; import from here."""

from minxin.cases.services.applicants import ApplicantData, applicant_upsert, normalize_credit_code
from minxin.cases.services.backoffice import (
    case_complete,
    case_decide,
    case_deliver,
    case_extend,
    case_resume,
    case_step_advance,
    case_suspend,
)
from minxin.cases.services.intake import IntakeResult, case_intake
from minxin.cases.services.materials import MaterialCheck
from minxin.cases.services.returns import case_materials_supply
from minxin.cases.services.supervision import cases_supervise

__all__ = [
    "ApplicantData",
    "IntakeResult",
    "MaterialCheck",
    "applicant_upsert",
    "case_complete",
    "case_decide",
    "case_deliver",
    "case_extend",
    "case_intake",
    "case_materials_supply",
    "case_resume",
    "case_step_advance",
    "case_suspend",
    "cases_supervise",
    "normalize_credit_code",
]
