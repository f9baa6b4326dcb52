#!/usr/bin/env python3
"""Fuzz the whole API with schemathesis against a real server on PostgreSQL: no 5xx, and every answer
in its declared status and shape. Part of `make test`:

    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python scripts/api_fuzz.py

It migrates the (empty) database named by DATABASE_URL, loads the demo city's halls, catalog and
queues (`load_demo --base`), makes an API token for the system administrator (who may call every
operation, so the fuzzing reaches the code behind the permission checks), starts gunicorn on a free
loopback port, and runs `schemathesis run` over /api/v1/openapi.json with a fixed seed and a time
budget (`--max-time`, default 240 s). Exit code: schemathesis's (0 when every check passed).
"""

# Every subprocess call runs this project's own programs with arguments built here.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The request line's length is the front server's business (nginx: large_client_header_buffers), not
# the application's: let gunicorn pass long fuzzed URLs on to Django instead of answering 414 itself.
SERVER_OPTIONS = ["--timeout", "60", "--limit-request-line", "0"]
ADMIN_KEY_CODE = (
    "from minxin.accounts.models import User\n"
    "from minxin.accounts.services import api_token_create\n"
    "print(api_token_create(user=User.objects.get(username='admin'), name='api fuzz').secret)\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit(f"api_fuzz: manage.py {args[0]} failed")
    return result.stdout


def wait_for(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"api_fuzz: the server did not listen on {port} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-time", type=int, default=240, help="seconds of fuzzing (default 240)")
    parser.add_argument("--max-examples", type=int, default=20, help="examples per operation (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("api_fuzz: run under scripts/with_postgres.py (DATABASE_URL must be PostgreSQL)")
    env = os.environ | {"DEBUG": "1", "LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "minxin.settings"}
    started = time.monotonic()
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_demo", "--base", "--always-open", env=env)
    token = manage("shell", "-c", ADMIN_KEY_CODE, env=env).strip().splitlines()[-1]
    print(f"api_fuzz: database ready in {time.monotonic() - started:.0f} s", flush=True)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "minxin.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", *SERVER_OPTIONS],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port, 60)
        # The first request in each worker builds the OpenAPI document; do it before the clock starts.
        for _ in range(2):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=120).read()
        command = [
            str(BIN / "schemathesis"),
            "run",
            f"http://127.0.0.1:{port}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(options.max_examples),
            "--max-time",
            str(options.max_time),
            "--seed",
            str(options.seed),
            "--workers",
            "2",
            "--phases",
            "examples,coverage,fuzzing",
            "--suppress-health-check",
            "all",
            "--warnings",
            "off",
            "--wait-for-schema",
            "120",
            "--request-timeout",
            "30",
        ]
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
