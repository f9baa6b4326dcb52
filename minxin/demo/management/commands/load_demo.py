from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minxin.core import clock
from minxin.demo.city import DEMO_PASSWORD, load_city, open_around_the_clock
from minxin.demo.parts import PARTS
from minxin.demo.sql import statistics_refresh


def refresh_statistics() -> None:
    """PostgreSQL plans from table statistics, which autovacuum refreshes only some time after a bulk
    load: each part's queries over the rows the parts before it just wrote were planned as if the
    tables were empty (nested loops over thousands of rows: minutes). ANALYZE after each bulk step."""
    statistics_refresh()


class Command(BaseCommand):
    help = "Generate the demo city: Qinhuangdao's centre, Shijiazhuang's tax hall, Hebei's units, logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--always-open",
            action="store_true",
            help="Open the demo halls all day, every day (so the simulated queue moves at any hour).",
        )
        parser.add_argument(
            "--base",
            action="store_true",
            help="Only the regions, units, halls, catalog, queues and logins (none of the other systems).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        today = clock.local_today("Asia/Shanghai")
        logins = load_city(today=today)
        refresh_statistics()
        for part in () if options["base"] else PARTS:
            summary = part.load(today=today)
            refresh_statistics()
            if summary:
                self.stdout.write(f"  {summary}")
        if options["always_open"]:
            open_around_the_clock()
        self.stdout.write(self.style.SUCCESS(f"Demo city ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(
            f"Demo logins (password for all: {DEMO_PASSWORD}) at http://127.0.0.1:8000/staff/login/"
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role} — {login.scope}")
