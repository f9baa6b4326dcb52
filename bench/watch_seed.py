"""Helper of bench_watch.py, run in its own process with Django set up: `seed N` makes N posts reporting
every 15 minutes (96 a day) and a command-centre token; `sweep` times the worker's sweep with nothing
due, with 5 % of the posts overdue and with every post overdue. Prints one JSON line."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def seed(count: int) -> dict[str, Any]:
    from minxin.accounts.models import Role, User
    from minxin.accounts.services import api_token_create
    from minxin.orgs.services import membership_grant, region_create, unit_create
    from minxin.watch.services import duty_plan_create, post_create

    province = region_create(code="130000", name="河北省", level="province")
    city = region_create(code="130800", name="承德市", level="city", parent=province)
    unit = unit_create(name="河北省塞罕坝机械林场", kind="utility", flag_category="service", region=city)
    plan = duty_plan_create(
        name="bench 96/day", unit=unit, season_day_minutes=15, season_night_minutes=15, day_minutes=15,
        night_minutes=15, grace_minutes=5,
    )  # fmt: skip
    posts = [
        post_create(
            name=f"望海楼{n:04d}", unit=unit, plan=plan, lat=42.3 + (n % 100) / 300, lon=117.1 + n / 2500
        )
        for n in range(count)
    ]
    user = User.objects.create_user(username="bench-command", password="x-bench-123")
    membership_grant(user=user, role=Role.COMMAND_CENTRE, region=city)
    token = api_token_create(user=user, name="bench").secret
    return {"token": token, "posts": [str(p.public_id) for p in posts]}


def _counts() -> dict[str, int]:
    from minxin.watch.models import Flip, MissedSlot, Notice, Post

    return {
        "flips": Flip.objects.count(),
        "missed_slots": MissedSlot.objects.count(),
        "notices": Notice.objects.count(),
        "posts_due": Post.objects.filter(alert_at__lte=_now()).count(),
    }


def _now() -> dt.datetime:
    from minxin.core import clock

    return clock.now()


def _timed_sweep(label: str) -> dict[str, Any]:
    from minxin.watch.services import posts_sweep

    before = _counts()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = posts_sweep(limit=5000)
        seconds = time.perf_counter() - started
    after = _counts()
    return {
        "label": label,
        "seconds": round(seconds, 4),
        "due": before["posts_due"],
        "posts_claimed": result.claimed,
        "rows_inserted": sum(after[k] - before[k] for k in ("flips", "missed_slots", "notices")),
        "queries": len(queries.captured_queries),
    }


def sweep() -> dict[str, Any]:
    import time_machine

    from minxin.watch.models import Post

    with connection.cursor() as cursor:
        sql = (
            "EXPLAIN SELECT id, revision FROM watch_post WHERE alert_at <= now() AND is_active "
            "ORDER BY alert_at LIMIT 500"
        )
        cursor.execute(sql)
        plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    results = [_timed_sweep("nothing due")]
    latest = max(Post.objects.values_list("alert_at", flat=True))
    # 5 % overdue: those posts' deadlines moved back, as if they had not reported in their slot.
    ids = list(Post.objects.order_by("pk").values_list("pk", flat=True)[::20])
    Post.objects.filter(pk__in=ids).update(alert_at=_now() - dt.timedelta(seconds=1))
    results.append(_timed_sweep("5 % of posts late (deadline passed)"))
    with time_machine.travel(latest + dt.timedelta(minutes=6), tick=True):
        results.append(_timed_sweep("every post past its grace (missed, escalation stage 0)"))
        results.append(_timed_sweep("again at once (nothing left due)"))
    return {"explain": plan, "sweeps": results}


if __name__ == "__main__":
    command = sys.argv[1]
    answer = seed(int(sys.argv[2])) if command == "seed" else sweep()
    print(json.dumps(answer, ensure_ascii=False))
