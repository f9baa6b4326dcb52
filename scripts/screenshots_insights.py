"""Screenshots of the province wall screen (大屏) at 1920×1080 and 3840×2160, and of the city view and
the public page, for the README and docs.

It builds its own throwaway SQLite database (Hebei's 11 cities, two halls each, two weeks of traffic up
to a fixed Wednesday afternoon; bench/insights_seed.py), brings the aggregates current, serves the site
with the clock held at that afternoon, and drives Debian's Chromium with Playwright.

    .venv/bin/python scripts/screenshots_insights.py [--out docs/screenshots] [--pages-out DIR]
"""

# Every subprocess call here runs this Python with a script and arguments built here.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOMENT = dt.datetime(2026, 12, 2, 7, 30, tzinfo=dt.UTC)  # Wednesday 15:30 in Shanghai
WALL_KEY = "screenshot-wall-key"
SIZES = ((1920, 1080), (3840, 2160))
SERVER = """
import sys, time_machine
time_machine.travel({moment!r}, tick=True).start()
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "runserver", "--noreload", "--nothreading", sys.argv[1]])
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(env: dict[str, str]) -> None:
    code = f"""
import datetime as dt, django, time_machine
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import sys; sys.path.insert(0, {str(ROOT / "bench")!r})
from insights_seed import province_seed, tickets_seed_orm
from minxin.accounts.models import Role, User
from minxin.orgs.services import membership_grant
moment = dt.datetime.fromisoformat({MOMENT.isoformat()!r})
with time_machine.travel(moment, tick=False):
    province = province_seed(halls_per_city=2)
    tickets_seed_orm(halls=province.halls, now=moment, days=10, per_hall_day=90)
    from minxin.insights.services.aggregates import aggregates_rebuild
    from minxin.insights.services.wall import wall_refresh_all
    aggregates_rebuild()
    wall_refresh_all()
    user = User.objects.create_user(username="province", password="province-pass-123")
    membership_grant(user=user, role=Role.CITY_OFFICE, region=province.province)
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def _shots(base: str, out: Path, pages_out: Path | None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for width, height in SIZES:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{base}/wall/130000/?key={WALL_KEY}")
            page.wait_for_selector("#wall-map-chart canvas")
            page.wait_for_timeout(1500)  # the map's JSON, then a drawn frame
            path = out / f"insights-wall-{width}x{height}.png"
            page.screenshot(path=str(path))
            written.append(path)
            context.close()
        if pages_out is not None:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{base}/staff/login/")
            page.fill("input[name=username]", "province")
            page.fill("input[name=password]", "province-pass-123")
            with page.expect_navigation():
                page.click("main button[type=submit]")
            for name, url, size in (
                ("province", "/staff/insights/regions/130000/", (1366, 900)),
                ("city", "/staff/insights/regions/130300/", (1366, 900)),
                ("city-phone", "/staff/insights/regions/130300/", (390, 844)),
                ("public", "/figures/130000/", (1366, 900)),
                ("public-phone", "/figures/130300/", (390, 844)),
                ("reports", "/staff/insights/halls/h130300-0/reports/", (1366, 900)),
            ):
                page.set_viewport_size({"width": size[0], "height": size[1]})
                page.goto(base + url)
                page.wait_for_timeout(800)
                path = pages_out / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--pages-out", default="", help="also shoot the city view and public page here")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    pages_out = Path(options.pages_out) if options.pages_out else None
    if pages_out:
        pages_out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="minxin-shots-") as folder:
        env = os.environ | {
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "minxin.settings",
            "DATABASE_URL": f"sqlite:///{folder}/shots.sqlite3",
            "INSIGHTS_WALL_KEY": WALL_KEY,
            "INSIGHTS_WALL_REFRESH_SECONDS": "3",
        }
        _seed(env)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER.format(moment=MOMENT.isoformat()), f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(port)
            for path in _shots(f"http://127.0.0.1:{port}", out, pages_out):
                print(path)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
