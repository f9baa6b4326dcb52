"""Screens after the review (issue 20, point 5): no engineer hints on public screens, the check-in poster
full screen without the site's menu, the board upright, and a visible warning when no Chinese voice."""

from __future__ import annotations

import re

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDSCAPE, PORTRAIT = {"width": 1920, "height": 1080}, {"width": 1080, "height": 1920}


def test_the_board_gives_no_engineer_hints(line, page) -> None:
    page.goto(f"{page.base_url}/halls/qhd/board/")
    assert "sound=1" not in page.locator("body").inner_text()


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_board_fits_the_screen_upright_and_lying(line, page, size) -> None:
    page.set_viewport_size(size)
    page.goto(f"{page.base_url}/halls/qhd/board/?sound=1")
    assert page.evaluate("document.documentElement.scrollHeight") <= size["height"] + 1
    now = page.locator(".board-now").bounding_box()
    side = page.locator(".board-side").bounding_box()
    assert now is not None
    assert side is not None
    if size is PORTRAIT:
        assert side["y"] > now["y"] + now["height"]  # the lines below the calls, full width
        assert side["width"] > size["width"] * 0.9
    else:
        assert side["x"] > now["x"] + now["width"]  # beside them
    screenshot(page, "board", {"tv": (size["width"], size["height"])})


def test_the_board_says_when_it_cannot_speak_chinese(line, page) -> None:
    page.goto(f"{page.base_url}/halls/qhd/board/?sound=1")
    page.wait_for_function("window.minxinBoard && window.minxinBoard.voiceChecked()", timeout=8000)
    has_voice = page.evaluate(
        "!!window.speechSynthesis && speechSynthesis.getVoices().some(v => /^(zh|cmn)/i.test(v.lang))"
    )
    assert page.locator("[data-voice-warning]").is_visible() is (not has_voice)


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_check_in_poster_is_full_screen_without_the_site_menu(cast, line, page, size) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label(re.compile("Username|用户名")).fill("alice")
    page.get_by_label(re.compile("Password|密码")).fill("alice-pass-123")
    page.get_by_role("button", name=re.compile("^(Sign in|登录)$")).click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.set_viewport_size(size)
    page.goto(f"{page.base_url}/staff/halls/qhd/check-in-poster/")
    assert page.locator(".site-header, .main-nav, .site-footer").count() == 0
    qr = page.locator(".poster-qr svg").bounding_box()
    assert qr is not None
    assert qr["width"] >= min(size["width"], size["height"]) * 0.6
    assert page.evaluate("document.documentElement.scrollHeight") <= size["height"] + 1
