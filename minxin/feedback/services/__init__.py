"""Every write of the feedback app, split by seam: ratings (one per ticket or case), the bad-review
loop (verify → rectify → reply → recheck, appeals, escalation), honours and nominations."""

from minxin.feedback.services.honours import (
    honour_decide,
    honours_propose,
    nomination_decide,
    nomination_file,
)
from minxin.feedback.services.invitations import cases_invite
from minxin.feedback.services.loop import (
    appeal_decide,
    loop_working_days,
    rectification_appeal,
    rectification_follow_up,
    rectification_recheck,
    rectification_rectify,
    rectification_reply,
    rectification_verify,
    rectifications_escalate,
)
from minxin.feedback.services.ratings import RatingInput, case_rate, rating_throttle, ticket_rate

__all__ = [
    "RatingInput",
    "appeal_decide",
    "case_rate",
    "cases_invite",
    "honour_decide",
    "honours_propose",
    "loop_working_days",
    "nomination_decide",
    "nomination_file",
    "rating_throttle",
    "rectification_appeal",
    "rectification_follow_up",
    "rectification_recheck",
    "rectification_rectify",
    "rectification_reply",
    "rectification_verify",
    "rectifications_escalate",
    "ticket_rate",
]
