"""Every change to tickets and windows, split by seam (the names below are the public ones):

- `numbers`: taking a number, replaying a retried request;
- `line`: a number in line before it is called (check-in, priority, cancel);
- `calling`: call-next by the window's work profile;
- `steps`: the clerk's steps at the window, and the window's state; `transfer`: sending a citizen on;
- `jobs`: the worker's jobs; `common`: history rows, live signals, day counts.

Configuration and caches are in `queueing.rules`, the hand-written SQL in `queueing.sql` (both
databases) and `queueing.pg` (PostgreSQL's one-statement hot paths), the reads in `queueing.selectors`.
Hot paths (issue, call) take few statements and lock little; the database refuses two numbers alike,
two active tickets at one window, two active tickets for one phone in a hall and a replayed
Idempotency-Key (unique constraints), whatever the code does.
"""

from minxin.queueing.rules import (
    REMOTE_CHANNELS,
    Issued,
    NumberRequest,
    hall_topic,
    queue_rules,
    service_by_id,
)
from minxin.queueing.selectors import ensure_clerk_at_window, ticket_for_clerk
from minxin.queueing.services.calling import ticket_call_next
from minxin.queueing.services.jobs import tickets_close_out_days, tickets_lapse
from minxin.queueing.services.line import (
    CHECK_IN_CODE_SECONDS,
    hall_check_in_code,
    hall_check_in_code_valid,
    ticket_cancel,
    ticket_check_in,
    ticket_prioritize,
)
from minxin.queueing.services.numbers import (
    ADDRESS_NUMBERS_PER_HOUR,
    CITIZEN_NUMBERS_PER_HOUR,
    citizen_ticket_issue,
    ticket_issue,
)
from minxin.queueing.services.steps import (
    ticket_finish,
    ticket_no_show,
    ticket_recall,
    ticket_rejoin,
    ticket_start,
    window_set_state,
)
from minxin.queueing.services.transfer import ticket_transfer

__all__ = [
    "ADDRESS_NUMBERS_PER_HOUR",
    "CHECK_IN_CODE_SECONDS",
    "CITIZEN_NUMBERS_PER_HOUR",
    "REMOTE_CHANNELS",
    "Issued",
    "NumberRequest",
    "citizen_ticket_issue",
    "ensure_clerk_at_window",
    "hall_check_in_code",
    "hall_check_in_code_valid",
    "hall_topic",
    "queue_rules",
    "service_by_id",
    "ticket_call_next",
    "ticket_cancel",
    "ticket_check_in",
    "ticket_finish",
    "ticket_for_clerk",
    "ticket_issue",
    "ticket_no_show",
    "ticket_prioritize",
    "ticket_recall",
    "ticket_rejoin",
    "ticket_start",
    "ticket_transfer",
    "tickets_close_out_days",
    "tickets_lapse",
    "window_set_state",
]
