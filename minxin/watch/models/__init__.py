"""Lookout posts: duty plans, check-ins, missed reports, fire incidents: the data and its constraints.

The mechanism is Healthchecks': each post keeps the instant at which the worker must next look at it in
one indexed column (`alert_at`); the worker claims due posts with a conditional update on `revision`,
so two workers never act on the same post twice, and records every state change as an append-only
`Flip` dated at the true deadline. Notices are written from flips, in the same transaction.
"""

from __future__ import annotations

from minxin.watch.models.alerts import Escalation, Flip, MissedSlot, Notice
from minxin.watch.models.plans import DangerLevel, DutyPlan, EscalationStage, Season
from minxin.watch.models.posts import Post, PostStaff, PostState
from minxin.watch.models.reports import CheckIn, FireIncident

__all__ = [
    "CheckIn",
    "DangerLevel",
    "DutyPlan",
    "Escalation",
    "EscalationStage",
    "FireIncident",
    "Flip",
    "MissedSlot",
    "Notice",
    "Post",
    "PostStaff",
    "PostState",
    "Season",
]
