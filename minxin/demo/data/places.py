"""Hebei's regions (`regions.toml`), the units competing for the mobile red flag (`units.toml`) and the
invented staff names (`staff.toml`)."""

from __future__ import annotations

from minxin.demo.data.files import Table, read
from minxin.demo.data.specs import RegionSpec, UnitSpec

FLAG_FOR_KIND: dict[str, str] = {
    "organ": "administration",
    "judicial": "enforcement",
    "utility": "service",
    "window": "service",
}


def _county(entry: Table) -> tuple[str, str]:
    entry.only("code", "name")
    return entry.text("code"), entry.text("name")


def load_regions() -> tuple[tuple[str, str], tuple[RegionSpec, ...]]:
    """The province (code, name) and its cities with a few of their districts and counties."""
    root = read("regions.toml").only("province", "city")
    province = root.table("province").only("code", "name")
    cities = []
    for entry in root.tables("city", "city"):
        entry.only("code", "name", "counties")
        counties = tuple(_county(county) for county in entry.tables("counties", "county"))
        cities.append(RegionSpec(entry.text("code"), entry.text("name"), counties))
    return (province.text("code"), province.text("name")), tuple(cities)


def _unit(city_code: str, entry: Table) -> UnitSpec:
    entry.only("name", "kind")
    kind = entry.text("kind")
    if kind not in FLAG_FOR_KIND:
        raise entry.fail(f"unknown kind {kind!r} (known: {', '.join(FLAG_FOR_KIND)})")
    return UnitSpec(city_code, entry.text("name"), kind, FLAG_FOR_KIND[kind])


def load_units() -> tuple[UnitSpec, ...]:
    root = read("units.toml").only("city")
    units: list[UnitSpec] = []
    for city in root.tables("city", "city", name="code"):
        city.only("code", "units")
        units.extend(_unit(city.text("code"), entry) for entry in city.tables("units", "unit"))
    return tuple(units)


def load_staff_names() -> tuple[str, ...]:
    return read("staff.toml").only("names").texts("names")
