"""The queue's calls that carry the load, answered by Django without the middleware a bearer call does
not need (minxin/core/hotpath.py): taking a number, and a clerk's call-next, start, finish, recall and
no-show. Each is its django-ninja operation in minxin/queueing/api.py, run as Django runs it: its path,
query, headers, body and authentication come from the operation itself."""

from __future__ import annotations

from minxin.queueing.api import (
    call_next_api,
    finish_api,
    no_show_api,
    recall_api,
    start_api,
    ticket_issue_api,
)

ROUTES = (ticket_issue_api, call_next_api, start_api, finish_api, recall_api, no_show_api)
