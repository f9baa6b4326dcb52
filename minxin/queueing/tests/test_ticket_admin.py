"""The admin's ticket list names each ticket's hall and filters by hall, queue and service (issue 20,
point 10)."""

from __future__ import annotations

from typing import Any

import pytest

from minxin.accounts.models import User
from minxin.queueing.services import ticket_issue

pytestmark = pytest.mark.django_db


def test_the_ticket_list_has_a_hall_column_and_filters(
    cast: Any, line: Any, client: Any, at_open_hall: Any
) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    admin = User.objects.create_superuser(username="root", password="root-pass-123")
    client.force_login(admin)
    body = client.get("/admin/queueing/ticket/").content.decode()
    assert "column-hall" in body
    assert cast.hall.name in body
    for field in ("hall__id__exact", "queue__id__exact", "service__id__exact"):
        assert field in body
    filtered = client.get(f"/admin/queueing/ticket/?hall__id__exact={cast.other_hall.pk}").content.decode()
    assert "A001" not in filtered
