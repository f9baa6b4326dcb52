"""Real processes against the real database: distinct case numbers, no double flip, no double notice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from minxin.cases.models import Case, LightFlip, StaffNotice
from minxin.core.tests.procs import run_workers

pytestmark = pytest.mark.django_db(transaction=True)

TRAVEL = "import time_machine\ntime_machine.travel('{when}', tick=True).start()\n"


def test_intakes_in_4_processes_get_distinct_consecutive_numbers(cast: Any, licence: Any) -> None:
    code = TRAVEL.format(when="2017-09-28T02:00:00+00:00") + (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.accounts.models import User\n"
        "from minxin.catalog.models import ItemVersion\n"
        "from minxin.orgs.models import Hall\n"
        "from minxin.cases.services import ApplicantData, MaterialCheck, case_intake\n"
        "hall = Hall.objects.get(code='qhd')\n"
        "bob = User.objects.get(username='bob')\n"
        "version = ItemVersion.objects.get(item__code='000105002000')\n"
        "checks = [MaterialCheck(material=m.pk, presented=True, ok=True)\n"
        "          for m in version.materials.all()]\n"
        "person = ApplicantData(kind='person', name='张三', id_number='130302199003077572',\n"
        "                       phone='13800138000')\n"
        "def take(_):\n"
        "    try:\n"
        "        return [case_intake(hall=hall, clerk=bob, item=str(version.item.public_id),\n"
        "                applicant=person,\n"
        "                materials=checks, outcome='accept').case.number for _ in range(4)]\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(3) as pool:\n"
        "    print(json.dumps([n for chunk in pool.map(take, range(3)) for n in chunk]))\n"
    )
    numbers = [n for chunk in run_workers(code, processes=3) for n in chunk]  # type: ignore[attr-defined]
    assert sorted(numbers) == [f"QHD-2017-{i:06d}" for i in range(1, 37)]
    assert Case.objects.count() == 36


def test_two_workers_sweeping_at_once_never_flip_or_notify_twice(cast: Any, licence: Any) -> None:
    import time_machine

    from minxin.cases.tests.conftest import at, take_in

    with time_machine.travel(at(2017, 9, 28), tick=False):
        for _ in range(40):
            take_in(cast, licence)
    code = TRAVEL.format(when="2017-10-16T01:00:00+00:00") + (
        "from minxin.cases.services import cases_supervise\n"
        "total = 0\n"
        "for _ in range(5):\n"
        "    total += cases_supervise(batch=7)\n"
        "print(json.dumps(total))\n"
    )
    flips = run_workers(code, processes=2)
    assert sum(int(n) for n in flips) == 80  # type: ignore[call-overload]
    per_case = Counter(LightFlip.objects.filter(step__isnull=True).values_list("case_id", flat=True))
    assert len(per_case) == 40
    assert set(per_case.values()) == {1}
    assert StaffNotice.objects.count() == 160
    assert Case.objects.filter(light="yellow").count() == 40
