from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

# Monday 2026-11-30, 10:00 in Shanghai: the cast's halls are open (9–12, 13:30–17).
OPEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@dataclass
class Served:
    """A queue at hall qhd and a helper that serves one citizen at window 1 (bob), start to finish."""

    queue: Any
    service: Any
    cast: Any

    def ticket(self, *, phone: str | None = None, window: Any = None, clerk: Any = None) -> Any:
        from minxin.queueing.services import ticket_call_next, ticket_finish, ticket_issue

        window = window or self.cast.window1
        clerk = clerk or self.cast.bob
        issued = ticket_issue(hall=self.cast.hall, service_code="huji", channel="kiosk", phone=phone)
        called = ticket_call_next(window=window, clerk=clerk)
        assert called is not None
        assert called.pk == issued.ticket.pk
        return ticket_finish(ticket=called, clerk=clerk)

    def waiting(self) -> Any:
        from minxin.queueing.services import ticket_issue

        return ticket_issue(hall=self.cast.hall, service_code="huji", channel="kiosk").ticket


@pytest.fixture(autouse=True)
def _notices_by_sms(settings: Any) -> None:
    """Replies and invitations go through the notice backend; here, to the SMS backend (an outbox)."""
    settings.NOTICE_BACKEND = "minxin.queueing.notices.SmsNoticeBackend"


@pytest.fixture
def at_open_hall() -> Any:
    with time_machine.travel(OPEN, tick=True) as traveller:
        yield traveller


@pytest.fixture
def calendar(db: Any) -> None:
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2026, last_year=2026)


@pytest.fixture
def served(cast: Any, at_open_hall: Any, calendar: None) -> Served:
    from minxin.queueing.models import Queue, Service

    queue = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
    service = Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue)
    return Served(queue=queue, service=service, cast=cast)


@pytest.fixture
def device(cast: Any, token_for: Any) -> dict[str, str]:
    """The rating device of window 1: a device account of hall qhd with an API token."""
    from minxin.accounts.models import Role, User
    from minxin.orgs.services import membership_grant

    user = User.objects.create_user(username="rater-1", is_device=True)
    membership_grant(user=user, role=Role.WINDOW_CLERK, hall=cast.hall)
    return token_for(user)


def rate(client: Any, body: dict[str, Any], **headers: Any) -> Any:
    return client.post("/api/v1/ratings", body, content_type="application/json", **headers)
