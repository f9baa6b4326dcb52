"""Reading minxin's settings from the environment: strict parsers (a malformed value stops start-up
naming the variable), the development `.env` file, and DATABASE_URL. Used by minxin/settings.py."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_env_file(path: Path) -> None:
    """Development settings: `make` writes `.env` (ignored by git) so that `manage.py` works in a clone
    exactly as the docs print it. The file only fills in what the environment leaves unset, and it is not
    read at all when the environment sets SECRET_KEY: a real deployment always does, so it never runs on
    a developer's file. Lines are `NAME=value`; `#` starts a comment."""
    if "SECRET_KEY" in os.environ or not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value, got {raw!r}")
        os.environ.setdefault(name, value.strip().strip("\"'"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _database_timeouts() -> tuple[int, int]:
    """(statement, lock) timeouts in milliseconds; 0 is none. The web entry points (minxin/wsgi.py,
    minxin/asgi.py) default both to 5 s, so one held lock cannot hang every request; management
    commands (migrations, the worker's long jobs) and scripts are unbounded unless these are set."""
    return (
        env_int("DATABASE_STATEMENT_TIMEOUT_MS", 0),
        env_int("DATABASE_LOCK_TIMEOUT_MS", 0),
    )


def _seconds(value: str, name: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ImproperlyConfigured(f"DATABASE_URL: {name} must be a number of seconds, 0 or more")
    return seconds


def _postgres_options(options: dict[str, str]) -> dict[str, object]:
    server_binding = options.pop("server_side_binding", "1").strip().lower() in _TRUE
    threshold = options.pop("prepare_threshold", "5").strip()
    if not threshold.isdigit():
        raise ImproperlyConfigured("DATABASE_URL: prepare_threshold must be a whole number")
    statement_ms, lock_ms = _database_timeouts()
    limits = [
        f"-c {name}={ms}"
        for name, ms in (("statement_timeout", statement_ms), ("lock_timeout", lock_ms))
        if ms
    ]
    if limits:
        options["options"] = " ".join([options.get("options", ""), *limits]).strip()
    return {
        **options,
        "server_side_binding": server_binding,
        "prepare_threshold": int(threshold) if server_binding else None,
    }


def database_from_url(url: str) -> dict[str, object]:
    """Parse `sqlite:///relative.db`, `sqlite:////abs/path.db` or `postgres://user:pw@host:port/name`."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ImproperlyConfigured("DATABASE_URL for SQLite needs a file path, e.g. sqlite:///db.sqlite3")
        name = Path(path) if Path(path).is_absolute() else BASE_DIR / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
            # instead of failing with "database is locked" when a read transaction upgrades.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                # Seconds a writer waits for the lock: DATABASE_LOCK_TIMEOUT_MS when set (5 s for web
                # requests), else ?timeout= (20 s by default).
                "timeout": _database_timeouts()[1] / 1000 or int(options.get("timeout", "20")),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # A real file (not Django's shared in-memory default), so tests see WAL and real locking
            # and other processes can open the test database.
            "TEST": {"NAME": name.with_name(f"test_{name.name}")},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        if not parts.path or parts.path == "/":
            raise ImproperlyConfigured("DATABASE_URL for PostgreSQL needs a database name")
        return {
            # Django's backend with a health check that asks the server only after a quiet second
            # (minxin/core/postgresql/base.py); `?health_check_delay=0` asks before every request.
            "ENGINE": "minxin.core.postgresql",
            "NAME": unquote(parts.path[1:]),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "60")),
            "CONN_HEALTH_CHECKS": True,
            "HEALTH_CHECK_DELAY": _seconds(options.pop("health_check_delay", "1"), "health_check_delay"),
            # Parameters bound by the server, and a statement prepared the fifth time a connection
            # sends it, so PostgreSQL stops planning each hot-path statement anew on every request
            # (Django turns psycopg's preparing off unless prepare_threshold is given).
            # `?server_side_binding=0` turns both off (e.g. behind a transaction-mode pooler without
            # prepared-statement support); `?prepare_threshold=N` changes when a statement is prepared.
            "OPTIONS": _postgres_options(options),
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite or postgres)")
