"""A held lock does not hang the API: the web processes bound statement and lock waits (5 s by default,
settings), and a request that runs out of time is a 503 `database_busy` with Retry-After, on the hot
path (gunicorn) and through Django (uvicorn), on both databases; the next request after the lock is
released succeeds without a restart."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from minxin.core.tests.procs import free_port, start_server
from minxin.orgs.services import hall_set_opening_hours
from minxin.queueing.tests.test_asgi_events import start_uvicorn
from minxin.queueing.tests.test_concurrency import GUNICORN_CONFIG, TAKE, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("at_open_hall")]
QUICK = {"DATABASE_LOCK_TIMEOUT_MS": "300", "DATABASE_STATEMENT_TIMEOUT_MS": "2000"}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, int]]:
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(GUNICORN_CONFIG)
    port = free_port()
    args = ["-m", "gunicorn", "minxin.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "-c", str(config)]
    gunicorn = start_server([*args, "--log-level", "warning", "--graceful-timeout", "1"], port, **QUICK)
    uvicorn, uvicorn_port = start_uvicorn(**QUICK)
    yield {"hot path": port, "django": uvicorn_port}
    for server in (gunicorn, uvicorn):
        server.terminate()
        server.wait(timeout=10)


class HeldLock:
    """Another connection holds the write lock on the tickets until released."""

    def __init__(self) -> None:
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        try:
            with transaction.atomic():  # SQLite: BEGIN IMMEDIATE takes the write lock
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        cursor.execute("LOCK TABLE queueing_ticket IN ACCESS EXCLUSIVE MODE")
                    else:
                        cursor.execute("UPDATE queueing_ticket SET id = id WHERE id = 0")
                self.held.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()

    def __enter__(self) -> HeldLock:
        self.thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=10)


def test_a_held_lock_is_a_503_database_busy_on_both_paths_then_service_resumes(
    cast, line, token_for, servers
) -> None:
    kiosk = token_for(cast.alice)["HTTP_AUTHORIZATION"]
    # uvicorn runs on the real clock: open the hall around it.
    all_day = [(day, dt.time(0), dt.time(23, 59, 59)) for day in range(7)]
    hall_set_opening_hours(hall=cast.hall, periods=all_day)
    with HeldLock():
        for name, port in servers.items():
            answer = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Content-Type": "application/json", "Authorization": kiosk}
            answer.request("POST", "/api/v1/halls/qhd/tickets", json.dumps(TAKE), headers)
            response = answer.getresponse()
            body = json.loads(response.read())
            assert (response.status, body["error"]["code"]) == (503, "database_busy"), (name, body)
            assert response.getheader("Retry-After") == "2"
    for name, port in servers.items():
        status, body = post(port, "/api/v1/halls/qhd/tickets", kiosk, TAKE)
        assert status == 201, (name, body)
