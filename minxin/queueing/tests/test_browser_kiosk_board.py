"""The kiosk and the calling board in a real Chromium. Run with `pytest -m browser`; SCREENSHOT_DIR=dir keeps
screenshots (phone, desktop and TV by `screenshot`, plus the kiosk's portrait and landscape screens and
a 720p board)."""

from __future__ import annotations

import re
import time

import pytest

from conftest import screenshot
from minxin.queueing import services
from minxin.queueing.models import Channel, Ticket, TicketStatus, WindowState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KIOSK_SCREENS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
BOARD_SCREENS = {"tv720": (1280, 720)}
RECORD_SPEECH = """
window.__spoken = [];
const fakeSpeech = {
  speak(utterance) {
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
    setTimeout(() => { if (utterance.onend) utterance.onend(new Event("end")); }, 30);
  },
  getVoices() { return [{ lang: "zh-CN", localService: true, name: "a Chinese voice" }]; },
  cancel() {},
};
Object.defineProperty(window, "speechSynthesis", { value: fakeSpeech, configurable: true });
"""


def a_busier_hall(cast, line) -> None:
    """Four more services, a history of 5-minute services and an open window, so that the screenshots show
    what a hall's kiosk looks like: several tiles, people in line and estimate bands."""
    import datetime as dt

    from minxin.queueing.models import Queue, Service

    for position, (prefix, code, name) in enumerate(
        [
            ("C", "churujing", "出入境证件"),
            ("D", "shebao", "社保医保"),
            ("E", "gjj", "住房公积金"),
            ("F", "budongchan", "不动产登记"),
        ],
        start=3,
    ):
        queue = Queue.objects.create(hall=cast.hall, code=code, prefix=prefix, name=name, position=position)
        Service.objects.create(hall=cast.hall, code=code, name=name, queue=queue, position=position)
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
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
            started_at=week_ago - dt.timedelta(minutes=5),
            finished_at=week_ago,
        )
    for code in ("huji", "huji", "huji", "shebao"):
        services.ticket_issue(hall=cast.hall, service_code=code, channel=Channel.KIOSK)


def sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/staff/login/?next={next_url}")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(f"{username}-pass-123")
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def test_a_citizen_takes_a_number_at_the_kiosk_and_it_prints(cast, line, at_open_hall, page) -> None:
    line.huji.items.add(cast.item.item)
    a_busier_hall(cast, line)
    page.add_init_script("window.print = () => { window.__printed = true }")
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    buttons = page.locator(".kiosk-take")
    assert buttons.count() == 6
    assert "户籍业务" in buttons.first.inner_text()
    assert re.search(r"3 in line|等候 ?3 ?人", buttons.first.inner_text())
    assert buttons.first.bounding_box()["height"] >= 120
    screenshot(page, "kiosk")
    screenshot(page, "kiosk", KIOSK_SCREENS)

    page.locator('[data-dialog="bring-huji"]').click()
    dialog = page.locator("dialog#bring-huji")
    dialog.wait_for(state="visible")
    assert "居民身份证" in dialog.inner_text()
    screenshot(page, "kiosk-what-to-bring", {"portrait": (1080, 1920)})
    dialog.locator("[data-close]").click()
    dialog.wait_for(state="hidden")

    buttons.first.click()
    page.wait_for_url(re.compile(r"/halls/qhd/kiosk/ticket/[0-9a-f-]+/$"))
    assert page.locator("#ticket-number").inner_text() == "A004"
    page.wait_for_function("window.__printed === true", timeout=2000)
    assert page.locator(".tk-qr:not(.tk-rate-qr) svg").count() == 1  # follow the number
    assert page.locator(".tk-rate-qr svg").count() == 1  # rate the service (好差评)
    ticket = Ticket.objects.filter(service=line.huji).latest("issued_at")
    assert ticket.channel == Channel.KIOSK
    assert ticket.number == "A004"
    screenshot(page, "kiosk-ticket")
    screenshot(page, "kiosk-ticket", {"portrait": (1080, 1920)})
    page.emulate_media(media="print")
    screenshot(page, "kiosk-ticket-print", {"80mm": (302, 700)})
    page.emulate_media(media="screen")
    page.wait_for_function("+document.querySelector('[data-countdown]').textContent < 15", timeout=3000)
    page.locator(".tk-done").click()
    page.wait_for_url(re.compile(r"/halls/qhd/kiosk/$"))
    assert re.search(r"4 in line|等候 ?4 ?人", page.locator(".kiosk-take").first.inner_text())


def test_a_remote_number_checks_in_with_the_keypad(cast, line, at_open_hall, page) -> None:
    remote = services.ticket_issue(
        hall=cast.hall, service_code="qiye", channel=Channel.WEB, phone="13812345678"
    )
    sign_in(page, "bob", "/halls/qhd/kiosk/")
    page.locator("#checkin-number").click()
    for key in ("B", "0", "0", "1", "5", "6", "7", "8"):
        page.locator(f'.kiosk-keypad [data-key="{key}"]').click()
    assert page.locator("#checkin-number").input_value() == "B001"
    assert page.locator("#checkin-phone").input_value() == "5678"
    page.locator(".kiosk-checkin-submit").click()
    notice = page.locator("#kiosk-notice")
    notice.wait_for()
    assert "B001" in notice.inner_text()
    remote.ticket.refresh_from_db()
    assert remote.ticket.status == TicketStatus.WAITING
    # a refresh does not resend the form: kiosk.js replaces the result page's address once it runs
    page.wait_for_function("location.pathname === '/halls/qhd/kiosk/'", timeout=5000)
    screenshot(page, "kiosk-checked-in")

    page.locator("#checkin-number").fill("B001")
    page.locator("#checkin-phone").fill("0000")
    page.locator(".kiosk-checkin-submit").click()
    page.locator(".kiosk-notice-error").wait_for()
    screenshot(page, "kiosk-check-in-refused")


def test_the_board_shows_and_speaks_a_call_at_once(cast, line, at_open_hall, page) -> None:
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    for _ in range(3):
        services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    earlier = services.ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert earlier is not None
    services.ticket_finish(ticket=earlier, clerk=cast.bob)
    page.add_init_script(RECORD_SPEECH)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base_url}/halls/qhd/board/?sound=1")
    assert page.locator("[data-latest] [data-f=number]").inner_text() == "A001"
    assert page.locator("[data-sound-overlay]").is_hidden()
    page.wait_for_function("document.body.dataset.stream === 'open'", timeout=5000)
    time.sleep(0.5)  # let the hub's listener take its starting point

    called = services.ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    assert called.number == "A002"
    page.wait_for_function(
        "document.querySelector('[data-latest] [data-f=number]').textContent === 'A002'", timeout=2000
    )
    assert "公安窗口" in page.locator("[data-latest]").inner_text()
    assert page.locator("[data-calls] > li").first.inner_text().startswith("A002")
    assert "flash" in (page.locator("[data-latest]").get_attribute("class") or "")
    page.wait_for_function("window.__spoken.length >= 2", timeout=8000)
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["text"] == "请 A 零 零 二 号，到 一 号窗口"
    assert all("号窗口" in each["text"] and each["lang"] == "zh-CN" for each in spoken)
    assert len(spoken) == 2  # said twice, once after the other
    screenshot(page, "board")
    screenshot(page, "board", BOARD_SCREENS)

    services.ticket_recall(ticket=called, clerk=cast.bob)
    page.wait_for_function("window.__spoken.length >= 4", timeout=8000)
    assert page.locator("[data-calls] > li.is-empty").count() == 6  # a recall is not a new line


def test_the_board_asks_for_a_tap_before_it_makes_sound(cast, line, page) -> None:
    page.goto(f"{page.base_url}/halls/qhd/board/")
    overlay = page.locator("[data-sound-overlay]")
    assert overlay.is_visible()
    assert page.evaluate("window.minxinBoard.spellNumber('A012')") == "A 零 一 二"
    assert page.evaluate("window.minxinBoard.spokenText({number: 'B105', window: '12'})") == (
        "请 B 一 零 五 号，到 十二 号窗口"
    )
    screenshot(page, "board-sound-overlay")
    page.locator("[data-sound-enable]").click()
    overlay.wait_for(state="hidden")
    screenshot(page, "board-empty")


def test_the_board_shows_offline_and_catches_up_after_a_gap(cast, line, at_open_hall, page) -> None:
    page.add_init_script(RECORD_SPEECH)
    page.route("**/api/v1/halls/qhd/events", lambda route: route.fulfill(status=503, body=""))
    page.goto(f"{page.base_url}/halls/qhd/board/?sound=1")
    page.wait_for_selector("[data-offline]:not([hidden])", timeout=8000)
    screenshot(page, "board-offline")
    # A call while the board is cut off: it must show once the stream is back.
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    services.ticket_issue(hall=cast.hall, service_code="qiye", channel=Channel.KIOSK)
    assert services.ticket_call_next(window=cast.window1, clerk=cast.bob) is not None
    page.unroute("**/api/v1/halls/qhd/events")
    page.wait_for_function("document.body.dataset.stream === 'open'", timeout=10000)
    page.wait_for_function(
        "document.querySelector('[data-latest] [data-f=number]').textContent === 'B001'", timeout=5000
    )
    assert page.locator("[data-offline]").is_hidden()
    assert page.evaluate("window.__spoken.length") == 0  # a missed call is shown, not announced late
