"""Every write of the watch, split by seam: posts and plans, check-ins, fires, the worker's sweep."""

from __future__ import annotations

from minxin.watch.services.checkins import Recorded, Report, check_in_record
from minxin.watch.services.fires import fire_incident_acknowledge, fire_incident_close, incident_estimate
from minxin.watch.services.posts import (
    StageData,
    danger_level_set,
    duty_plan_create,
    escalation_acknowledge,
    post_create,
    post_create_simple,
    post_pause,
    post_resume,
    post_staff_assign,
)
from minxin.watch.services.sweep import SweepResult, fires_sweep, posts_sweep, posts_sweep_job

__all__ = [
    "Recorded",
    "Report",
    "StageData",
    "SweepResult",
    "check_in_record",
    "danger_level_set",
    "duty_plan_create",
    "escalation_acknowledge",
    "fire_incident_acknowledge",
    "fire_incident_close",
    "fires_sweep",
    "incident_estimate",
    "post_create",
    "post_create_simple",
    "post_pause",
    "post_resume",
    "post_staff_assign",
    "posts_sweep",
    "posts_sweep_job",
]
