"""The queue's calls that carry the load, answered in front of Django's request machinery
(minxin/accounts/hotpath.py): taking a number, and a clerk's call-next, start, finish, recall and
no-show. Each runs the very function its django-ninja view runs (minxin/queueing/api.py)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from minxin.accounts.hotpath import HotCall, HotRoute
from minxin.queueing.api import TicketIn, call_next_for, clerk_step_for, ticket_issue_for

_HALL = r"(?P<hall>[-a-zA-Z0-9_]+)"  # a hall code is a slug
_UUID = r"(?P<ticket>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def _issue(call: HotCall) -> tuple[int, BaseModel | None]:
    assert isinstance(call.payload, TicketIn)  # the route validated it
    return ticket_issue_for(
        hall=call.params["hall"],
        payload=call.payload,
        auth=call.user,
        idempotency_key=call.headers.get("idempotency-key", ""),
        ip=None,  # only a citizen's number (a session, never here) is limited by address
    )


class CallNextQuery(BaseModel):
    """call-next's query, as `call_next_api` declares it."""

    finish_current: bool = False


def _call_next(call: HotCall) -> tuple[int, BaseModel | None]:
    assert isinstance(call.query, CallNextQuery)  # the route validated it
    out = call_next_for(
        hall=call.params["hall"],
        window=call.params["window"],
        user=call.user,
        finish_current=call.query.finish_current,
    )
    return (204, None) if out is None else (200, out)


def _step(call: HotCall) -> tuple[int, BaseModel | None]:
    return 200, clerk_step_for(call.params["step"], ticket_id=call.params["ticket"], user=call.user)


ROUTES = (
    HotRoute(re.compile(rf"/api/v1/halls/{_HALL}/tickets"), _issue, body=TicketIn),
    HotRoute(
        re.compile(rf"/api/v1/halls/{_HALL}/windows/(?P<window>[-a-zA-Z0-9_.~]+)/call-next"),
        _call_next,
        query=CallNextQuery,
    ),
    HotRoute(re.compile(rf"/api/v1/tickets/{_UUID}/(?P<step>start|finish|recall|no-show)"), _step),
)
