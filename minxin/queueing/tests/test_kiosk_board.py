"""The kiosk (take a number, print it, check in a remote number) and the calling board, through Django's
test client. Text is checked in English, the source language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache

from minxin.queueing import services
from minxin.queueing.estimates import Estimate
from minxin.queueing.kiosk import estimate_band, normalize_number
from minxin.queueing.models import Channel, Ticket, TicketStatus, WindowState

pytestmark = [pytest.mark.django_db]

KIOSK = "/halls/qhd/kiosk/"
TAKE = "/halls/qhd/kiosk/take/"
CHECK_IN = "/halls/qhd/kiosk/check-in/"
BOARD = "/halls/qhd/board/"
SUNDAY = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)  # 10:00 on a Sunday in Shanghai: closed


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def kiosk_client(english, cast, settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600  # the tests travel in time after signing in
    english.force_login(cast.bob)
    return english


def text(response) -> str:
    return response.content.decode()


def nonce(page: str, service: str) -> str:
    match = re.search(
        rf'name="service" value="{service}">\s*<input type="hidden" name="nonce" value="([^"]+)"', page
    )
    assert match, "no nonce for " + service
    return match.group(1)


def test_the_kiosk_needs_a_sign_in(line, english) -> None:
    response = english.get(KIOSK)
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
    assert "next=/halls/qhd/kiosk/" in response["Location"]
    assert english.post(TAKE, {"service": "huji"}).status_code == 302
    assert not Ticket.objects.exists()


def test_the_kiosk_needs_a_role_in_the_hall(cast, line, english) -> None:
    english.force_login(cast.charlie)  # a clerk of another hall
    assert english.get(KIOSK).status_code == 403
    assert english.post(TAKE, {"service": "huji"}).status_code == 403
    english.force_login(cast.dora)  # the city office: not a kiosk role
    assert english.get(KIOSK).status_code == 403
    assert not Ticket.objects.exists()


def test_the_kiosk_lists_the_services_with_what_to_bring(cast, line, kiosk_client, at_open_hall) -> None:
    line.huji.items.add(cast.item.item)
    services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    response = kiosk_client.get(KIOSK)
    assert response.status_code == 200
    page = text(response)
    assert page.index("户籍业务") < page.index("企业开办")  # by position, then code
    assert "1 in line" in page
    assert "0 in line" in page
    assert page.count('class="kiosk-take"') == 2
    assert "For the green channel, please ask at the service desk." in page
    assert "Green channel" not in page
    assert 'name="priority"' not in page
    # What to bring: the item's current version and its materials, inside the kiosk (no link out of it).
    assert 'data-dialog="bring-huji"' in page
    assert 'data-dialog="bring-qiye"' not in page
    assert "居民身份证换领" in page
    assert "申请表" in page
    assert f"/items/{cast.item.item.public_id}/" not in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_the_kiosk_shows_the_estimate_band(cast, line, kiosk_client, at_open_hall) -> None:
    cache.clear()
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    now = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    week_ago = now - dt.timedelta(days=7)
    for seq in range(1, 31):  # a history: 30 services of 5 minutes
        Ticket.objects.create(
            hall=cast.hall,
            queue=line.queue_a,
            service=line.huji,
            service_date=week_ago.date(),
            seq=seq,
            number=f"A{seq:03d}",
            channel=Channel.KIOSK,
            status=TicketStatus.DONE,
            issued_at=week_ago - dt.timedelta(minutes=10),
            called_at=week_ago - dt.timedelta(minutes=5),
            started_at=week_ago - dt.timedelta(minutes=4),
            finished_at=week_ago,
        )
    for _ in range(4):
        services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    page = text(kiosk_client.get(KIOSK))
    assert re.search(r"about \d+ min \(\d+\u2060?–\u2060?\d+\)", page), page


def test_estimate_band_and_number_formats() -> None:
    assert estimate_band(None) == ""
    assert estimate_band(Estimate(minutes=0, low=0, high=0)) != ""
    assert normalize_number(" a12 ") == "A012"
    assert normalize_number("B0007") == "B007"
    assert normalize_number("A1234") == "A1234"
    assert normalize_number("12") is None
    assert normalize_number("A-12") is None


def test_taking_a_number_prints_a_ticket_with_a_qr_code(cast, line, kiosk_client, at_open_hall) -> None:
    page = text(kiosk_client.get(KIOSK))
    response = kiosk_client.post(TAKE, {"service": "huji", "nonce": nonce(page, "huji")})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.status, ticket.number) == ("kiosk", "waiting", "A001")
    assert ticket.events.get().actor == cast.bob
    assert response["Location"] == f"/halls/qhd/kiosk/ticket/{ticket.public_id}/"
    printed = kiosk_client.get(response["Location"])
    assert printed.status_code == 200
    body = text(printed)
    assert 'id="ticket-number">A001<' in body
    assert "<svg" in body
    assert 'class="ticket-qr"' in body
    assert "<?xml" not in body
    assert "户籍业务" in body
    assert cast.hall.name in body
    assert "You are next" in body  # nobody ahead: "next", never "0 people ahead" beside a wait
    assert "2026-11-30 10:0" in body  # issued at 10:00 local time, not in UTC
    assert 'data-print="1"' in body
    assert "size: 80mm" in open_static("minxin/css/kiosk.css")
    assert 'data-print="0"' in text(kiosk_client.get(response["Location"] + "?noprint=1"))


def open_static(path: str) -> str:
    from django.contrib.staticfiles import finders

    found = finders.find(path)
    assert found
    with open(found, encoding="utf-8") as handle:
        return handle.read()


def test_a_double_tap_takes_one_number(cast, line, kiosk_client, at_open_hall) -> None:
    page = text(kiosk_client.get(KIOSK))
    key = nonce(page, "qiye")
    first = kiosk_client.post(TAKE, {"service": "qiye", "nonce": key})
    again = kiosk_client.post(TAKE, {"service": "qiye", "nonce": key})
    assert first["Location"] == again["Location"]
    assert Ticket.objects.count() == 1
    # A fresh page draws fresh nonces: the next citizen gets the next number.
    kiosk_client.post(TAKE, {"service": "qiye", "nonce": nonce(text(kiosk_client.get(KIOSK)), "qiye")})
    assert sorted(Ticket.objects.values_list("number", flat=True)) == ["B001", "B002"]


def test_another_halls_ticket_is_not_shown_here(cast, line, kiosk_client, at_open_hall) -> None:
    issued = services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    assert kiosk_client.get(f"/halls/sjz-tax/kiosk/ticket/{issued.ticket.public_id}/").status_code == 403
    assert kiosk_client.get(f"/halls/qhd/kiosk/ticket/{Ticket().public_id}/").status_code == 404


def test_a_closed_hall_gives_a_message_not_a_number(cast, line, kiosk_client) -> None:
    with time_machine.travel(SUNDAY, tick=False):
        page = text(kiosk_client.get(KIOSK))
        assert "The hall is closed now. Numbers can be taken during opening hours." in page
        assert re.search(r'class="kiosk-take"[^>]*disabled', page)
        response = kiosk_client.post(TAKE, {"service": "huji", "nonce": nonce(page, "huji")})
    assert response.status_code == 409
    assert "kiosk-notice-error" in text(response)
    assert "No number was issued." in text(response)
    assert not Ticket.objects.exists()


def test_a_full_quota_gives_a_message(cast, line, kiosk_client, at_open_hall) -> None:
    line.huji.daily_quota = 1
    line.huji.save()
    assert kiosk_client.post(TAKE, {"service": "huji"}).status_code == 302
    response = kiosk_client.post(TAKE, {"service": "huji"})
    assert response.status_code == 409
    assert "kiosk-notice-error" in text(response)
    assert Ticket.objects.count() == 1
    assert kiosk_client.post(TAKE, {"service": "nothing"}).status_code == 422


def test_a_remote_number_checks_in_with_the_last_four_digits(cast, line, kiosk_client, at_open_hall) -> None:
    services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    remote = services.ticket_issue(
        hall=cast.hall, service_code="huji", channel=Channel.WEB, phone="13812345678"
    )
    assert remote.ticket.number == "A002"
    wrong = kiosk_client.post(CHECK_IN, {"number": "A002", "phone_last4": "1234"})
    assert wrong.status_code == 422
    assert "No remote number matches." in text(wrong)
    assert 'value="A002"' in text(wrong)  # what was typed stays, except the phone digits
    remote.ticket.refresh_from_db()
    assert remote.ticket.status == TicketStatus.RESERVED
    assert kiosk_client.post(CHECK_IN, {"number": "A002", "phone_last4": "56"}).status_code == 422
    response = kiosk_client.post(CHECK_IN, {"number": "a2", "phone_last4": "5678"})
    assert response.status_code == 200
    body = text(response)
    assert "kiosk-notice-success" in body
    assert 'kiosk-notice-number">A002<' in body
    assert "1 person ahead of you." in body
    remote.ticket.refresh_from_db()
    assert remote.ticket.status == TicketStatus.WAITING
    assert remote.ticket.events.filter(kind="checked_in", actor=cast.bob).exists()
    # Checking in twice is harmless; a kiosk number has no phone to match.
    assert kiosk_client.post(CHECK_IN, {"number": "A002", "phone_last4": "5678"}).status_code == 200
    assert kiosk_client.post(CHECK_IN, {"number": "A001", "phone_last4": "5678"}).status_code == 422


def test_a_lapsed_number_cannot_check_in(cast, line, kiosk_client, at_open_hall) -> None:
    remote = services.ticket_issue(
        hall=cast.hall, service_code="qiye", channel=Channel.WEB, phone="13912345678"
    )
    services.ticket_cancel(ticket=remote.ticket)
    response = kiosk_client.post(CHECK_IN, {"number": "B001", "phone_last4": "5678"})
    assert response.status_code == 409
    assert "This number cannot be checked in." in text(response)


def test_guessing_check_in_pairs_is_throttled(cast, line, kiosk_client, at_open_hall) -> None:
    for attempt in range(30):
        assert (
            kiosk_client.post(CHECK_IN, {"number": "A001", "phone_last4": f"{attempt:04d}"}).status_code
            == 422
        )
    response = kiosk_client.post(CHECK_IN, {"number": "A001", "phone_last4": "0031"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts." in text(response)


def test_the_board_is_public_and_shows_recent_calls(cast, line, english, at_open_hall) -> None:
    response = english.get(BOARD)
    assert response.status_code == 200
    assert "Waiting for the first call" in text(response)
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    for _ in range(3):
        services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    services.ticket_issue(hall=cast.hall, service_code="qiye", channel=Channel.KIOSK)
    first = services.ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert first is not None
    services.ticket_finish(ticket=first, clerk=cast.bob)
    services.ticket_call_next(window=cast.window1, clerk=cast.bob)
    page = text(english.get(BOARD))
    assert re.search(r'data-f="number">A002<', page)
    assert "Number A002, please go to window 1" in page
    assert "公安窗口" in page
    assert "Window 1" in page
    assert page.count('<li class="board-call') == 8  # two calls and six empty places
    assert page.count("board-call is-empty") == 6
    assert 'data-events-url="/api/v1/halls/qhd/events"' in page
    assert 'data-queue-url="/api/v1/halls/qhd/queue"' in page
    assert re.search(r'data-service="huji">.*?<span class="line-count">1</span>', page, re.S)
    assert re.search(r'data-service="qiye">.*?<span class="line-count">1</span>', page, re.S)
    assert 'id="board-calls"' in page
    assert "minxin/audio/chime.wav" in page
    assert "data-sound-overlay hidden" not in page
    assert "data-sound-overlay hidden" in text(english.get(BOARD + "?sound=1"))
    assert english.get("/halls/nowhere/board/").status_code == 404
