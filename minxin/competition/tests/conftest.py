"""The competition's cast, on top of the suite's (conftest.py at the root):

- olga: campaign officer of Hebei (the province); oscar: campaign officer of Shijiazhuang only;
- adam: assessor of Hebei; paul: assessor of Hebei who also manages hall qhd (so works for its unit);
- units of the administration category: qhd (秦皇岛市政务服务管理办公室, hall qhd, alice's and bob's unit),
  sjz (the tax bureau, hall sjz-tax), and three units without halls: qhd-b, sjz-b, sjz-c.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

# Monday 2026-12-07, 10:00 in Shanghai: after the November round's period.
AFTER_NOVEMBER = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


@dataclass
class Contest:
    cast: Any
    olga: Any
    oscar: Any
    adam: Any
    paul: Any
    qhd: Any
    sjz: Any
    qhd_b: Any
    sjz_b: Any
    sjz_c: Any
    rubric: Any


@pytest.fixture
def contest(cast: Any) -> Contest:
    from minxin.accounts.models import Role, User
    from minxin.competition.services.rubrics import rubric_default_create
    from minxin.orgs.models import Unit
    from minxin.orgs.services import membership_grant, unit_create

    def user(name: str) -> Any:
        return User.objects.create_user(username=name, password=f"{name}-pass-123", display_name=name.title())

    olga, oscar, adam, paul = (user(n) for n in ("olga", "oscar", "adam", "paul"))
    membership_grant(user=olga, role=Role.CAMPAIGN_OFFICER, region=cast.province)
    membership_grant(user=oscar, role=Role.CAMPAIGN_OFFICER, region=cast.sjz_city)
    membership_grant(user=adam, role=Role.ASSESSOR, region=cast.province)
    membership_grant(user=paul, role=Role.ASSESSOR, region=cast.province)
    membership_grant(user=paul, role=Role.HALL_MANAGER, hall=cast.hall)

    def unit(name: str, region: Any) -> Any:
        return unit_create(name=name, kind="organ", flag_category="administration", region=region)

    return Contest(
        cast=cast,
        olga=olga,
        oscar=oscar,
        adam=adam,
        paul=paul,
        qhd=cast.hall.unit,
        sjz=cast.other_hall.unit,
        qhd_b=unit("秦皇岛市民政局", cast.qhd_city),
        sjz_b=unit("石家庄市行政审批局", cast.sjz_city),
        sjz_c=unit("石家庄市人力资源和社会保障局", cast.sjz_city),
        rubric=rubric_default_create(category=Unit.FlagCategory.ADMINISTRATION),
    )


def tickets(hall: Any, day: dt.date, waits: list[int | None], *, no_show: int = 0) -> None:
    """Tickets in `hall` on `day`, each called after `waits[i]` minutes (None: never called); the first
    `no_show` called ones did not come."""
    from minxin.queueing.models import Queue, Service, Ticket

    queue, _ = Queue.objects.get_or_create(hall=hall, code="t", defaults={"prefix": "T", "name": "测试"})
    service, _ = Service.objects.get_or_create(hall=hall, code="t", defaults={"name": "测试", "queue": queue})
    start = dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)
    taken = Ticket.objects.filter(queue=queue, service_date=day).count()
    rows = []
    for position, wait in enumerate(waits):
        called = start + dt.timedelta(minutes=wait) if wait is not None else None
        status = "waiting" if called is None else ("no_show" if position < no_show else "done")
        rows.append(
            Ticket(
                hall=hall,
                queue=queue,
                service=service,
                service_date=day,
                seq=taken + position + 1,
                number=f"T{taken + position + 1:03d}",
                channel="kiosk",
                status=status,
                issued_at=start,
                called_at=called,
            )
        )
    Ticket.objects.bulk_create(rows)


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    """Inspection photos and evidence files land in the test's own folder, not beside the code."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
