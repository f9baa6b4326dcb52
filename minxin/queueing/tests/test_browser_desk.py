"""The staff pages after the review (issue 20, point 10), in a real Chromium: the desk shows who is waiting,
calls a chosen number out of turn with a reason (audited) and pauses with a reason (audited, shown); the
walk-in form and large text fit a phone; long waits are marked in words on the floor view."""

from __future__ import annotations

import datetime as dt

import pytest

from minxin.core import clock
from minxin.core.models import AuditEntry
from minxin.queueing import services
from minxin.queueing.models import Channel, Ticket, TicketEvent, WindowState
from minxin.queueing.tests.test_browser_kiosk_locked import (
    DESKTOP,
    LANGUAGES,
    PHONE,
    shot,
    sign_in,
    use_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = "/staff/halls/qhd/windows/1/"
WHO = {"zh-hans": "等候人员", "zh-hant": "等候人員", "en": "Who is waiting"}


def three_waiting(cast) -> list[Ticket]:
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    return [
        services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK).ticket
        for _ in range(3)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_clerk_calls_a_chosen_number_with_a_reason(
    cast, line, at_open_hall, page, language, size
) -> None:
    tickets = three_waiting(cast)
    use_language(page, language)
    page.set_viewport_size(size)
    sign_in(page, "bob", DESK)
    listed = page.locator("[data-waiting-list] tbody tr")
    assert [row.get_attribute("data-number") for row in listed.all()] == ["A001", "A002", "A003"]
    assert WHO[language] in page.locator(".desk-waiting-list h2").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]  # nothing sticks out
    page.locator(".desk-call-chosen summary").click()
    page.locator("#chosen-ticket").select_option(str(tickets[2].public_id))
    page.locator("#chosen-reason").select_option("elderly")
    page.locator(".desk-call-chosen button[type=submit]").click()
    page.wait_for_selector(".desk-number")
    assert page.locator(".desk-number").inner_text() == "A003"
    shot(page, f"desk-{language}-{size['width']}")
    called = Ticket.objects.get(pk=tickets[2].pk)
    assert (called.status, called.window_id) == ("called", cast.window1.pk)
    event = TicketEvent.objects.get(ticket=called, kind="called")
    assert event.details["chosen"] is True
    entry = AuditEntry.objects.get(action="queueing.ticket_called_out_of_turn")
    assert entry.actor_id == cast.bob.pk
    assert entry.details["number"] == "A003"
    assert entry.details["reason"]


def test_a_chosen_call_without_a_reason_is_refused(cast, line, at_open_hall, page) -> None:
    three_waiting(cast)
    use_language(page, "en")
    sign_in(page, "bob", DESK)
    page.locator(".desk-call-chosen summary").click()
    page.locator(".desk-call-chosen button[type=submit]").click()
    page.wait_for_selector(".form-errors[role=alert]")
    assert "reason" in page.locator(".form-errors").inner_text().lower()
    assert Ticket.objects.filter(status="called").count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_clerk_pauses_with_a_reason_that_the_desk_shows(cast, line, at_open_hall, page, language) -> None:
    three_waiting(cast)
    use_language(page, language)
    sign_in(page, "bob", DESK)
    page.keyboard.press("p")
    page.locator("#pause-reason").select_option("meal")
    page.locator("#pause-text").fill("12:30 回来")
    page.locator(".desk-pause button[type=submit]").click()
    page.wait_for_selector("[data-pause-reason]")
    assert "12:30 回来" in page.locator("[data-pause-reason]").inner_text()
    assert WindowState.objects.get(window=cast.window1).status == "paused"
    entry = AuditEntry.objects.get(action="queueing.window_paused")
    assert "12:30 回来" in entry.details["reason"]


def test_the_walk_in_form_and_large_text_fit_a_phone(cast, line, at_open_hall, page) -> None:
    three_waiting(cast)
    page.set_viewport_size(PHONE)
    sign_in(page, "bob", DESK)
    page.locator("form[action$='/large-text/'] button").first.click()
    page.wait_for_selector("html.large-text")
    page.goto(f"{page.base_url}{DESK}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in ["#walk-in-service", "#walk-in-reason", "form[hx-post$='/issue/'] button"]:
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], selector
    clipped = page.evaluate(
        "[...document.querySelectorAll('.desk .btn, .desk label, .desk h2')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"
    )
    assert clipped == []
    shot(page, "desk-large-text-phone")


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_waits_are_marked_in_words_on_the_floor_view(cast, line, at_open_hall, page, language) -> None:
    waited = services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK).ticket
    Ticket.objects.filter(pk=waited.pk).update(issued_at=clock.now() - dt.timedelta(minutes=45))
    services.ticket_issue(hall=cast.hall, service_code="qiye", channel=Channel.KIOSK)
    use_language(page, language)
    sign_in(page, "alice", "/staff/halls/qhd/overview/")
    marks = page.locator("[data-long-wait]")
    assert marks.count() == 1  # queue A only: B's number was taken just now
    assert "30" in marks.first.inner_text()  # words, not colour alone: the threshold is said
    shot(page, f"overview-long-wait-{language}")
