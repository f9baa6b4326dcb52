from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.core import clock
from minxin.core.models import CalendarDay
from minxin.core.workdays import calendar_seed


class Command(BaseCommand):
    help = (
        "Load public holidays and make-up working days from the chinese_calendar package into the "
        "working-day calendar. Rows already there (including corrections made in admin) are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        this_year = clock.local_today("Asia/Shanghai").year
        parser.add_argument("--from", dest="first", type=int, default=this_year - 1)
        parser.add_argument("--to", dest="last", type=int, default=this_year + 1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["first"] > options["last"] or options["first"] < 2004:
            raise CommandError("--from must be 2004 or later and not after --to")
        created = calendar_seed(first_year=options["first"], last_year=options["last"])
        self.stdout.write(f"{created} calendar exceptions added for {options['first']}–{options['last']}.")
        covered = CalendarDay.objects.filter(date__year=options["last"]).exists()
        if not covered:
            self.stdout.write(
                f"Note: no arrangement for {options['last']} is known yet (the State Council publishes it "
                "late in the year before); add its holidays in the admin or update chinesecalendar."
            )
