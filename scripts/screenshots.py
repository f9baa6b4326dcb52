"""Screenshots of the public and staff pages for the README (docs/screenshots/), in Chromium at phone
390×844, desktop 1366×768, and for the board and the check-in poster 1920×1080 and portrait 1080×1920.

Run against a server with the demo loaded (make demo):

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

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
SCREEN_PAGES = [("board", "/halls/qhd-zwfw/board/"), ("kiosk", "/halls/qhd-zwfw/kiosk/")]
LANGUAGES = {"zh-hans": "", "zh-hant": "-zh-hant", "en": "-en"}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
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
                for label, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(args.base + path, wait_until="networkidle")
                    page.screenshot(path=str(out / f"{name}{suffix}-{label}.png"), full_page=True)
            context.close()
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        for name, path in SCREEN_PAGES:
            for label, (width, height) in SCREENS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(args.base + path, wait_until="load")
                page.wait_for_timeout(1000)
                page.screenshot(path=str(out / f"{name}-{label}.png"))
        browser.close()
    print(f"screenshots in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
