"""The shipped schematic map is the generator's output and places every city seat in its own cell."""

from __future__ import annotations

import json

from minxin.insights.geo import CITIES, MAP_PATH, OUTLINE, city_cell, contains, map_text


def test_the_shipped_map_is_generated_by_the_script() -> None:
    assert MAP_PATH.read_text(encoding="utf-8") == map_text()


def test_each_city_seat_lies_in_its_own_cell_and_only_there() -> None:
    for code, _name, lon, lat in CITIES:
        assert contains(OUTLINE, (lon, lat)), code
        assert contains(city_cell(code), (lon, lat)), code
        others = [other for other, *_rest in CITIES if other != code]
        assert not any(contains(city_cell(other), (lon, lat)) for other in others), code


def test_the_map_has_hebeis_eleven_cities_by_code_and_says_it_is_schematic() -> None:
    data = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    codes = sorted(feature["properties"]["adcode"] for feature in data["features"])
    assert codes == [130100 + 100 * index for index in range(11)]
    assert all(feature["properties"]["schematic"] for feature in data["features"])
