from __future__ import annotations

import datetime as dt

import pytest

from minxin.queueing.models import Ticket
from minxin.queueing.services import ticket_call_next, ticket_issue, window_set_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]
DESK = "/staff/halls/qhd/windows/1/"


def test_the_ticket_page_shows_place_and_last_call(cast, line, client) -> None:
    first = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
    mine = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    page = client.get(f"/tickets/{mine.public_id}/").content.decode()
    assert "A002" in page
    assert 'data-live-hall="qhd"' in page
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    partial = client.get(f"/tickets/{mine.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert first.number in partial  # now calling A001
    assert "<html" not in partial
    called_page = client.get(f"/tickets/{first.public_id}/").content.decode()
    assert 'role="alert"' in called_page


def test_an_unknown_ticket_is_a_404_page(db, client) -> None:
    assert client.get("/tickets/6f1c1e7e-1111-4a4a-9b9b-000000000000/").status_code == 404


def test_the_hall_status_page_lists_services_and_calls(cast, line, client) -> None:
    ticket_issue(hall=line.hall, service_code="qiye", channel="kiosk")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window2, clerk=cast.bob)
    page = client.get("/halls/qhd/status/").content.decode()
    assert "户籍业务" in page
    assert "企业开办" in page
    assert "B001" in page


def test_the_window_desk_is_only_for_the_windows_clerks(cast, line, client) -> None:
    client.force_login(cast.charlie)
    assert client.get(DESK).status_code == 403
    assert client.post(DESK + "call/").status_code == 403
    client.force_login(cast.bob)
    assert client.get(DESK).status_code == 200
    assert client.get("/staff/halls/qhd/windows/2/").status_code == 403  # not bob's window
    client.logout()
    assert client.get(DESK).status_code == 302


def test_a_clerk_opens_issues_calls_and_finishes_from_the_desk(cast, line, client) -> None:
    client.force_login(cast.bob)
    closed = client.post(DESK + "call/", HTTP_HX_REQUEST="true").content.decode()
    assert "disabled" in closed  # the call button waits for an open window
    client.post(DESK + "open/", HTTP_HX_REQUEST="true")
    issued = client.post(DESK + "issue/", {"service": "huji", "reason": "elderly"}, HTTP_HX_REQUEST="true")
    assert "A001" in issued.content.decode()
    assert Ticket.objects.get().priority == 2
    called = client.post(DESK + "call/", HTTP_HX_REQUEST="true").content.decode()
    assert 'class="desk-number">A001' in called
    client.post(DESK + "finish/", HTTP_HX_REQUEST="true")
    assert Ticket.objects.get().status == "done"


def test_the_no_show_button_waits_for_the_halls_grace(cast, line, client, at_open_hall) -> None:
    import re

    client.force_login(cast.bob)
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = client.post(DESK + "call/", HTTP_HX_REQUEST="true").content.decode()
    button = re.search(r'<button[^>]*no-show/"[^>]*>', called)
    assert button is not None, called
    assert "disabled" in button.group(0)
    assert 'data-enable-in="60"' in button.group(0)
    early = client.post(DESK + "no-show/", HTTP_HX_REQUEST="true")
    assert early.status_code == 409
    at_open_hall.shift(dt.timedelta(seconds=45))
    assert 'data-enable-in="15"' in client.get(DESK).content.decode()
    at_open_hall.shift(dt.timedelta(seconds=15))
    page = client.get(DESK).content.decode()
    assert "data-enable-in" not in page
    assert client.post(DESK + "no-show/", HTTP_HX_REQUEST="true").status_code == 200
    assert Ticket.objects.get().status == "no_show"


def test_a_desk_error_is_shown_with_its_status(cast, line, client) -> None:
    client.force_login(cast.bob)
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    response = client.post(DESK + "issue/", {"service": "nothing"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert 'role="alert"' in response.content.decode()
    assert client.post(DESK + "dance/").status_code == 404


def test_a_signed_in_citizen_takes_a_number_from_home_then_checks_in_by_qr(line, client, sms_outbox) -> None:
    assert "/me/login/?next=" in client.get("/halls/qhd/status/").content.decode()
    refused = client.post("/halls/qhd/take/", {"service": "huji"})
    assert refused.status_code == 302
    assert refused["Location"].startswith("/me/login/?next=")
    client.post("/me/login/", {"step": "phone", "phone": "13812345678"})
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    back = "/halls/qhd/status/"
    client.post("/me/login/", {"step": "code", "phone": "13812345678", "code": code, "next": back})
    taken = client.post("/halls/qhd/take/", {"service": "huji"})
    ticket = Ticket.objects.get()
    assert taken["Location"] == f"/tickets/{ticket.public_id}/"
    assert (ticket.channel, ticket.status, ticket.phone_masked) == ("web", "reserved", "138****5678")
    from minxin.queueing.services import hall_check_in_code

    assert client.get("/halls/qhd/check-in/").status_code == 403  # no code: not proven to be at the hall
    code = hall_check_in_code(line.hall)
    page = client.get(f"/halls/qhd/check-in/?t={code}").content.decode()
    assert ticket.number in page
    client.post("/halls/qhd/check-in/", {"t": code})
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_only_the_browser_that_took_a_number_may_give_it_up(line, client) -> None:
    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
    assert client.post(f"/tickets/{ticket.public_id}/cancel/").status_code == 404
    session = client.session
    session["queue_tickets"] = [str(ticket.public_id)]
    session.save()
    client.post(f"/tickets/{ticket.public_id}/cancel/")
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"


def test_a_missed_citizen_rejoins_from_the_ticket_page(cast, line, client, at_open_hall) -> None:
    from minxin.queueing.services import ticket_no_show

    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
    session = client.session
    session["queue_tickets"] = [str(ticket.public_id)]
    session.save()
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    at_open_hall.shift(dt.timedelta(minutes=1))
    ticket_no_show(ticket=called, clerk=cast.bob)
    page = client.get(f"/tickets/{ticket.public_id}/").content.decode()
    assert f"/tickets/{ticket.public_id}/rejoin/" in page
    client.post(f"/tickets/{ticket.public_id}/rejoin/")
    ticket.refresh_from_db()
    assert ticket.status == "waiting"
    back = client.get(f"/tickets/{ticket.public_id}/").content.decode()
    assert f"<dd>{ticket.number}</dd>" not in back  # "now calling" is not their own number any more


def _sign_in(client, sms_outbox, phone="13812345678") -> None:
    client.post("/me/login/", {"step": "phone", "phone": phone})
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    client.post("/me/login/", {"step": "code", "phone": phone, "code": code})


def test_a_citizen_finds_their_numbers_again_and_a_second_number_leads_to_the_first(
    line, client, sms_outbox, at_open_hall
) -> None:
    _sign_in(client, sms_outbox)
    client.post("/halls/qhd/take/", {"service": "huji"})
    mine = Ticket.objects.get()
    other = ticket_issue(hall=line.hall, service_code="qiye", channel="web", phone="13912345678").ticket
    client.cookies.clear()  # another browser, the same phone, after the code's cooldown
    at_open_hall.shift(dt.timedelta(minutes=2))
    _sign_in(client, sms_outbox)
    page = client.get("/me/numbers/").content.decode()
    assert f"/tickets/{mine.public_id}/" in page
    assert f"/tickets/{other.public_id}/" not in page
    assert f"/tickets/{mine.public_id}/cancel/" in client.get(f"/tickets/{mine.public_id}/").content.decode()
    again = client.post("/halls/qhd/take/", {"service": "qiye"}, follow=True)
    assert again.redirect_chain[-1][0] == f"/tickets/{mine.public_id}/"
    assert mine.number in again.content.decode()
    assert Ticket.objects.count() == 2


def test_my_numbers_asks_a_stranger_to_sign_in(db, client) -> None:
    answer = client.get("/me/numbers/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/me/login/?next=/me/numbers/")


def test_the_check_in_poster_carries_the_halls_qr_for_its_staff_only(cast, line, client) -> None:
    client.force_login(cast.charlie)
    assert client.get("/staff/halls/qhd/check-in-poster/").status_code == 403
    client.force_login(cast.alice)
    page = client.get("/staff/halls/qhd/check-in-poster/").content.decode()
    assert "<svg" in page
    assert 'http-equiv="refresh"' in page


def test_the_web_page_limits_remote_numbers_per_citizen(line, client) -> None:
    from minxin.accounts.services import citizen_get_or_create

    session = client.session
    session["citizen_id"] = citizen_get_or_create(phone="13812345678").pk
    session.save()
    for _ in range(6):
        client.post("/halls/qhd/take/", {"service": "huji"})
        Ticket.objects.update(status="cancelled")  # one active number per phone; free it for the next try
    client.post("/halls/qhd/take/", {"service": "huji"})
    assert Ticket.objects.count() == 6  # the seventh within the hour is refused


@pytest.mark.parametrize(("limit", "alert"), [(1, True), (2, False), (0, False)])
def test_the_desk_asks_for_another_window_when_a_queue_is_longer_than_the_halls_limit(
    cast, line, client, limit, alert
) -> None:
    from minxin.queueing.models import QueueRules

    QueueRules.objects.update_or_create(hall=line.hall, defaults={"crowd_alert_waiting": limit})
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_issue(hall=line.hall, service_code="qiye", channel="web", phone="13812345678")  # not here yet
    client.force_login(cast.bob)
    page = client.get(DESK).content.decode()
    assert ("排队过长" in page) is alert
    assert ("A 户籍：2 人等候" in page) is alert
    assert "B 企业" not in page.split('id="waiting-title"')[0]  # remote, not checked in: not waiting
