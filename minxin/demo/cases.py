"""Demo: Months of case history across Qinhuangdao's departments, and cases open today.

Built through the app's own services: past cases through `cases_import_history` (as a former case
system's records would be), today's through intake at the window. `load` is idempotent (loading twice
changes nothing). Because chinese_calendar stops at 2026 while today's cases run into 2027, the demo
loads a 2027 holiday arrangement clearly labelled as demo data: the admin replaces it with the State
Council's when it is published.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from minxin.accounts.models import User
from minxin.cases.models import Applicant, Case, HallCaseSettings
from minxin.cases.services import ApplicantData, MaterialCheck, applicant_upsert, case_intake, cases_supervise
from minxin.cases.services.history import HistoricCase, cases_import_history
from minxin.catalog.models import ItemVersion, Window
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.models import CalendarYear
from minxin.core.workdays import CalendarRow, WorkingCalendar, calendar_year_load
from minxin.orgs.models import Hall

HALL = "qhd-zwfw"
HISTORY_DAYS = 180
DEMO_2027_SOURCE = "演示数据：2027 年安排为示例（非国务院办公厅正式通知），请在后台替换"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
_COMPANIES = (
    "秦皇岛海港{}商贸有限公司",
    "秦皇岛{}酒店管理有限公司",
    "北戴河{}餐饮有限公司",
    "秦皇岛{}建筑工程有限公司",
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 2027 (demo only): 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆 with their make-up working days.
DEMO_2027 = (
    [("2027-01-01", "元旦")]
    + [(f"2027-02-{d:02d}", "春节") for d in (8, 9, 10, 11, 12)]
    + [("2027-04-05", "清明节")]
    + [(f"2027-05-{d:02d}", "劳动节") for d in (3, 4, 5)]
    + [("2027-06-09", "端午节"), ("2027-09-15", "中秋节")]
    + [(f"2027-10-{d:02d}", "国庆节") for d in (1, 4, 5, 6, 7)]
)
DEMO_2027_WORKDAYS = [
    ("2027-02-06", "春节调休"),
    ("2027-02-20", "春节调休"),
    ("2027-04-25", "劳动节调休"),
    ("2027-09-26", "国庆节调休"),
    ("2027-10-09", "国庆节调休"),
]


def calendar_2027_demo() -> bool:
    """Load the demo 2027 arrangement unless the year is already loaded (from the admin, say)."""
    if CalendarYear.objects.filter(year=2027, is_complete=True).exists():
        return False
    rows = [CalendarRow(date=dt.date.fromisoformat(d), is_working_day=False, name=n) for d, n in DEMO_2027]
    rows += [
        CalendarRow(date=dt.date.fromisoformat(d), is_working_day=True, name=n) for d, n in DEMO_2027_WORKDAYS
    ]
    calendar_year_load(year=2027, rows=rows, source=DEMO_2027_SOURCE)
    return True


def _id_number(rng: random.Random) -> str:
    born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
    body = f"1303{rng.choice(['02', '03', '04', '21', '22'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _credit_code(rng: random.Random) -> str:
    body = "91130300" + "".join(rng.choice(_CREDIT_CHARS) for _ in range(9))
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _applicants(rng: random.Random, count: int) -> list[Applicant]:
    now = clock.now()
    people = []
    for n in range(count):
        if n % 6 == 5:
            data = ApplicantData(
                kind="company",
                name=rng.choice(_COMPANIES).format(rng.choice("鑫盛华泰恒隆信达")),
                id_number=_credit_code(rng),
                phone=_phone(rng),
                contact_name=rng.choice(_SURNAMES) + "经理",
            )
        else:
            data = ApplicantData(
                kind="person",
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(("", rng.choice(_GIVEN))),
                id_number=_id_number(rng),
                phone=_phone(rng),
            )
        people.append(applicant_upsert(data=data, now=now))
    return people


@dataclass(frozen=True)
class _Staff:
    """Who received, decided and at which windows, for every historic case."""

    clerk: User
    officer: User
    windows: list[Window]


def _outcome(version: ItemVersion, rng: random.Random) -> str:
    roll = rng.random()
    outcome = (
        "accept"
        if roll < 0.80
        else "correct"
        if roll < 0.89
        else "accept_with_gaps"
        if roll < 0.96
        else "refuse"
    )
    if outcome == "accept_with_gaps" and not any(not m.mandatory for m in version.materials.all()):
        outcome = "accept"
    return outcome


def _handling_days(version: ItemVersion, late: bool, rng: random.Random) -> int:
    if late:
        return version.promised_days + rng.randint(
            1, max(1, version.statutory_days - version.promised_days + 3)
        )
    return max(0, round(version.promised_days * rng.uniform(0.2, 0.8)))


def _historic_case(
    version: ItemVersion,
    day: dt.date,
    *,
    slow: bool,
    staff: _Staff,
    people: list[Applicant],
    rng: random.Random,
) -> HistoricCase:
    """One case received on `day` (the random draws in the order the demo has always made them)."""
    outcome = _outcome(version, rng)
    late = rng.random() < (0.3 if slow else 0.03)
    handling = _handling_days(version, late, rng)
    delivery = "window"
    if version.mail_delivery and rng.random() < 0.45:
        delivery = "mail" if rng.random() < 0.85 else "home"
    return HistoricCase(
        version=version,
        applicant=rng.choice(people),
        clerk=staff.clerk,
        officer=staff.officer,
        window=rng.choice(staff.windows) if staff.windows else None,
        received_on=day,
        outcome=outcome,
        corrected_after=rng.choice([1, 2, 3, 5, None]) if outcome == "correct" else None,
        handling_days=handling,
        suspended_days=rng.randint(2, 8) if rng.random() < 0.08 else 0,
        suspension_kind=rng.choice(["testing", "inspection", "expert_review", "hearing"]),
        extended=late and rng.random() < 0.3 and version.statutory_days >= 10,
        decision="reject" if rng.random() < 0.04 else "approve",
        delivery=delivery,
        delivered_after=rng.choice([0, 1, 1, 2]),
        completed_after=rng.choice([0, 1, 2, 3, 5]),
    )


def _history(hall: Hall, today: dt.date, rng: random.Random) -> list[HistoricCase]:
    start = today - dt.timedelta(days=HISTORY_DAYS)
    versions = [
        v
        for v in current_versions(on=start)
        .filter(item__department__hall=hall)
        .select_related("item__department")
        .prefetch_related("materials")
        if v.promised_days > 0
    ]
    staff = _Staff(
        clerk=User.objects.get(username="clerk"),
        officer=User.objects.get(username="officer"),
        windows=list(Window.objects.filter(hall=hall, kind=Window.Kind.COMPREHENSIVE)[:6]),
    )
    people = _applicants(rng, 260)
    calendar = WorkingCalendar(start - dt.timedelta(days=10), today + dt.timedelta(days=10))
    rows: list[HistoricCase] = []
    day = start
    # the departments that run late in the demo (for the supervision page and the cards)
    slow = set(sorted({v.item.department_id for v in versions})[2:5])
    while day < today:
        if calendar.is_working_day(day):
            for _ in range(rng.randint(6, 11)):
                version = rng.choice(versions)
                slow_one = version.item.department_id in slow
                rows.append(_historic_case(version, day, slow=slow_one, staff=staff, people=people, rng=rng))
        day += dt.timedelta(days=1)
    return rows


def _open_today(hall: Hall) -> int:
    """A few cases at the demo clerk's window today, for the demo officer's inbox."""
    clerk = User.objects.get(username="clerk")
    window = Window.objects.filter(hall=hall, clerks=clerk).order_by("id").first()
    versions = list(
        current_versions()
        .filter(item__department__hall=hall, item__department__code="psb", promised_days__gt=0)
        .prefetch_related("materials")[:4]
    )
    rng = random.Random(2017)  # noqa: S311 - invented applicants, not security
    made = 0
    for n, version in enumerate(versions):
        materials = list(version.materials.all())
        missing = {materials[-1].pk} if n == 1 and materials else set()
        optional = [m for m in materials if not m.mandatory]
        outcome = "correct" if missing else "accept"
        if n == 2 and optional:
            missing, outcome = {optional[0].pk}, "accept_with_gaps"
        checks = [
            MaterialCheck(material=m.pk, presented=m.pk not in missing, ok=m.pk not in missing, original=True)
            for m in materials
        ]
        case_intake(
            hall=hall,
            clerk=clerk,
            window=window,
            item=str(version.item.public_id),
            materials=checks,
            outcome=outcome,
            applicant=ApplicantData(
                kind="person",
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
                id_number=_id_number(rng),
                phone=_phone(rng),
            ),
        )
        made += 1
    return made


def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    hall = Hall.objects.filter(code=HALL).first()
    if hall is None:
        return "no Qinhuangdao hall: cases skipped"
    loaded_2027 = calendar_2027_demo()
    if Case.objects.filter(hall=hall).exists():
        return "cases already loaded"
    items = current_versions(on=today).filter(item__department__hall=hall).count()
    HallCaseSettings.objects.get_or_create(
        hall=hall, defaults={"required_items": max(1, round(items / 0.951)), "number_prefix": "QHD"}
    )
    rng = random.Random(13)  # noqa: S311 - invented history, not security
    count = cases_import_history(hall=hall, rows=_history(hall, today, rng), today=today)
    opened = _open_today(hall)
    flips = cases_supervise()
    note = "; 2027 calendar: demo arrangement (replace in admin)" if loaded_2027 else ""
    return (
        f"{count} past cases over {HISTORY_DAYS} days, {opened} taken in today, {flips} lights flipped{note}"
    )
