"""Reports per post and period: expected, received, late, missed, longest gap, exceptions, observations;
the monthly duty log of a tower; CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.watch.models import CheckIn, MissedSlot, Post
from minxin.watch.schedule import slots_between
from minxin.watch.selectors import post_rules


@dataclass
class Row:
    label: str
    expected: int = 0
    received: int = 0
    late: int = 0
    missed: int = 0
    longest_gap_minutes: int = 0
    exceptions: int = 0
    observations: list[CheckIn] = field(default_factory=list)
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None


def _span(post: Post, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(post.time_zone)
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return begin, finish


def post_period(post: Post, start: dt.date, end: dt.date, *, by_day: bool = False) -> list[Row]:
    """One row for the period (or one per local day): slots expected by the plan as it stands (and the
    danger overrides recorded), slots with a report, reports received after grace, missed slots not
    covered later, the longest time between two reports, and the non-normal reports."""
    zone = ZoneInfo(post.time_zone)
    begin, finish = _span(post, start, end)
    expected_from, expected_to = max(begin, post.created_at), min(finish, clock.now())
    rows: dict[str, Row] = {}

    def row_for(at: dt.datetime) -> Row:
        label = at.astimezone(zone).date().isoformat() if by_day else post.name
        return rows.setdefault(label, Row(label=label))

    if by_day:
        day = start
        while day <= end:
            rows[day.isoformat()] = Row(label=day.isoformat())
            day += dt.timedelta(days=1)
    if expected_from < expected_to:
        for slot in slots_between(post_rules(post), expected_from, expected_to):
            if slot.end <= expected_to:
                row_for(slot.start).expected += 1
    check_ins = list(
        CheckIn.objects.filter(post=post, made_at__gte=begin, made_at__lt=finish).order_by("made_at")
    )
    seen: set[tuple[str, dt.datetime]] = set()
    previous: dt.datetime | None = None
    for check_in in check_ins:
        row = row_for(check_in.made_at)
        if check_in.slot_end <= expected_to and (row.label, check_in.slot_start) not in seen:
            seen.add((row.label, check_in.slot_start))
            row.received += 1
        row.late += check_in.late
        if check_in.status != CheckIn.Status.NORMAL:
            row.exceptions += 1
            row.observations.append(check_in)
        if previous is not None:
            gap = int((check_in.made_at - previous).total_seconds() // 60)
            row.longest_gap_minutes = max(row.longest_gap_minutes, gap)
        row.first_at = row.first_at or check_in.made_at
        row.last_at = check_in.made_at
        previous = check_in.made_at
    for missed in MissedSlot.objects.filter(
        post=post, local_date__gte=start, local_date__lte=end, covered_by__isnull=True
    ):
        row_for(missed.slot_start).missed += 1
    if not rows:
        rows[post.name] = Row(label=post.name)
    return list(rows.values())


HEADERS = (
    "post",
    "expected",
    "received",
    "late",
    "missed",
    "longest gap (min)",
    "exceptions",
)


def header_labels() -> list[str]:
    return [
        _("Post"),
        _("Expected"),
        _("Received"),
        _("Late"),
        _("Missed"),
        _("Longest gap (min)"),
        _("Exceptions"),
    ]


def table(posts: list[Post], start: dt.date, end: dt.date) -> list[list[object]]:
    lines: list[list[object]] = []
    for post in posts:
        (row,) = post_period(post, start, end)[:1]
        lines.append(
            [
                post.name,
                row.expected,
                row.received,
                row.late,
                row.missed,
                row.longest_gap_minutes,
                row.exceptions,
            ]
        )
    return lines


def as_csv(lines: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_labels())
    writer.writerows(lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read the Chinese


def as_xlsx(lines: list[list[object]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(header_labels())
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
