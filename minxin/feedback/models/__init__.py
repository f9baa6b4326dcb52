"""Citizen ratings, the bad-review loop and honours: the data and its constraints.

One rating per ticket (一次一评) and per case (一事一评) is a unique constraint, so parallel tries on
different channels give one rating and the others a 409. A rating is never deleted: an upheld appeal
stamps `excluded_at`, and the statistics leave it out of the scores (docs/feedback.md).

Split by seam: `ratings` (ratings, invitations, loop time limits), `rectifications` (the loop, its
steps, appeals), `honours` (rules, stars and red flags, nominations).
"""

from minxin.feedback.models.honours import (
    Honour,
    HonourKind,
    HonourRule,
    Nomination,
)
from minxin.feedback.models.ratings import (
    BAD_MAX,
    BAD_SCORES,
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    CaseInvitation,
    Indicator,
    LoopDeadline,
    Rating,
    RatingChannel,
    Score,
)
from minxin.feedback.models.rectifications import (
    OPEN_STATUSES,
    Appeal,
    Rectification,
    RectificationStatus,
    RectificationStep,
)

__all__ = [
    "BAD_MAX",
    "BAD_SCORES",
    "OFFLINE_INDICATORS",
    "ONLINE_INDICATORS",
    "OPEN_STATUSES",
    "Appeal",
    "CaseInvitation",
    "Honour",
    "HonourKind",
    "HonourRule",
    "Indicator",
    "LoopDeadline",
    "Nomination",
    "Rating",
    "RatingChannel",
    "Rectification",
    "RectificationStatus",
    "RectificationStep",
    "Score",
]
