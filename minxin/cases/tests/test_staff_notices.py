"""E-supervision notices reach staff through the staff notice backend (besides the staff home): once per
flip, after commit, to the department's officers and the hall's managers, and a messaging system that is
down never fails the sweep."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from minxin.cases.models import Case, LightFlip
from minxin.cases.services import cases_supervise
from minxin.cases.staff_notices import LocmemStaffNoticeBackend
from minxin.cases.tests.conftest import SHANGHAI, at, take_in
from minxin.core.tests.procs import run_workers

YELLOW_DAY = dt.datetime(2017, 10, 16, 9, tzinfo=SHANGHAI)


class Receiver:
    """A work-notice adapter on loopback: records each JSON body it is sent."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.bodies.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notices"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def outbox(settings: Any) -> Iterator[list[Any]]:
    settings.CASES_STAFF_NOTICE_BACKEND = "minxin.cases.staff_notices.LocmemStaffNoticeBackend"
    LocmemStaffNoticeBackend.outbox.clear()
    yield LocmemStaffNoticeBackend.outbox
    LocmemStaffNoticeBackend.outbox.clear()


@pytest.fixture
def case(cast: Any, licence: Any) -> Case:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        taken: Case = take_in(cast, licence)
    return taken


def test_each_flip_is_sent_once_to_the_officers_and_managers_with_the_case_link(
    case: Case, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(YELLOW_DAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert cases_supervise() == 2  # the case and its late acceptance step
        with django_capture_on_commit_callbacks(execute=True):
            assert cases_supervise() == 0
    assert len(outbox) == 2
    for message in outbox:
        assert sorted(message.recipients) == ["alice", "erin"]
        assert message.link == f"/staff/cases/{case.public_id}/"
        assert case.number in message.text


def test_nothing_is_sent_before_the_sweep_commits(
    case: Case, outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        time_machine.travel(YELLOW_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        cases_supervise()
    assert outbox == []
    assert callbacks  # delivery waits for the commit


def test_the_webhook_backend_posts_json_to_the_adapter(
    settings: Any, case: Case, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CASES_STAFF_NOTICE_BACKEND = "minxin.cases.staff_notices.WebhookStaffNoticeBackend"
    settings.CASES_STAFF_NOTICE_WEBHOOK_URL = receiver.url
    with time_machine.travel(YELLOW_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        cases_supervise()
    assert len(receiver.bodies) == 2
    body = receiver.bodies[0]
    assert sorted(body["recipients"]) == ["alice", "erin"]
    assert body["link"] == f"/staff/cases/{case.public_id}/"
    assert sorted(b["text"][-4:] for b in receiver.bodies) == ["亮红灯。", "亮黄灯。"]  # the step, the case


def test_an_unreachable_adapter_is_logged_and_the_flips_stand(
    settings: Any, case: Case, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CASES_STAFF_NOTICE_BACKEND = "minxin.cases.staff_notices.WebhookStaffNoticeBackend"
    settings.CASES_STAFF_NOTICE_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    with time_machine.travel(YELLOW_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert cases_supervise() == 2
    assert LightFlip.objects.count() == 2
    assert "staff notice not delivered" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_flip_once(
    cast: Any, licence: Any, receiver: Receiver, monkeypatch: Any
) -> None:
    with time_machine.travel(at(2017, 9, 28), tick=False):
        for _ in range(20):
            take_in(cast, licence)
    monkeypatch.setenv("CASES_STAFF_NOTICE_BACKEND", "minxin.cases.staff_notices.WebhookStaffNoticeBackend")
    monkeypatch.setenv("CASES_STAFF_NOTICE_WEBHOOK_URL", receiver.url)
    code = (
        "import time_machine\ntime_machine.travel('2017-10-16T01:00:00+00:00', tick=True).start()\n"
        "from minxin.cases.services import cases_supervise\n"
        "print(json.dumps(sum(cases_supervise(batch=7) for _ in range(5))))\n"
    )
    flips = run_workers(code, processes=2)
    assert sum(int(n) for n in flips) == 40  # type: ignore[call-overload]
    links = [body["link"] for body in receiver.bodies]
    assert len(links) == 40  # one message per flip: 20 cases and their 20 late acceptance steps
    assert len(set(links)) == 20
    assert all(sorted(body["recipients"]) == ["alice", "erin"] for body in receiver.bodies)
