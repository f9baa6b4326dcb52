"""The queue's models, split by seam: `lines` (rules, queues, services, day counts), `tickets` (tickets,
their statuses and history) and `windows` (work profiles, window states). Every model is imported here,
in the order Django has always registered them."""

from minxin.queueing.models.lines import Queue, QueueDay, QueueRules, Service
from minxin.queueing.models.tickets import (
    ACTIVE,
    AT_WINDOW,
    IN_LINE,
    Channel,
    Priority,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from minxin.queueing.models.windows import WindowState, WorkProfile, WorkProfileQueue

__all__ = [
    "ACTIVE",
    "AT_WINDOW",
    "IN_LINE",
    "Channel",
    "Priority",
    "Queue",
    "QueueDay",
    "QueueRules",
    "Service",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "WindowState",
    "WorkProfile",
    "WorkProfileQueue",
]
