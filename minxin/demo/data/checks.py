"""The counts, uniqueness and limits the demo loader relies on (`validate` lists every breach)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from minxin.demo.data.places import FLAG_FOR_KIND
from minxin.demo.data.specs import DepartmentSpec, ItemSpec, RegionSpec, UnitSpec

_KINDS = frozenset({"许可", "确认", "给付", "备案", "公共服务", "其他"})
_LEVELS = frozenset({"市级", "县级", "省级"})
_UNIT_KINDS = frozenset(FLAG_FOR_KIND)
_FLAG_CATEGORIES = frozenset(FLAG_FOR_KIND.values())
# fmt: off
_EXPECTED_CITIES: dict[str, str] = {
    "130100": "石家庄市", "130200": "唐山市", "130300": "秦皇岛市", "130400": "邯郸市",
    "130500": "邢台市", "130600": "保定市", "130700": "张家口市", "130800": "承德市",
    "130900": "沧州市", "131000": "廊坊市", "131100": "衡水市",
}
# fmt: on
_SLUG = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_ITEM_CODE = re.compile(r"^\d{12,40}$")
_FEE = re.compile(r"^(0|[1-9]\d*\.\d{2})$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for value in values:
        if value in seen and value not in dupes:
            dupes.append(value)
        seen.add(value)
    return dupes


def _check_departments(label: str, departments: tuple[DepartmentSpec, ...], errors: list[str]) -> None:
    for dupe in _duplicates([d.code for d in departments]):
        errors.append(f"{label}: duplicate department code {dupe!r}")
    for dupe in _duplicates([d.name for d in departments]):
        errors.append(f"{label}: duplicate department name {dupe!r}")
    for dept in departments:
        if not _SLUG.match(dept.code):
            errors.append(f"{label}: department code {dept.code!r} is not a short ASCII slug")
        if not 1 <= dept.window_count <= 4:
            errors.append(f"{label}: {dept.code} windows {dept.window_count} not in 1..4")
        if not dept.name or len(dept.name) > 128 or not dept.short_name or len(dept.short_name) > 32:
            errors.append(f"{label}: {dept.code} name or short name empty or too long")


def _check_item(label: str, item: ItemSpec, errors: list[str]) -> None:
    where = f"{label}: item {item.code} {item.name}"
    if not _ITEM_CODE.match(item.code):
        errors.append(f"{where}: code must be 12-40 digits")
    if not item.name or len(item.name) > 200:
        errors.append(f"{where}: name empty or longer than 200 characters")
    if item.kind not in _KINDS:
        errors.append(f"{where}: unknown kind {item.kind!r}")
    if item.level not in _LEVELS:
        errors.append(f"{where}: unknown level {item.level!r}")
    if not item.legal_basis or not item.conditions:
        errors.append(f"{where}: legal basis and conditions are required")
    if not 2 <= len(item.materials) <= 7:
        errors.append(f"{where}: {len(item.materials)} materials, expected 2..7")
    if _duplicates([m.name for m in item.materials]):
        errors.append(f"{where}: duplicate material names")
    if not any(m.mandatory for m in item.materials):
        errors.append(f"{where}: no mandatory material")
    for material in item.materials:
        if material.originals < 0 or material.copies < 0 or material.originals + material.copies == 0:
            errors.append(f"{where}: material {material.name!r} has no original or copy")
        if not material.name or len(material.name) > 200 or len(material.note) > 255:
            errors.append(f"{where}: material {material.name!r} name or note too long")
    if not _FEE.match(item.fee):
        errors.append(f"{where}: fee {item.fee!r} is not '0' or a decimal with two places")
    else:
        try:
            free = Decimal(item.fee) == 0
        except InvalidOperation:  # pragma: no cover - the regex already rules this out
            free = False
            errors.append(f"{where}: fee {item.fee!r} is not a decimal")
        if free == bool(item.fee_basis):
            errors.append(f"{where}: fee basis must be empty exactly when the item is free")
    if len(item.fee_basis) > 255:
        errors.append(f"{where}: fee basis longer than 255 characters")
    if item.statutory_days < 0 or not 0 <= item.promised_days <= item.statutory_days:
        errors.append(f"{where}: promised days must be between 0 and statutory days")
    if item.trips not in (0, 1, 2):
        errors.append(f"{where}: trips {item.trips} not in 0..2")


def _check_items(
    label: str,
    items: tuple[ItemSpec, ...],
    departments: tuple[DepartmentSpec, ...],
    count: tuple[int, int],
    errors: list[str],
) -> None:
    if not count[0] <= len(items) <= count[1]:
        errors.append(f"{label}: {len(items)} items, expected {count[0]}..{count[1]}")
    for dupe in _duplicates([i.code for i in items]):
        errors.append(f"{label}: duplicate item code {dupe}")
    for dupe in _duplicates([i.name for i in items]):
        errors.append(f"{label}: duplicate item name {dupe}")
    per_department = {dept.code: 0 for dept in departments}
    for item in items:
        if item.department not in per_department:
            errors.append(f"{label}: item {item.name} names unknown department {item.department!r}")
        else:
            per_department[item.department] += 1
        _check_item(label, item, errors)
    for code, n in per_department.items():
        if n < 2:
            errors.append(f"{label}: department {code} has {n} items, expected at least 2")


def _check_regions(province: tuple[str, str], regions: tuple[RegionSpec, ...], errors: list[str]) -> None:
    if province != ("130000", "河北省"):
        errors.append("regions.toml: [province] must be 130000 河北省")
    cities = {region.code: region.name for region in regions}
    if len(regions) != 11 or cities != _EXPECTED_CITIES:
        errors.append(
            "regions.toml: [[city]] must hold exactly the 11 prefecture-level cities of Hebei (GB/T 2260)"
        )
    county_codes: list[str] = []
    for region in regions:
        if not 3 <= len(region.counties) <= 6:
            errors.append(f"regions.toml, {region.name}: {len(region.counties)} counties, expected 3..6")
        for code, name in region.counties:
            county_codes.append(code)
            belongs = len(code) == 6 and code.isdigit() and code[:4] == region.code[:4]
            if not belongs or code == region.code:
                errors.append(f"regions.toml, {region.name}: county code {code} does not belong to the city")
            if not name:
                errors.append(f"regions.toml, {region.name}: county {code} has no name")
    for dupe in _duplicates(county_codes):
        errors.append(f"regions.toml: duplicate county code {dupe}")


def _check_units(units: tuple[UnitSpec, ...], errors: list[str]) -> None:
    per_city = dict.fromkeys(_EXPECTED_CITIES, 0)
    for unit in units:
        if unit.city_code not in per_city:
            errors.append(f"units.toml, unit {unit.name}: unknown city {unit.city_code}")
        else:
            per_city[unit.city_code] += 1
        if unit.kind not in _UNIT_KINDS:
            errors.append(f"units.toml, unit {unit.name}: unknown kind {unit.kind!r}")
        if unit.flag_category not in _FLAG_CATEGORIES:
            errors.append(f"units.toml, unit {unit.name}: unknown flag category {unit.flag_category!r}")
        if not unit.name or len(unit.name) > 128:
            errors.append(f"units.toml, unit {unit.name}: name empty or too long")
    for code, n in per_city.items():
        if not 6 <= n <= 10:
            errors.append(f"units.toml, city {code}: {n} units, expected 6..10")
    for dupe in _duplicates([unit.name for unit in units]):
        errors.append(f"units.toml: duplicate unit name {dupe}")
    required = {("130300", "秦皇岛市政务服务管理办公室"), ("130100", "国家税务总局石家庄市税务局")}
    missing = required - {(unit.city_code, unit.name) for unit in units}
    for city_code, name in sorted(missing):
        errors.append(f"units.toml: required unit {name} ({city_code}) is missing")


def _check_catalog(
    qhd: tuple[tuple[DepartmentSpec, ...], tuple[ItemSpec, ...]],
    tax: tuple[tuple[DepartmentSpec, ...], tuple[ItemSpec, ...]],
    errors: list[str],
) -> None:
    (qhd_departments, qhd_items), (tax_departments, tax_items) = qhd, tax
    if len(qhd_departments) != 43:
        errors.append(f"qinhuangdao.toml: {len(qhd_departments)} departments, expected 43")
    _check_departments("qinhuangdao.toml", qhd_departments, errors)
    _check_items("qinhuangdao.toml", qhd_items, qhd_departments, (253, 253), errors)
    if not 1 <= len(tax_departments) <= 3 or "tax-sjz" not in {d.code for d in tax_departments}:
        errors.append("sjz_tax.toml must hold 1..3 departments including 'tax-sjz'")
    _check_departments("sjz_tax.toml", tax_departments, errors)
    _check_items("sjz_tax.toml", tax_items, tax_departments, (12, 20), errors)
    all_items = qhd_items + tax_items
    for dupe in _duplicates([item.code for item in all_items]):
        errors.append(f"item code {dupe} used in both qinhuangdao.toml and sjz_tax.toml")
    for dupe in _duplicates([item.name for item in all_items]):
        errors.append(f"item name {dupe} used in both qinhuangdao.toml and sjz_tax.toml")


def _check_staff(names: tuple[str, ...], errors: list[str]) -> None:
    if len(names) != 60:
        errors.append(f"staff.toml has {len(names)} names, expected 60")
    for dupe in _duplicates(list(names)):
        errors.append(f"staff.toml: duplicate name {dupe}")
    for name in names:
        if not _CJK_NAME.match(name):
            errors.append(f"staff.toml: name {name!r} is not 2-3 Chinese characters")


def validate(
    *,
    province: tuple[str, str],
    regions: tuple[RegionSpec, ...],
    qhd: tuple[tuple[DepartmentSpec, ...], tuple[ItemSpec, ...]],
    tax: tuple[tuple[DepartmentSpec, ...], tuple[ItemSpec, ...]],
    units: tuple[UnitSpec, ...],
    staff_names: tuple[str, ...],
) -> None:
    """Check the counts, uniqueness and limits the demo loader relies on; raise ValueError on any breach."""
    errors: list[str] = []
    _check_regions(province, regions, errors)
    _check_catalog(qhd, tax, errors)
    _check_units(units, errors)
    _check_staff(staff_names, errors)
    if errors:
        raise ValueError("demo data is inconsistent:\n- " + "\n- ".join(errors))
