from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from minxin.core.tests.procs import ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#k2!p9Lq4@v8Zt1^m6Wr3&n5Yb0*c2Hd7$f4Jg9%s1Ae6Bx3",
    "PERSONAL_DATA_KEY": "pd-3Fh8Kq2Lm9Nz4Rt7Vx1Wc6Yb5",
    "ALLOWED_HOSTS": "minxin.example.org",
    "DATABASE_URL": "postgres://minxin@db.internal.example:5432/minxin",
    "SMS_BACKEND": "minxin.accounts.sms.HttpSmsBackend",
    "SMS_GATEWAY_URL": "https://sms-adapter.internal.example/send",
    "NOTICE_BACKEND": "minxin.queueing.notices.SmsNoticeBackend",
}


def _development_keys() -> set[str]:
    """What the development .env sets (the test process loaded it into its environment)."""
    lines = (ROOT / "scripts" / "dev.env").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if "=" in line and not line.startswith("#")}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SMS_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    ours |= _development_keys()
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | {"MINXIN_ENV_FILE": os.devnull} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_codes_would_go_to_the_console() -> None:
    console = {key: value for key, value in PRODUCTION.items() if not key.startswith("SMS_")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=console)
    assert result.returncode != 0
    assert "minxin.W001" in result.stderr + result.stdout


def test_a_malformed_boolean_stops_start_up_naming_the_variable() -> None:
    result = manage("check", env=PRODUCTION | {"DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unknown_time_zone_is_refused() -> None:
    result = manage("check", env=PRODUCTION | {"TIME_ZONE": "Mars/Olympus"})
    assert result.returncode != 0
    assert "TIME_ZONE must be an IANA zone" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions() -> None:
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": "sqlite:///wal-check.sqlite3",
        "DJANGO_SETTINGS_MODULE": "minxin.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    for leftover in ROOT.glob("wal-check.sqlite3*"):
        leftover.unlink()
    assert result.stdout.split() == ["wal", "IMMEDIATE"], result.stderr


def test_postgresql_urls_bind_parameters_on_the_server_unless_told_not_to(monkeypatch) -> None:
    from minxin.env import database_from_url

    # Importing minxin.wsgi (the hot path's tests do) sets the web processes' timeouts in this process.
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT_MS", raising=False)
    monkeypatch.delenv("DATABASE_LOCK_TIMEOUT_MS", raising=False)

    url = "postgres://app:secret@db.internal:5432/minxin?conn_max_age=600&sslmode=require"
    default = database_from_url(url)
    assert default["OPTIONS"] == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    assert default["CONN_MAX_AGE"] == 600
    for off in ("0", "false", "no"):
        options = database_from_url(f"{url}&server_side_binding={off}")["OPTIONS"]
        assert (options["server_side_binding"], options["prepare_threshold"]) == (False, None)
    assert database_from_url(f"{url}&prepare_threshold=0")["OPTIONS"]["prepare_threshold"] == 0
    with pytest.raises(ImproperlyConfigured, match="prepare_threshold"):
        database_from_url(f"{url}&prepare_threshold=soon")


def test_postgresql_urls_use_minxins_backend_with_a_health_check_delay() -> None:
    from minxin.env import database_from_url

    url = "postgres://app@db/minxin"
    default = database_from_url(url)
    assert (default["ENGINE"], default["CONN_HEALTH_CHECKS"]) == ("minxin.core.postgresql", True)
    assert default["HEALTH_CHECK_DELAY"] == 1.0
    told = database_from_url(f"{url}?health_check_delay=0")
    assert told["HEALTH_CHECK_DELAY"] == 0.0
    assert "health_check_delay" not in told["OPTIONS"]  # not a libpq parameter
    for wrong in ("soon", "-1", "inf", "nan"):
        with pytest.raises(ImproperlyConfigured, match="health_check_delay"):
            database_from_url(f"{url}?health_check_delay={wrong}")


def test_timeouts_become_postgresql_connection_options(monkeypatch) -> None:
    from minxin.env import database_from_url

    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
    monkeypatch.setenv("DATABASE_LOCK_TIMEOUT_MS", "3000")
    options = database_from_url("postgres://app@db/minxin")["OPTIONS"]
    assert options["options"] == "-c statement_timeout=5000 -c lock_timeout=3000"
    sqlite = database_from_url("sqlite:///x.sqlite3")["OPTIONS"]
    assert sqlite["timeout"] == 3
