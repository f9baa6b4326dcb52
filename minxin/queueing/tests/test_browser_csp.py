"""Every page runs under a strict Content-Security-Policy (`script-src 'self'`: no inline script, no
`on*=` handler) with a Permissions-Policy, and none of them trips it in Chromium: public pages, the
citizen's and the staff's, the screens, and every system's main page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from minxin.queueing.services import ticket_issue
from minxin.queueing.tests.test_browser_kiosk_board import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Any:
    """A tab that keeps the pages' policy on (the suite's own `page` bypasses it for Playwright)."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


PUBLIC = [
    "/",
    "/items/?q=身份证",
    "/halls/qhd/",
    "/halls/qhd/status/",
    "/halls/qhd/board/",
    "/me/login/",
    "/cases/lookup/",
    "/voting/",
    "/honour/",
    "/honours/",
    "/figures/",
    "/halls/qhd/ratings/",
    "/halls/qhd/appointments/",
    "/halls/qhd/forecast/",
]
STAFF = [
    "/staff/",
    "/staff/halls/qhd/overview/",
    "/staff/halls/qhd/queue-report/",
    "/staff/halls/qhd/cases/supervision/",
    "/staff/halls/qhd/cases/metrics/",
    "/staff/feedback/",
    "/staff/halls/qhd/ratings/",
    "/staff/halls/qhd/appointments/",
    "/staff/insights/",
]


def watch_for_violations(page: Any) -> list[str]:
    violations: list[str] = []

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", console)
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));"
    )
    return violations


def visit(page: Any, path: str) -> list[str]:
    response = page.goto(f"{page.base_url}{path}")
    assert response is not None
    assert response.status < 500, path
    headers = response.headers
    assert "script-src 'self'" in headers.get("content-security-policy", ""), path
    assert "geolocation=(self)" in headers.get("permissions-policy", ""), path
    page.wait_for_load_state("networkidle")
    return [f"{path}: {entry}" for entry in page.evaluate("window.__csp")]


def test_no_page_trips_the_content_security_policy(cast, line, at_open_hall, page) -> None:
    ticket = ticket_issue(hall=cast.hall, service_code="huji", channel="kiosk").ticket
    violations = watch_for_violations(page)
    found = [entry for path in [*PUBLIC, f"/tickets/{ticket.public_id}/"] for entry in visit(page, path)]
    sign_in(page, "alice", "/staff/")
    found += [entry for path in STAFF for entry in visit(page, path)]
    assert found == []
    assert violations == []


def test_the_language_menu_still_switches_without_an_inline_handler(cast, page) -> None:
    violations = watch_for_violations(page)
    page.goto(f"{page.base_url}/")
    page.select_option("#lang-select", "en")
    page.locator("html[lang=en]").wait_for(state="attached")  # a locator: no eval, which the policy forbids
    assert re.search("Service guide", page.content())
    assert violations == []
