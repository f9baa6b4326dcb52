"""Real worker processes against the real database (SQLite and PostgreSQL): two workers sweeping the
same due posts never flip or notify twice; towers reporting at once never lose a report."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from minxin.core.tests.procs import run_workers
from minxin.watch.models import CheckIn, Flip, MissedSlot, Notice, Post

pytestmark = pytest.mark.django_db(transaction=True)

AFTER_GRACE = "import time_machine\ntime_machine.travel('2026-04-15T02:21:00+00:00', tick=False).start()\n"


@pytest.fixture
def many_posts(watch: Any, monkeypatch: Any) -> list[Post]:
    from minxin.watch.services import post_create

    monkeypatch.setenv("WATCH_NOTICE_BACKEND", "minxin.watch.notices.LocmemNoticeBackend")
    extra = [
        post_create(
            name=f"望海楼{n:03d}",
            unit=watch.unit,
            plan=watch.plan,
            lat=42.3 + n / 1000,
            lon=117.2,
            phone="13800000000",
        )
        for n in range(58)
    ]
    return [watch.tower, watch.tower2, *extra]


def test_two_workers_sweeping_together_flip_and_notify_each_post_once(many_posts: list[Post]) -> None:
    code = AFTER_GRACE + (
        "from minxin.watch.services import posts_sweep\n"
        "claimed = 0\n"
        "for _ in range(3):\n"
        "    claimed += posts_sweep(limit=1000).claimed\n"
        "print(json.dumps(claimed))\n"
    )
    claimed = run_workers(code, processes=2)
    assert sum(claimed) == len(many_posts)  # type: ignore[arg-type]
    flips = Counter(Flip.objects.values_list("post_id", "new_state"))
    assert len(flips) == 2 * len(many_posts)  # late and missed, for every post
    assert set(flips.values()) == {1}
    notices = Counter(Notice.objects.values_list("flip__post_id", flat=True))
    assert len(notices) == len(many_posts)
    assert set(notices.values()) == {1}
    assert MissedSlot.objects.count() == len(many_posts)
    assert set(Post.objects.values_list("state", flat=True)) == {"missed"}


def test_towers_reporting_at_once_in_two_processes_keep_every_report(many_posts: list[Post]) -> None:
    ids = [str(p.public_id) for p in many_posts[:40]]
    code = (
        "import time_machine\ntime_machine.travel('2026-04-15T02:05:00+00:00', tick=True).start()\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.watch.models import Post\n"
        "from minxin.watch.services import Report, check_in_record\n"
        f"ids = {ids!r}\n"
        "def report(public_id):\n"
        "    try:\n"
        "        post = Post.objects.select_related('unit__region', 'plan').get(public_id=public_id)\n"
        "        recorded = check_in_record(post=post, report=Report(status='normal'), channel='app')\n"
        "        return recorded.check_in.pk\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(json.dumps(list(pool.map(report, ids))))\n"
    )
    made = [pk for chunk in run_workers(code, processes=2) for pk in chunk]  # type: ignore[attr-defined]
    assert len(set(made)) == 80
    assert CheckIn.objects.count() == 80
    assert set(Post.objects.filter(public_id__in=ids).values_list("revision", flat=True)) == {2}
