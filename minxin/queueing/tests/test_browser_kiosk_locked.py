"""The kiosk after the review (issue 20, points 2 and 4), in a real Chromium: its tiles say what a ticket
would say (one rule), the service guide opens inside the kiosk with no link out and no staff menu, every
kiosk screen returns to the start when left alone, 取号 and 签到 fit a 1080×1920 portrait screen, and an
ID-card reader typing as a keyboard is taken as the card."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest

from minxin.core.models import AuditEntry
from minxin.queueing import services
from minxin.queueing.models import Channel, Ticket, TicketStatus, WindowState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTRAIT = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
TV = {"width": 1920, "height": 1080}
LANGUAGES = ["zh-hans", "zh-hant", "en"]
NO_WAIT = {"zh-hans": "无需等候", "zh-hant": "無需等候", "en": "No wait"}
STAFF_MENU = ["工作台", "退出登录", "工作臺", "退出登錄", "Staff desk", "Sign out"]


def shot(page: Any, name: str) -> None:
    """Keep a screenshot for people to look at when SHOTS_DIR is set (e.g. /tmp/shots-pages)."""
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def use_language(page: Any, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])


def sign_in(page: Any, username: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/staff/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(f"{username}-pass-123")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/staff/login/" not in url and url.endswith(next_url))


def history(cast: Any, line: Any) -> None:
    """A week-old history of 5-minute services in queue A and an open window: estimates exist."""
    week_ago = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    for seq in range(1, 31):
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
            started_at=week_ago - dt.timedelta(minutes=5),
            finished_at=week_ago,
        )
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)


def tiles(page: Any) -> list[tuple[int, str, str]]:
    """(people in line, wait kind, wait text) of every kiosk tile."""
    return [
        (
            int(tile.locator("[data-ahead]").get_attribute("data-ahead") or "0"),
            (
                tile.locator("[data-wait]").get_attribute("data-wait")
                if tile.locator("[data-wait]").count()
                else ""
            ),
            tile.locator(".kiosk-take-meta").inner_text(),
        )
        for tile in page.locator(".kiosk-take").all()
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [PHONE, DESKTOP, PORTRAIT], ids=["phone", "desktop", "kiosk"])
def test_kiosk_tiles_never_contradict_themselves(cast, line, at_open_hall, page, language, size) -> None:
    history(cast, line)
    services.ticket_issue(
        hall=cast.hall, service_code="huji", channel=Channel.KIOSK
    )  # 1 in line, window free
    use_language(page, language)
    page.set_viewport_size(size)
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    seen = tiles(page)
    assert {ahead for ahead, _wait, _text in seen} == {0, 1}
    for ahead, wait, text in seen:
        if ahead == 0:
            assert wait == "none", text  # nobody ahead: no wait, and no minutes beside it
            assert NO_WAIT[language] in text
            assert not re.search(r"\d+\s*(min|分钟|分鐘)", text)
        else:
            assert wait in ("soon", "band", "unknown"), text  # 等候1人 never beside 无需等候
            assert NO_WAIT[language] not in text
            assert "little or no wait" not in text
            assert "基本无需等候" not in text
    shot(page, f"kiosk-tiles-{language}-{size['width']}x{size['height']}")


def test_the_kiosk_ticket_and_the_ticket_page_say_the_same(cast, line, at_open_hall, page) -> None:
    history(cast, line)
    first = services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK).ticket
    second = services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK).ticket
    use_language(page, "en")
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    for ticket, headline in [(first, "next"), (second, "wait")]:
        page.goto(f"{page.base_url}/halls/qhd/kiosk/ticket/{ticket.public_id}/?noprint=1")
        printed = page.locator(".tk-paper [data-headline], .tk-paper [data-ahead]")
        printed_says = (printed.get_attribute("data-headline"), printed.get_attribute("data-ahead"))
        page.goto(f"{page.base_url}/tickets/{ticket.public_id}/")
        page_says = (
            "next" if page.locator("[data-headline=next]").count() else None,
            page.locator("[data-ahead]").get_attribute("data-ahead")
            if page.locator("[data-ahead]").count()
            else None,
        )
        if headline == "next":
            assert printed_says == ("next", None) == page_says
        else:
            assert printed_says == (None, "1") == page_says


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guide_opens_inside_the_kiosk_with_no_way_out(cast, line, at_open_hall, page, language) -> None:
    version = cast.item
    version.process_steps = "取号\n窗口受理\n当场领取"
    version.faq = "可以代办吗？\n可以，带上委托书。"
    version.save()
    line.huji.items.add(version.item)
    use_language(page, language)
    page.set_viewport_size(PORTRAIT)
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith("#") or href == "/halls/qhd/kiosk/" for href in hrefs), hrefs
    body = page.locator("body").inner_text()
    assert not [word for word in STAFF_MENU if word in body]
    page.locator("[data-dialog=bring-huji]").click()
    dialog = page.locator("dialog#bring-huji")
    assert dialog.is_visible()
    assert "窗口受理" in dialog.inner_text()
    assert "可以代办吗？" in dialog.inner_text()
    assert dialog.locator("a[href^='/'], a[href^='http']").count() == 0
    shot(page, f"kiosk-guide-{language}")


@pytest.mark.parametrize("orientation", ["portrait"])
def test_take_and_check_in_fit_the_kiosk_screen(cast, line, at_open_hall, page, orientation) -> None:
    from minxin.queueing.models import Queue, Service

    for position, (prefix, code, name) in enumerate(
        [
            ("C", "churujing", "出入境证件"),
            ("D", "shebao", "社保医保"),
            ("E", "gjj", "住房公积金"),
            ("F", "bdc", "不动产登记"),
        ],
        start=3,
    ):
        queue = Queue.objects.create(hall=cast.hall, code=code, prefix=prefix, name=name, position=position)
        Service.objects.create(hall=cast.hall, code=code, name=name, queue=queue, position=position)
    size = PORTRAIT if orientation == "portrait" else TV
    page.set_viewport_size(size)
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    shot(page, f"kiosk-{orientation}")
    for selector in [".kiosk-take >> nth=-1", ".kiosk-checkin-submit", ".kiosk-booking-submit"]:
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= size["height"], selector  # on screen without scrolling
    assert page.evaluate("document.documentElement.scrollHeight") <= size["height"] + 1


def test_every_kiosk_screen_returns_to_the_start_when_left_alone(
    cast, line, at_open_hall, page, settings
) -> None:
    settings.KIOSK_IDLE_SECONDS = 5
    line.huji.items.add(cast.item.item)
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    page.locator("[data-dialog=bring-huji]").click()
    assert page.locator("dialog#bring-huji").is_visible()
    page.wait_for_function("!document.querySelector('dialog#bring-huji').open", timeout=12_000)
    page.locator("#checkin-number").fill("A999")
    page.locator("#checkin-phone").fill("1234")
    page.locator(".kiosk-checkin-submit").click()
    page.wait_for_selector(".kiosk-notice-error")
    page.wait_for_selector(".kiosk-notice", state="detached", timeout=30_000)  # the notice's own return
    assert page.url.endswith("/halls/qhd/kiosk/")


def test_an_id_card_reader_typing_as_a_keyboard_is_taken_as_the_card(cast, line, at_open_hall, page) -> None:
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.type("11010519491231002X", delay=5)
    page.keyboard.press("Enter")
    banner = page.locator("[data-card-banner]")
    assert banner.is_visible()
    assert "110***********002X" in banner.inner_text()
    assert "11010519491231002X" not in page.locator("body").inner_text()
    with page.expect_navigation():
        page.locator(".kiosk-take[data-service=huji]").click()
    ticket = Ticket.objects.get()
    entry = AuditEntry.objects.get(action="queueing.kiosk_id_card")
    assert entry.target_id == str(ticket.pk)
    assert entry.details["id_masked"] == "110***********002X"
    assert "11010519491231002X" not in str(entry.details)


def test_a_device_account_sees_no_staff_menu_anywhere(cast, line, page) -> None:
    cast.bob.is_device = True
    cast.bob.save(update_fields=["is_device"])
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    page.goto(f"{page.base_url}/items/{cast.item.item.public_id}/")  # the full site, if a link led there
    assert page.locator(".main-nav").count() == 0
    body = page.locator("body").inner_text()
    assert not [word for word in STAFF_MENU if word in body]
