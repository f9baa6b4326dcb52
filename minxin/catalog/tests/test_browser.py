"""Pages driven in a real Chromium. Run with `pytest -m browser`; SCREENSHOT_DIR=dir keeps screenshots."""

from __future__ import annotations

import re

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(password)
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def test_a_clerk_signs_in_and_sees_their_hall_and_window(cast, page) -> None:
    sign_in(page, "bob", "bob-pass-123")
    page.wait_for_url(re.compile(r"/staff/$"))
    screenshot(page, "staff-home-clerk")
    page.get_by_role("link", name=re.compile(cast.hall.name)).first.click()
    page.wait_for_url(re.compile(r"/staff/halls/qhd/$"))
    windows = page.locator("#my-windows + ul .window-card")
    assert windows.count() == 1
    assert "公安窗口" in windows.first.inner_text()
    screenshot(page, "staff-hall-clerk")


def test_a_clerk_of_another_hall_is_refused(cast, page) -> None:
    sign_in(page, "charlie", "charlie-pass-123")
    page.wait_for_url(re.compile(r"/staff/$"))
    response = page.goto(f"{page.base_url}/staff/halls/qhd/")
    assert response is not None
    assert response.status == 403
    screenshot(page, "forbidden")


def test_a_citizen_finds_an_item_and_reads_its_guide(cast, page) -> None:
    page.goto(page.base_url + "/")
    screenshot(page, "home")
    page.get_by_role("searchbox").fill("身份证")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="居民身份证换领").click()
    page.wait_for_url(re.compile(r"/items/[0-9a-f-]+/(\?from=search)?$"))
    assert page.locator("h1").inner_text() == "居民身份证换领"
    assert page.locator("table").first.inner_text().count("居民身份证") >= 1
    screenshot(page, "item-guide")
    page.get_by_role("link", name=cast.hall.name).first.click()
    assert page.locator("h1").inner_text() == cast.hall.name
    screenshot(page, "hall")


def test_the_item_search_filters_as_you_type(cast, page) -> None:
    page.goto(page.base_url + "/items/")
    page.locator("#items-q").press_sequentially("企业", delay=30)
    page.wait_for_function("document.querySelectorAll('#results .item-row').length === 1")
    assert "企业设立登记" in page.locator("#results").inner_text()
    screenshot(page, "item-search")


def test_large_text_mode_and_language_switch_stay_across_pages(cast, page) -> None:
    page.goto(page.base_url + "/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Large text|大字")).click()
    large = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large > normal * 1.2
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "large-text" in (page.locator("html").get_attribute("class") or "")
    screenshot(page, "home-large-text-en")


def test_the_keyboard_reaches_the_search_first_via_the_skip_link(cast, page) -> None:
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)], ids=["phone", "desktop"])
def test_the_home_pages_example_finds_a_service_on_phone_and_desktop(cast, page, size) -> None:
    """Issue 20, point 1: 营业执照 (the home page's own example) and sfz find their services."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(page.base_url + "/")
    page.get_by_role("searchbox").fill("营业执照")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/\?q="))
    assert page.locator("#results .item-row").first.inner_text().startswith("企业设立登记")
    page.locator("#items-q").fill("sfz")
    page.wait_for_function("document.querySelector('#results').innerText.includes('居民身份证换领')")
    page.locator("#items-q").fill("火星移民")
    page.wait_for_selector("#no-results-title")
    assert "12345" in page.locator(".no-results").inner_text()
    screenshot(page, "search-nothing-found")


@pytest.mark.parametrize(
    ("language", "name"),
    [("zh-hans", "居民身份证换领"), ("zh-hant", "居民身份證換領"), ("en", "居民身份证换领")],
)
def test_the_guide_shows_the_item_in_the_readers_script(cast, page, language, name) -> None:
    """Issue 20, point 7: no page mixes 業務 with 企业开办."""
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(f"{page.base_url}/items/{cast.item.item.public_id}/")
    assert page.locator("h1").inner_text() == name
    assert "0335" not in page.locator("main").inner_text()  # the hall's own phone or none, never another's


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)], ids=["phone", "desktop"])
def test_a_manager_finds_hall_now_and_the_queue_report_first(cast, page, size) -> None:
    """Issue 20, point 10: not 4,800 px below the window cards."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "alice", "alice-pass-123")
    page.wait_for_url(re.compile(r"/staff/$"))
    page.goto(f"{page.base_url}/staff/halls/qhd/")
    hall_now = page.get_by_role("link", name=re.compile("^(大厅实况|Hall now)$"))
    report = page.get_by_role("link", name=re.compile("^(排队报表|Queue report)$"))
    windows = page.locator("#my-windows").bounding_box()
    for link in (hall_now, report):
        box = link.bounding_box()
        assert box is not None
        assert windows is not None
        assert box["y"] < windows["y"]
        assert box["y"] + box["height"] <= size[1]  # in the first screen
