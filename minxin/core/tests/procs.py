"""Run code in real, separate processes against the test database (for concurrency tests)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def other_process_database_url() -> str:
    """A DATABASE_URL that points other processes at the database this test runs on."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = quote(params["HOST"] or "", safe="")
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{params['NAME']}"


def run_workers(code: str, *, processes: int, timeout: float = 120) -> list[object]:
    """Start `processes` Python processes, each running `code` with Django set up on the test database;
    each prints one JSON value on its last line. Returns the values, in process order."""
    env = os.environ | {
        "DATABASE_URL": other_process_database_url(),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "minxin.settings",
    }
    prelude = "import django, json, sys\ndjango.setup()\n"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", prelude + code, str(index)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(processes)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=timeout)
        if child.returncode != 0:
            raise AssertionError(f"worker failed ({child.returncode}):\n{err}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(args: list[str], port: int, **env: str) -> subprocess.Popen[bytes]:
    """Start `python <args>` (a server listening on 127.0.0.1:`port`) on the test database, and wait
    until it accepts connections (30 s at most)."""
    environment = os.environ | {"DATABASE_URL": other_process_database_url(), "DEBUG": "1"} | env
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    wait_for_port(port, seconds=30)
    return server


def wait_for_port(port: int, *, seconds: float) -> None:
    """Until something accepts connections on 127.0.0.1:`port`, `seconds` at most."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
