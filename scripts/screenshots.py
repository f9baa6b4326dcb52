"""Screenshots of the public and staff pages for the README (docs/screenshots/), in Chromium at phone
390×844, desktop 1366×768, and for the board, the kiosk (with its service guide) and the check-in poster
1920×1080 and portrait 1080×1920; the staff pages include the hall's floor view, the queue report and
the clerk's desk (signed in as the demo's "clerk").

Run against a server with the demo loaded (make demo), signing in as the demo's hall manager for the
staff pages and the poster:

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
        [--user manager] [--password minxin-demo-2017]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
SCREENS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
PUBLIC = [
    ("home", "/"),
    ("search-yingyezhizhao", "/items/?q=营业执照"),
    ("search-sfz", "/items/?q=sfz"),
    ("search-nothing", "/items/?q=火星移民"),
    ("hall", "/halls/qhd-zwfw/"),
    ("hall-status", "/halls/qhd-zwfw/status/"),
    ("privacy", "/privacy/"),
    ("sign-in", "/me/login/"),
]
SCREEN_PAGES = [
    ("board", "/halls/qhd-zwfw/board/?sound=1"),
    ("kiosk", "/halls/qhd-zwfw/kiosk/"),
    ("check-in-poster", "/staff/halls/qhd-zwfw/check-in-poster/"),
]
STAFF_PAGES = [
    ("staff-hall-manager", "/staff/halls/qhd-zwfw/"),
    ("hall-overview", "/staff/halls/qhd-zwfw/overview/"),
    ("queue-report", "/staff/halls/qhd-zwfw/queue-report/"),
]
# The clerk's desk, signed in as the demo's window clerk (window 1 of the Qinhuangdao hall).
CLERK_PAGES = [("desk", "/staff/halls/qhd-zwfw/windows/1/")]
LANGUAGES = {"zh-hans": "", "zh-hant": "-zh-hant", "en": "-en"}
# Pages shown in all three languages (names in the reader's script); the rest in Simplified Chinese.
IN_EVERY_LANGUAGE = {"home", "search-yingyezhizhao", "hall"}


def signed_in(browser: Browser, base: str, user: str, password: str) -> Page:
    """A new page signed in as a staff user."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(base + "/staff/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("networkidle")
    return page


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--user", default="manager", help="a hall manager of the demo (for the poster)")
    parser.add_argument("--password", default="minxin-demo-2017")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
        for language, suffix in LANGUAGES.items():
            context = browser.new_context(locale="zh-CN")
            context.add_cookies([{"name": "django_language", "value": language, "url": args.base}])
            page = context.new_page()
            for name, path in PUBLIC:
                if suffix and name not in IN_EVERY_LANGUAGE:
                    continue
                for label, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(args.base + path, wait_until="networkidle")
                    page.screenshot(path=str(out / f"{name}{suffix}-{label}.png"), full_page=True)
            context.close()
        page = signed_in(browser, args.base, "clerk", args.password)
        for name, path in CLERK_PAGES:
            for label, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(args.base + path, wait_until="networkidle")
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
        page.context.close()
        page = signed_in(browser, args.base, args.user, args.password)
        for name, path in STAFF_PAGES:
            for label, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(args.base + path, wait_until="networkidle")
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
        for name, path in SCREEN_PAGES:
            for label, (width, height) in SCREENS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(args.base + path, wait_until="load")
                page.wait_for_timeout(3500 if name == "board" else 1000)  # the board's voice check: 3 s
                page.screenshot(path=str(out / f"{name}-{label}.png"))
                if name == "kiosk" and page.locator("[data-dialog]").count():
                    page.locator("[data-dialog]").first.click()  # the service guide, inside the kiosk
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / f"kiosk-guide-{label}.png"))
        browser.close()
    print(f"screenshots in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
