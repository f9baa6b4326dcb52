"""A schematic map of Hebei's 11 prefecture-level cities, generated here rather than copied.

No boundary data is downloaded or copied: the province outline below is a coarse polygon traced by hand
from well-known coordinates (the borders with Inner Mongolia, Liaoning, the Bohai coast, Shandong, Henan
and Shanxi, with Beijing and Tianjin cut out as one notch), and each city's area is the Voronoi cell of
its seat's real coordinates clipped to that outline. The shapes are therefore *schematic*: right in
position and neighbourhood, wrong in detail; the wall screen's legend and docs/insights.md say so.

`python manage.py insights_hebei_map` writes `static/insights/hebei-schematic.json`; a test checks the
shipped file equals this module's output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

Point = tuple[float, float]

# (adcode, name, seat longitude, seat latitude)
CITIES: tuple[tuple[str, str, float, float], ...] = (
    ("130100", "石家庄市", 114.51, 38.04),
    ("130200", "唐山市", 118.18, 39.63),
    ("130300", "秦皇岛市", 119.60, 39.94),
    ("130400", "邯郸市", 114.54, 36.63),
    ("130500", "邢台市", 114.50, 37.07),
    ("130600", "保定市", 115.46, 38.87),
    ("130700", "张家口市", 114.89, 40.82),
    ("130800", "承德市", 117.96, 40.95),
    ("130900", "沧州市", 116.84, 38.30),
    ("131000", "廊坊市", 116.68, 39.52),
    ("131100", "衡水市", 115.67, 37.74),
)

# Counter-clockwise is not required; the polygon is simple (no self-intersection, checked in tests).
OUTLINE: tuple[Point, ...] = (
    (113.80, 40.50),
    (114.10, 41.40),
    (114.90, 42.10),
    (115.80, 42.50),
    (116.90, 42.40),
    (117.80, 42.60),
    (118.80, 42.00),
    (119.30, 41.20),
    (119.85, 40.30),
    (119.60, 39.85),
    (119.00, 39.40),
    (118.30, 39.00),
    (117.85, 39.15),
    # the Beijing–Tianjin notch, west from the Tangshan coast and round Beijing's north
    (117.70, 39.55),
    (117.40, 40.10),
    (117.40, 40.60),
    (116.70, 41.05),
    (116.00, 40.75),
    (115.45, 40.30),
    (115.45, 39.90),
    (115.90, 39.55),
    (116.30, 39.50),
    (116.55, 39.68),
    (116.90, 39.75),
    (116.95, 39.45),
    (116.80, 39.15),
    (116.75, 38.95),
    (117.20, 38.60),
    (117.55, 38.60),
    # the Bohai coast of Cangzhou, then Shandong, Henan and Shanxi
    (117.85, 38.25),
    (117.80, 37.95),
    (117.00, 37.80),
    (116.30, 37.40),
    (115.80, 37.00),
    (115.50, 36.90),
    (115.45, 36.20),
    (114.90, 36.05),
    (114.00, 36.30),
    (113.50, 36.70),
    (113.50, 37.50),
    (113.80, 38.20),
    (113.90, 38.90),
    (114.30, 39.20),
    (114.20, 39.60),
    (113.90, 40.00),
)

_SCALE = math.cos(math.radians(39.0))  # a degree of longitude is shorter than one of latitude here


def _clip(polygon: list[Point], seat: Point, other: Point) -> list[Point]:
    """Sutherland–Hodgman against the half-plane of points nearer `seat` than `other`."""

    def side(point: Point) -> float:
        dx1, dy1 = (point[0] - seat[0]) * _SCALE, point[1] - seat[1]
        dx2, dy2 = (point[0] - other[0]) * _SCALE, point[1] - other[1]
        return (dx2 * dx2 + dy2 * dy2) - (dx1 * dx1 + dy1 * dy1)  # > 0: nearer the seat

    result: list[Point] = []
    for index, current in enumerate(polygon):
        previous = polygon[index - 1]
        s_cur, s_prev = side(current), side(previous)
        if (s_cur >= 0) != (s_prev >= 0):
            t = s_prev / (s_prev - s_cur)
            result.append(
                (previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1]))
            )
        if s_cur >= 0:
            result.append(current)
    return result


def city_cell(code: str) -> list[Point]:
    seat = next((lon, lat) for adcode, _name, lon, lat in CITIES if adcode == code)
    cell = list(OUTLINE)
    for adcode, _name, lon, lat in CITIES:
        if adcode != code:
            cell = _clip(cell, seat, (lon, lat))
    return cell


def contains(polygon: list[Point] | tuple[Point, ...], point: Point) -> bool:
    inside = False
    x, y = point
    for index, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[index - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def hebei_geojson() -> dict[str, Any]:
    features = []
    for adcode, name, lon, lat in CITIES:
        ring = [[round(x, 4), round(y, 4)] for x, y in city_cell(adcode)]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "adcode": int(adcode), "cp": [lon, lat], "schematic": True},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "hebei-schematic",
        "description": "Schematic: Voronoi cells of the city seats clipped to a hand-traced outline; "
        "not the legal boundaries.",
        "features": features,
    }


MAP_PATH = Path(__file__).resolve().parent / "static" / "insights" / "hebei-schematic.json"


def map_text() -> str:
    return json.dumps(hebei_geojson(), ensure_ascii=False, separators=(",", ":")) + "\n"
