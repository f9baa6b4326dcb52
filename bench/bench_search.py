"""Search benchmark: recall and rate of the service search on the demo catalog (253 items of the
Qinhuangdao hall and 18 of the Shijiazhuang tax hall) over the 200 real-style queries kept in
minxin/catalog/tests/search_queries.py.

It makes a throwaway database (SQLite in a temporary folder; with --postgres a throwaway PostgreSQL
cluster from scripts/with_postgres.py), migrates it, loads the demo city, and reports:

- recall@1 and recall@10: the share of queries whose wanted service comes first / in the first ten;
- queries per second of the search itself (catalog.selectors.catalog_search, in this process) and of
  the search page (GET /items/?q=…, Django's test client, no HTTP server), each beside a calibration
  (a bare `SELECT 1` through the ORM per second) measured in the same run;
- the queries that missed.

    .venv/bin/python bench/bench_search.py [--postgres] [--seconds 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_RECALL_AT_10 = 0.95


def _rate(seconds: float, work: Any) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        work(done)
        done += 1
    return done / (time.perf_counter() - started)


def run(seconds: float) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minxin.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from minxin.catalog.selectors import catalog_search
    from minxin.catalog.tests.search_queries import QUERIES
    from minxin.demo.city import load_city

    call_command("migrate", verbosity=0)
    load_city(today=dt.datetime.now(tz=dt.UTC).date())
    hits1 = hits10 = 0
    misses = []
    for query, wanted in QUERIES:
        names = [version.name for version in catalog_search(query=query).versions[:10]]
        hits1 += bool(names) and names[0] == wanted
        hits10 += wanted in names
        if wanted not in names:
            misses.append({"query": query, "wanted": wanted, "got": names[:3]})

    def select_one(_i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    def search(i: int) -> None:
        catalog_search(query=QUERIES[i % len(QUERIES)][0])

    client = Client(HTTP_HOST="127.0.0.1")

    def page(i: int) -> None:
        response = client.get("/items/", {"q": QUERIES[i % len(QUERIES)][0]})
        assert response.status_code == 200

    return {
        "database": connection.vendor,
        "queries": len(QUERIES),
        "recall_at_1": round(hits1 / len(QUERIES), 3),
        "recall_at_10": round(hits10 / len(QUERIES), 3),
        "goal_recall_at_10": GOAL_RECALL_AT_10,
        "calibration_select_1_per_s": round(_rate(seconds, select_one)),
        "search_per_s": round(_rate(seconds, search), 1),
        "search_page_per_s": round(_rate(seconds, page), 1),
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per rate measurement")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.postgres and "DATABASE_URL" not in os.environ:
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--", sys.executable, __file__]
        command += ["--seconds", str(args.seconds)] + (["--json", args.json] if args.json else [])
        return subprocess.call(command, cwd=ROOT)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench-search.sqlite3")
        figures = run(args.seconds)
    for key, value in figures.items():
        if key != "misses":
            print(f"{key:>28}: {value}")
    for miss in figures["misses"]:
        print(
            f"  missed {miss['query']!r} (wanted {miss['wanted']}; got {', '.join(miss['got']) or 'nothing'})"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
