"""The cases cast on top of the suite's (conftest.py at the root): a 2017 item of the psb department
for deadline tests across the National Day holiday, and helpers to take cases in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSON = {"kind": "person", "name": "张三", "id_number": "130302199003077572", "phone": "13800138000"}
OTHER_PERSON = {"kind": "person", "name": "李四", "id_number": "11010519491231002X", "phone": "13900139000"}


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def calendar(db: Any) -> None:
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2017, last_year=2018)
    calendar_seed(first_year=2026, last_year=2026)


@pytest.fixture
def licence(cast: Any, calendar: None) -> Any:
    """A licence of the psb department valid since 2017: 20 working days statutory, 10 promised; ID
    card and form mandatory, a photo not."""
    return _licence(cast)


def _licence(cast: Any) -> Any:
    from minxin.catalog.services import MaterialData, item_create

    return item_create(
        department=cast.psb,
        code="000105002000",
        content={
            "name": "旅馆业特种行业许可证核发",
            "implementing_body": "市公安局",
            "statutory_days": 20,
            "promised_days": 10,
            "trips": 1,
            "fee": Decimal("0"),
            "mail_delivery": True,
            "legal_basis": "《旅馆业治安管理办法》第四条",
        },
        materials=[
            MaterialData(name="居民身份证", originals=1, copies=1),
            MaterialData(name="申请表", originals=1),
            MaterialData(name="近期照片", copies=2, mandatory=False),
        ],
        publish_on=dt.date(2017, 1, 1),
    )


def all_ok(version: Any, *, except_names: tuple[str, ...] = ()) -> list[Any]:
    from minxin.cases.services import MaterialCheck

    return [
        MaterialCheck(
            material=m.pk, presented=m.name not in except_names, ok=m.name not in except_names, original=True
        )
        for m in version.materials.order_by("position", "id")
    ]


def take_in(
    cast: Any,
    version: Any,
    outcome: str = "accept",
    *,
    applicant: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    from minxin.cases.services import ApplicantData, case_intake

    kwargs.setdefault("materials", all_ok(version))
    return case_intake(
        hall=cast.hall,
        clerk=cast.bob,
        item=str(version.item.public_id),
        applicant=ApplicantData(**(applicant or PERSON)),
        outcome=outcome,
        window=cast.window1,
        **kwargs,
    ).case


@pytest.fixture
def at_open_hall() -> Any:
    import time_machine

    # Monday 2026-11-30, 10:00 in Shanghai: the cast's halls are open.
    with time_machine.travel(dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC), tick=True) as traveller:
        yield traveller
