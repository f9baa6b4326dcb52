"""Build the demo city from its data files (`minxin/demo/data/*.toml`, read by `minxin.demo.data`) through
the apps' own services (never by writing their tables).

Every step looks for what already exists by its natural key first, so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from minxin.accounts.models import Role, User
from minxin.catalog.models import Department, ServiceItem, Window
from minxin.catalog.services import (
    MaterialData,
    department_assign_officer,
    department_station,
    item_create,
    window_assign_clerk,
    window_create,
)
from minxin.core.workdays import calendar_seed
from minxin.demo import data
from minxin.demo.cases import calendar_2027_demo
from minxin.demo.queues import load_queues
from minxin.orgs.models import Hall, HallClosure, Region, StaffMembership, Unit
from minxin.orgs.services import (
    hall_closure_add,
    hall_create,
    hall_set_opening_hours,
    membership_grant,
    region_create,
    unit_create,
)

KINDS = {
    "许可": "licensing",
    "确认": "confirmation",
    "给付": "payment",
    "备案": "filing",
    "公共服务": "public_service",
}
LEVELS = {"市级": "city", "县级": "county", "省级": "province"}
QHD_HALL, TAX_HALL = "qhd-zwfw", "sjz-tax"
CATALOG_SINCE = dt.date(2017, 6, 1)
DEMO_PASSWORD = "minxin-demo-2017"  # noqa: S105 - printed to the person running the demo on purpose


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    scope: str


def load_city(*, today: dt.date) -> list[DemoLogin]:
    data.validate()
    with transaction.atomic():
        regions = _regions()
        units = _units(regions)
        qhd = _qhd_hall(units["秦皇岛市政务服务管理办公室"])
        tax = _tax_hall(units["国家税务总局石家庄市税务局"])
        saihanba = _unit(regions["130800"], "河北省塞罕坝机械林场", "utility", "service")
        calendar_seed(first_year=today.year - 1, last_year=today.year)
        calendar_2027_demo()  # before the halls' holiday closures are made from the calendar
        for hall in (qhd, tax):
            _holiday_closures(hall, today)
        logins = _logins(regions=regions, qhd=qhd, tax=tax, saihanba=saihanba)
        load_queues(qhd=qhd, tax=tax, today=today, clerk=User.objects.get(username="clerk"))
        return logins


def open_around_the_clock(*, hall_codes: tuple[str, ...] = (QHD_HALL, TAX_HALL)) -> None:
    """Demo only: open the demo halls every day, all day, so a visitor at any hour sees the queue move."""
    for hall in Hall.objects.filter(code__in=hall_codes):
        hall_set_opening_hours(
            hall=hall, periods=[(day, dt.time(0), dt.time(23, 59, 59)) for day in range(7)]
        )
        HallClosure.objects.filter(hall=hall).delete()


def _regions() -> dict[str, Region]:
    found = {r.code: r for r in Region.objects.all()}
    code, name = data.PROVINCE
    province = found.get(code) or region_create(code=code, name=name, level=Region.Level.PROVINCE)
    found[code] = province
    for city in data.REGIONS:
        if city.code not in found:
            found[city.code] = region_create(
                code=city.code, name=city.name, level=Region.Level.CITY, parent=province
            )
        for county_code, county_name in city.counties:
            if county_code not in found:
                found[county_code] = region_create(
                    code=county_code, name=county_name, level=Region.Level.COUNTY, parent=found[city.code]
                )
    return found


def _unit(region: Region, name: str, kind: str, category: str) -> Unit:
    existing = Unit.objects.filter(region=region, name=name).first()
    return existing or unit_create(name=name, kind=kind, flag_category=category, region=region)


def _units(regions: dict[str, Region]) -> dict[str, Unit]:
    return {
        spec.name: _unit(regions[spec.city_code], spec.name, spec.kind, spec.flag_category)
        for spec in data.UNITS
    }


def _hall(*, code: str, name: str, unit: Unit, address: str, phone: str) -> tuple[Hall, bool]:
    existing = Hall.objects.filter(code=code).first()
    if existing:
        return existing, False
    hall = hall_create(code=code, name=name, unit=unit, address=address, phone=phone)
    weekdays = [(day, dt.time(9), dt.time(12)) for day in range(5)]
    afternoons = [(day, dt.time(13, 30), dt.time(17, 30)) for day in range(5)]
    saturday = [(5, dt.time(9), dt.time(12))]
    hall_set_opening_hours(hall=hall, periods=weekdays + afternoons + saturday)
    return hall, True


def _material(spec: data.MaterialSpec) -> MaterialData:
    return MaterialData(
        name=spec.name, originals=spec.originals, copies=spec.copies, mandatory=spec.mandatory, note=spec.note
    )


def _content(spec: data.ItemSpec, department: Department) -> dict[str, Any]:
    return {
        "name": spec.name,
        "kind": KINDS.get(spec.kind, "other"),
        "level": LEVELS.get(spec.level, "city"),
        "implementing_body": department.name,
        "legal_basis": spec.legal_basis,
        "conditions": spec.conditions,
        "fee": Decimal(spec.fee),
        "fee_basis": spec.fee_basis,
        "statutory_days": spec.statutory_days,
        "promised_days": spec.promised_days,
        "trips": spec.trips,
        "online": spec.online,
        "appointment": spec.appointment,
        "mail_delivery": spec.mail_delivery,
        "special_steps": spec.special_steps,
        "consult_phone": department.hall.phone,  # the hall's own (Shijiazhuang's tax hall: 12366)
        "complaint_phone": "12345",
    }


def _catalog(
    hall: Hall,
    departments: tuple[data.DepartmentSpec, ...],
    items: tuple[data.ItemSpec, ...],
    comprehensive: int,
) -> None:
    """Departments, their items and windows: each department's own windows, then comprehensive windows
    (一窗受理) that accept every item, then one window that hands out results (统一出件)."""
    stationed: dict[str, Department] = {}
    for spec in departments:
        stationed[spec.code] = department_station(
            hall=hall, code=spec.code, name=spec.name, short_name=spec.short_name, stationed_on=CATALOG_SINCE
        )
    by_department: dict[str, list[ServiceItem]] = {}
    for item in items:
        department = stationed[item.department]
        version = item_create(
            department=department,
            code=item.code,
            content=_content(item, department),
            materials=[_material(m) for m in item.materials],
            publish_on=CATALOG_SINCE,
        )
        by_department.setdefault(item.department, []).append(version.item)
    number = 1
    for spec in departments:
        for seat in range(spec.window_count):
            window_create(
                hall=hall,
                number=str(number),
                name=f"{spec.short_name}窗口{seat + 1}"
                if spec.window_count > 1
                else f"{spec.short_name}窗口",
                kind=Window.Kind.DEPARTMENT,
                department=stationed[spec.code],
                items=by_department.get(spec.code, []),
            )
            number += 1
    every_item = [item for group in by_department.values() for item in group]
    for seat in range(comprehensive):
        window_create(
            hall=hall,
            number=str(number),
            name=f"综合受理窗口{seat + 1}",
            kind=Window.Kind.COMPREHENSIVE,
            items=every_item,
        )
        number += 1
    window_create(hall=hall, number=str(number), name="统一出件窗口", kind=Window.Kind.COMPREHENSIVE)


def _qhd_hall(unit: Unit) -> Hall:
    hall, created = _hall(
        code=QHD_HALL,
        name="秦皇岛市政务服务中心",
        unit=unit,
        address="秦皇岛市海港区建设大街（示例地址）",
        phone="0335-12345",
    )
    if created:
        _catalog(hall, data.QINHUANGDAO_DEPARTMENTS, data.QINHUANGDAO_ITEMS, comprehensive=12)
    return hall


def _tax_hall(unit: Unit) -> Hall:
    hall, created = _hall(
        code=TAX_HALL,
        name="国家税务总局石家庄市税务局办税服务厅",
        unit=unit,
        address="石家庄市桥西区（示例地址）",
        phone="12366",
    )
    if created:
        _catalog(hall, data.TAX_HALL_DEPARTMENTS, data.TAX_HALL_SERVICES, comprehensive=6)
    return hall


def _holiday_closures(hall: Hall, today: dt.date) -> None:
    """Close the hall on the public holidays ahead (the weekday ones; weekends are closed anyway)."""
    from minxin.core.models import CalendarDay

    holidays = CalendarDay.objects.filter(
        is_working_day=False, date__gte=today, date__lte=today + dt.timedelta(days=366)
    )
    known = set(HallClosure.objects.filter(hall=hall).values_list("date", flat=True))
    for day in holidays:
        if day.date not in known:
            hall_closure_add(hall=hall, date=day.date, reason=day.name or "法定节假日")


def _user(username: str, display_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display_name)
        if superuser:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            user.refresh_from_db()
    return user


def _grant(user: User, role: str, **scope: Any) -> None:
    if not StaffMembership.objects.filter(user=user, role=role, **scope).exists():
        membership_grant(user=user, role=role, **scope)


def _logins(*, regions: dict[str, Region], qhd: Hall, tax: Hall, saihanba: Unit) -> list[DemoLogin]:
    names = iter(data.STAFF_NAMES)
    admin = _user("admin", next(names), superuser=True)
    _grant(admin, Role.SYSTEM_ADMIN)
    city = _user("city", next(names))
    _grant(city, Role.CITY_OFFICE, region=regions["130300"])
    manager = _user("manager", next(names))
    _grant(manager, Role.HALL_MANAGER, hall=qhd)
    clerk = _user("clerk", next(names))
    _grant(clerk, Role.WINDOW_CLERK, hall=qhd)
    first_windows = Window.objects.filter(hall=qhd, number__in=["1", "2"])
    comprehensive = Window.objects.filter(hall=qhd, kind=Window.Kind.COMPREHENSIVE).order_by("id").first()
    for window in [*first_windows, *([comprehensive] if comprehensive else [])]:
        window_assign_clerk(window=window, clerk=clerk)
    officer = _user("officer", next(names))
    _grant(officer, Role.DEPARTMENT_OFFICER, hall=qhd)
    psb = Department.objects.get(hall=qhd, code="psb")
    department_assign_officer(department=psb, officer=officer)
    taxclerk = _user("taxclerk", next(names))
    _grant(taxclerk, Role.WINDOW_CLERK, hall=tax)
    for window in Window.objects.filter(hall=tax).order_by("id")[:2]:
        window_assign_clerk(window=window, clerk=taxclerk)
    assessor = _user("assessor", next(names))
    _grant(assessor, Role.ASSESSOR, region=regions["130000"])
    campaign = _user("campaign", next(names))
    _grant(campaign, Role.CAMPAIGN_OFFICER, region=regions["131000"])
    lookout = _user("lookout", next(names))
    _grant(lookout, Role.LOOKOUT_STAFF, unit=saihanba)
    command = _user("command", next(names))
    _grant(command, Role.COMMAND_CENTRE, region=regions["130800"])
    return [
        DemoLogin("admin", str(Role.SYSTEM_ADMIN.label), "*"),
        DemoLogin("city", str(Role.CITY_OFFICE.label), regions["130300"].name),
        DemoLogin("manager", str(Role.HALL_MANAGER.label), qhd.name),
        DemoLogin("clerk", str(Role.WINDOW_CLERK.label), qhd.name),
        DemoLogin("officer", str(Role.DEPARTMENT_OFFICER.label), f"{qhd.name} · {psb.name}"),
        DemoLogin("taxclerk", str(Role.WINDOW_CLERK.label), tax.name),
        DemoLogin("assessor", str(Role.ASSESSOR.label), regions["130000"].name),
        DemoLogin("campaign", str(Role.CAMPAIGN_OFFICER.label), regions["131000"].name),
        DemoLogin("lookout", str(Role.LOOKOUT_STAFF.label), saihanba.name),
        DemoLogin("command", str(Role.COMMAND_CENTRE.label), regions["130800"].name),
    ]
