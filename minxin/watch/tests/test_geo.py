"""Geodesics and triangulation against known geometry."""

from __future__ import annotations

import pytest

from minxin.watch.geo import Point, TriangulationRefused, direct, from_bearing_distance, intersect, inverse


def dms(d: int, m: int, s: float) -> float:
    return d + m / 60 + s / 3600


# Vincenty's own test line (1975): Flinders Peak to Buninyong, 54,972.271 m at 306°52'05.37".
FLINDERS = Point(-dms(37, 57, 3.72030), dms(144, 25, 29.52440))
BUNINYONG = Point(-dms(37, 39, 10.15610), dms(143, 55, 35.38390))


def test_inverse_matches_vincentys_published_line() -> None:
    distance, azimuth, _back = inverse(FLINDERS, BUNINYONG)
    assert distance == pytest.approx(54972.271, abs=0.001)
    assert azimuth == pytest.approx(dms(306, 52, 5.37), abs=1e-5)


def test_direct_matches_vincentys_published_line() -> None:
    end = direct(FLINDERS, dms(306, 52, 5.37), 54972.271)
    assert end.lat == pytest.approx(BUNINYONG.lat, abs=1e-7)
    assert end.lon == pytest.approx(BUNINYONG.lon, abs=1e-7)


@pytest.mark.parametrize(
    ("tower_a", "tower_b"),
    [
        (Point(42.30, 117.10), Point(42.30, 117.22)),  # 10 km apart, east-west
        (Point(42.35, 117.15), Point(42.52, 117.48)),  # 33 km apart, diagonal
        (Point(42.40, 117.10), Point(42.58, 117.12)),  # 20 km apart, north-south
    ],
)
def test_two_bearings_fix_a_known_spot_within_100_m(tower_a: Point, tower_b: Point) -> None:
    fire = Point(42.45, 117.28)
    # Bearings to the fire laid out with the published-accuracy geodesic (tested above), rounded to
    # the 0.1° a lookout's alidade reads.
    bearing_a = round(inverse(tower_a, fire)[1], 1)
    bearing_b = round(inverse(tower_b, fire)[1], 1)
    estimate = intersect(tower_a, bearing_a, tower_b, bearing_b)
    assert estimate.method == "intersection"
    assert inverse(Point(estimate.lat, estimate.lon), fire)[0] < 100


def test_exact_bearings_give_the_spot_to_the_metre() -> None:
    tower_a, tower_b, fire = Point(42.35, 117.15), Point(42.52, 117.48), Point(42.47, 117.30)
    estimate = intersect(tower_a, inverse(tower_a, fire)[1], tower_b, inverse(tower_b, fire)[1])
    assert inverse(Point(estimate.lat, estimate.lon), fire)[0] < 1


def test_uncertainty_grows_as_the_crossing_flattens() -> None:
    a, b = Point(42.40, 117.10), Point(42.40, 117.40)
    square = intersect(a, 45, b, 315)
    shallow = intersect(a, 75, b, 285)
    assert shallow.uncertainty_m > square.uncertainty_m


def test_parallel_bearings_are_refused_with_a_reason() -> None:
    with pytest.raises(TriangulationRefused) as refused:
        intersect(Point(42.40, 117.10), 30.0, Point(42.40, 117.40), 33.0)
    assert refused.value.code == "bearings_parallel"
    assert "parallel" in str(refused.value)


def test_opposite_bearings_are_refused_too() -> None:
    with pytest.raises(TriangulationRefused) as refused:
        intersect(Point(42.40, 117.10), 90.0, Point(42.40, 117.40), 272.0)
    assert refused.value.code == "bearings_parallel"


def test_bearings_that_cross_behind_a_tower_are_refused() -> None:
    with pytest.raises(TriangulationRefused) as refused:
        intersect(Point(42.40, 117.10), 225.0, Point(42.40, 117.40), 135.0)
    assert refused.value.code == "bearings_diverge"


def test_one_bearing_and_a_distance_give_a_point() -> None:
    tower = Point(42.40, 117.20)
    estimate = from_bearing_distance(tower, 90.0, 10_000)
    assert estimate.method == "bearing_distance"
    assert inverse(tower, Point(estimate.lat, estimate.lon))[0] == pytest.approx(10_000, abs=0.01)
    assert estimate.uncertainty_m == pytest.approx(((10_000 * 0.01745) ** 2 + 1000**2) ** 0.5, rel=0.01)
