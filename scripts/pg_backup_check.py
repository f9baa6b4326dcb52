#!/usr/bin/env python3
"""Back up a PostgreSQL database with pg_dump, restore the dump into a fresh database and compare the
row count of every table, then drop the copy. Proves that the backups docs/deploy.md describes restore.

    scripts/pg_backup_check.py                       # the database named by $DATABASE_URL
    scripts/pg_backup_check.py --keep /srv/backups   # also keep the dump there (minxin-YYYYmmdd-HHMMSS.dump)

The dump is pg_dump's custom format (`-Fc`: compressed, restorable table by table with pg_restore); the
copy is created as `<name>_restore_check` on the same server. Exit 0 when every table of the schema has
the same number of rows in both; 1 with the tables that differ; 2 when a step failed. Standard library
and PostgreSQL's client programs only (found in $PG_BIN, the newest /usr/lib/postgresql/*/bin, or PATH).
"""

# Every subprocess call runs a fixed PostgreSQL client program with arguments built here.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

COUNT_ALL = (
    "SELECT string_agg(format('SELECT %L AS t, count(*) AS n FROM %I.%I', tablename, schemaname, tablename),"
    " ' UNION ALL ') FROM pg_tables WHERE schemaname = 'public'"
)


def client(name: str) -> str:
    installed = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path)],
        reverse=True,
    )
    candidates = [os.environ.get("PG_BIN", ""), *installed]
    for directory in filter(None, candidates):
        program = Path(directory) / name
        if os.access(program, os.X_OK):
            return str(program)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"pg_backup_check: {name} not found (install Debian's postgresql-client)")
    return found


def connection_env(url: str) -> tuple[dict[str, str], str]:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("pg_backup_check: DATABASE_URL must be a postgres:// URL")
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", unquote(parts.hostname or "")),
        ("PGPORT", str(parts.port or "")),
        ("PGUSER", unquote(parts.username or "")),
        ("PGPASSWORD", unquote(parts.password or "")),
    ):
        if value:
            env[key] = value
    return env, unquote(parts.path.lstrip("/"))


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(f"pg_backup_check: {' '.join(args[:2])} failed:\n{result.stderr}", file=sys.stderr)
        raise SystemExit(2)
    return result.stdout


def row_counts(database: str, env: dict[str, str]) -> dict[str, int]:
    psql = [client("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database]
    query = run([*psql, "-c", COUNT_ALL], env).strip()
    if not query:
        return {}
    rows = run([*psql, "-F", "\t", "-c", query], env).splitlines()
    return {table: int(count) for table, count in (row.split("\t") for row in rows if row)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep", type=Path, help="also keep the dump in this folder")
    options = parser.parse_args()
    env, database = connection_env(options.database_url)
    copy = f"{database}_restore_check"
    with tempfile.TemporaryDirectory(prefix="minxin-backup-") as folder:
        dump = Path(folder) / f"minxin-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.dump"
        run([client("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), "-d", database], env)
        original = row_counts(database, env)
        run([client("dropdb"), "--if-exists", copy], env)
        run([client("createdb"), copy], env)
        try:
            run([client("pg_restore"), "--no-owner", "--exit-on-error", "-d", copy, str(dump)], env)
            restored = row_counts(copy, env)
        finally:
            run([client("dropdb"), "--if-exists", copy], env)
        if options.keep:
            options.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(dump, options.keep / dump.name)
        size = dump.stat().st_size
    if not original:
        print(f"pg_backup_check: {database} has no tables to compare", file=sys.stderr)
        return 2
    differ = {
        table: (original.get(table), restored.get(table))
        for table in sorted(original.keys() | restored.keys())
        if original.get(table) != restored.get(table)
    }
    for table, (before, after) in differ.items():
        print(f"pg_backup_check: {table}: {before} rows backed up, {after} restored", file=sys.stderr)
    if differ:
        return 1
    print(
        f"pg_backup_check: {len(original)} tables, {sum(original.values())} rows restored identically "
        f"from a {size / 1024:.0f} KiB dump"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
