"""The choices of cases (statuses, outcomes, lights, kinds) and the status groups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class CaseStatus(models.TextChoices):
    CORRECTION = "correction", _("Waiting for corrected materials")
    REFUSED = "refused", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted")
    IN_REVIEW = "in_review", _("In review")
    SUSPENDED = "suspended", _("Suspended")
    DECIDED = "decided", _("Decision made")
    DELIVERING = "delivering", _("Result on its way")
    COMPLETED = "completed", _("Result delivered")


OPEN_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)
FINAL_STATUSES = (CaseStatus.REFUSED, CaseStatus.COMPLETED)


class IntakeOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    CORRECT = "correct", _("One-time correction notice")
    REFUSE = "refuse", _("Refuse")
    ACCEPT_WITH_GAPS = "accept_with_gaps", _("Accept with gaps")


class Light(models.TextChoices):
    NONE = "none", _("No light")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("Collect at the result window")
    MAIL = "mail", _("By mail")
    HOME = "home", _("Home delivery")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    REVIEW = "review", _("Review")
    DECIDE = "decide", _("Decision")


class SuspensionKind(models.TextChoices):
    HEARING = "hearing", _("Hearing")
    TESTING = "testing", _("Testing")
    INSPECTION = "inspection", _("On-site inspection")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    APPRAISAL = "appraisal", _("Appraisal")
    MATERIALS = "materials", _("Waiting for missing materials")


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice")
    CORRECTION = "correction", _("One-time correction notice")
    REFUSAL = "refusal", _("Notice of non-acceptance")
    GAPS = "gaps", _("Acceptance notice with missing materials")
