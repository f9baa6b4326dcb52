"""The cast used across the suite, in the Healthchecks manner:

- Qinhuangdao (city) holds hall "qhd" with departments "psb" and "amr" and windows 1 (psb) and 2
  (comprehensive); Shijiazhuang holds hall "sjz-tax".
- alice manages hall qhd; bob is a clerk at qhd window 1; charlie is a clerk at sjz-tax (and must be
  refused at qhd); dora is the Qinhuangdao city office; erin is an officer of department psb.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest


@dataclass
class Cast:
    province: Any
    qhd_city: Any
    sjz_city: Any
    hall: Any
    other_hall: Any
    psb: Any
    amr: Any
    window1: Any
    window2: Any
    item: Any
    alice: Any
    bob: Any
    charlie: Any
    dora: Any
    erin: Any


def make_item(department: Any, code: str, name: str, **overrides: Any) -> Any:
    from minxin.catalog.services import MaterialData, item_create

    content = {
        "name": name,
        "implementing_body": department.name,
        "statutory_days": 20,
        "promised_days": 5,
        "trips": 1,
        "fee": Decimal("0"),
        "legal_basis": "《中华人民共和国行政许可法》第三十二条",
    } | overrides
    materials = [
        MaterialData(name="居民身份证", originals=1, copies=1),
        MaterialData(name="申请表", originals=1),
    ]
    return item_create(
        department=department, code=code, content=content, materials=materials, publish_on=dt.date(2026, 1, 1)
    )


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    from minxin.core.memo import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness is for attackers, not for a test suite that creates users in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_log_survives_flushes(request: Any) -> Any:
    """Transactional tests end with a flush, which on SQLite is DELETE FROM every table; the audit log's
    append-only trigger rightly refuses that. Drop the trigger for the flush only, and make sure every
    test body runs with it in place. (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from minxin.core.migrations import _audit_triggers

    with connection.cursor() as cursor:
        cursor.execute(
            _audit_triggers.SQLITE_FORWARD[1].replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")
        )
    yield
    if marker.kwargs.get("transaction"):
        with connection.cursor() as cursor:
            cursor.execute(_audit_triggers.SQLITE_BACKWARD[1])


@pytest.fixture
def cast(db: Any) -> Cast:
    from minxin.accounts.models import Role, User
    from minxin.catalog.services import (
        department_assign_officer,
        department_station,
        window_assign_clerk,
        window_create,
    )
    from minxin.orgs.services import (
        hall_create,
        hall_set_opening_hours,
        membership_grant,
        region_create,
        unit_create,
    )

    province = region_create(code="130000", name="河北省", level="province")
    qhd_city = region_create(code="130300", name="秦皇岛市", level="city", parent=province)
    sjz_city = region_create(code="130100", name="石家庄市", level="city", parent=province)
    qhd_unit = unit_create(
        name="秦皇岛市政务服务管理办公室", kind="organ", flag_category="administration", region=qhd_city
    )
    sjz_unit = unit_create(
        name="国家税务总局石家庄市税务局", kind="organ", flag_category="administration", region=sjz_city
    )
    hall = hall_create(code="qhd", name="秦皇岛市政务服务中心", unit=qhd_unit, address="海港区文化路")
    other_hall = hall_create(code="sjz-tax", name="石家庄市办税服务厅", unit=sjz_unit)
    for each in (hall, other_hall):
        hall_set_opening_hours(
            hall=each,
            periods=[(day, dt.time(9), dt.time(12)) for day in range(5)]
            + [(day, dt.time(13, 30), dt.time(17)) for day in range(5)],
        )
    psb = department_station(hall=hall, code="psb", name="市公安局", stationed_on=dt.date(2016, 5, 1))
    amr = department_station(hall=hall, code="amr", name="市市场监督管理局", stationed_on=dt.date(2016, 5, 1))
    item = make_item(psb, "000105001000", "居民身份证换领")
    make_item(amr, "000113001000", "企业设立登记", promised_days=1, statutory_days=15, online=True)
    window1 = window_create(
        hall=hall, number="1", name="公安窗口", kind="department", department=psb, items=[item.item]
    )
    window2 = window_create(hall=hall, number="2", name="综合受理窗口", kind="comprehensive")

    def user(name: str) -> Any:
        return User.objects.create_user(username=name, password=f"{name}-pass-123", display_name=name.title())

    alice, bob, charlie, dora, erin = (user(n) for n in ("alice", "bob", "charlie", "dora", "erin"))
    membership_grant(user=alice, role=Role.HALL_MANAGER, hall=hall)
    membership_grant(user=bob, role=Role.WINDOW_CLERK, hall=hall)
    window_assign_clerk(window=window1, clerk=bob)
    membership_grant(user=charlie, role=Role.WINDOW_CLERK, hall=other_hall)
    membership_grant(user=dora, role=Role.CITY_OFFICE, region=qhd_city)
    membership_grant(user=erin, role=Role.DEPARTMENT_OFFICER, hall=hall)
    department_assign_officer(department=psb, officer=erin)
    return Cast(
        province=province,
        qhd_city=qhd_city,
        sjz_city=sjz_city,
        hall=hall,
        other_hall=other_hall,
        psb=psb,
        amr=amr,
        window1=window1,
        window2=window2,
        item=item,
        alice=alice,
        bob=bob,
        charlie=charlie,
        dora=dora,
        erin=erin,
    )


THROUGH_WSGI = os.environ.get("MINXIN_TEST_THROUGH_WSGI") == "1"


@pytest.fixture
def client() -> Any:
    """pytest-django's `client`; with MINXIN_TEST_THROUGH_WSGI=1 (a stage of `make test`) the same client
    sending every request through the hot path in front of Django (minxin/core/tests/hotpath_client.py),
    so that each API test tests both paths."""
    from django.test import Client

    if not THROUGH_WSGI:
        return Client()
    from minxin.core.tests.hotpath_client import HotPathClient
    from minxin.wsgi import HOT_ROUTES

    return HotPathClient(HOT_ROUTES)


@pytest.fixture
def sms_outbox(settings: Any) -> Any:
    from minxin.accounts.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "minxin.accounts.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def token_for(db: Any) -> Any:
    from minxin.accounts.services import api_token_create

    def issue(user: Any) -> dict[str, str]:
        secret = api_token_create(user=user, name="test").secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return issue


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900), "tv": (1920, 1080)}


@pytest.fixture(scope="module")
def chromium() -> Any:
    """Debian's Chromium driven by Playwright (no browser download). Module-scoped: Playwright's sync API
    keeps an event loop running in this thread, which must not outlive the browser tests."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    # While that loop runs, Django's ORM calls made by the test itself (setting up the cast) are still
    # synchronous, so allow them, for these tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Any:
    # Playwright's wait_for_function evaluates strings, which the pages' Content-Security-Policy forbids
    # (no eval): the tests' own scripts bypass it. minxin/queueing/tests/test_browser_csp.py keeps it on.
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def screenshot(page: Any, name: str, screens: dict[str, tuple[int, int]] | None = None) -> None:
    """Save screenshots at phone, desktop and TV widths (or the given screens) when SCREENSHOT_DIR is set,
    for people to look at."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    original = page.viewport_size
    for label, (width, height) in (screens or VIEWPORTS).items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=os.path.join(folder, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)
