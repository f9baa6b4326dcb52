"""Where a fire is, from towers' bearings: geodesics on the WGS-84 ellipsoid (Vincenty's direct and
inverse formulae), the intersection of two bearings, a point from a bearing and a distance, and an
uncertainty from the bearing error. Bearings are degrees from true north, clockwise.

Intersection: a first guess in a tangent plane at the first tower, then Newton steps on the true
geodesic azimuths from both towers, so meridian convergence between towers 30 km apart (a fifth of a
degree here, 70 m at 20 km) does not bias the spot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

A = 6378137.0  # WGS-84 semi-major axis (m)
F = 1 / 298.257223563
B = A * (1 - F)


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Estimate:
    lat: float
    lon: float
    uncertainty_m: float
    method: str  # "intersection" | "bearing_distance"


class TriangulationRefused(ValueError):
    """The bearings do not fix a point; `code` says why (for the API and the board)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def inverse(p1: Point, p2: Point) -> tuple[float, float, float]:
    """Distance (m), forward azimuth at p1 and at p2 (degrees) of the geodesic p1 → p2 (Vincenty)."""
    if p1 == p2:
        return 0.0, 0.0, 0.0
    big_l = math.radians(p2.lon - p1.lon)
    u1 = math.atan((1 - F) * math.tan(math.radians(p1.lat)))
    u2 = math.atan((1 - F) * math.tan(math.radians(p2.lat)))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0, 0.0, 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (A**2 - B**2) / B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    distance = B * big_a * (sigma - delta_sigma)
    az1 = math.atan2(cos_u2 * math.sin(lam), cos_u1 * sin_u2 - sin_u1 * cos_u2 * math.cos(lam))
    az2 = math.atan2(cos_u1 * math.sin(lam), -sin_u1 * cos_u2 + cos_u1 * sin_u2 * math.cos(lam))
    return distance, math.degrees(az1) % 360, math.degrees(az2) % 360


def direct(p1: Point, azimuth_deg: float, distance_m: float) -> Point:
    """The point `distance_m` from p1 along the geodesic that leaves it at `azimuth_deg` (Vincenty)."""
    alpha1 = math.radians(azimuth_deg)
    sin_a1, cos_a1 = math.sin(alpha1), math.cos(alpha1)
    tan_u1 = (1 - F) * math.tan(math.radians(p1.lat))
    cos_u1 = 1 / math.sqrt(1 + tan_u1**2)
    sin_u1 = tan_u1 * cos_u1
    sigma1 = math.atan2(tan_u1, cos_a1)
    sin_alpha = cos_u1 * sin_a1
    cos2_alpha = 1 - sin_alpha**2
    u_sq = cos2_alpha * (A**2 - B**2) / B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    sigma = distance_m / (B * big_a)
    for _ in range(200):
        cos_2sm = math.cos(2 * sigma1 + sigma)
        sin_sigma, cos_sigma = math.sin(sigma), math.cos(sigma)
        delta_sigma = (
            big_b
            * sin_sigma
            * (
                cos_2sm
                + big_b
                / 4
                * (
                    cos_sigma * (-1 + 2 * cos_2sm**2)
                    - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
                )
            )
        )
        previous = sigma
        sigma = distance_m / (B * big_a) + delta_sigma
        if abs(sigma - previous) < 1e-12:
            break
    sin_sigma, cos_sigma = math.sin(sigma), math.cos(sigma)
    cos_2sm = math.cos(2 * sigma1 + sigma)
    x = sin_u1 * sin_sigma - cos_u1 * cos_sigma * cos_a1
    lat2 = math.atan2(sin_u1 * cos_sigma + cos_u1 * sin_sigma * cos_a1, (1 - F) * math.hypot(sin_alpha, x))
    lam = math.atan2(sin_sigma * sin_a1, cos_u1 * cos_sigma - sin_u1 * sin_sigma * cos_a1)
    c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
    big_l = lam - (1 - c) * F * sin_alpha * (
        sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
    )
    lon2 = (p1.lon + math.degrees(big_l) + 540) % 360 - 180
    return Point(math.degrees(lat2), lon2)


def _plane(origin: Point, p: Point) -> tuple[float, float]:
    """East and north metres of p from origin in the tangent plane (radii of curvature at origin)."""
    phi = math.radians(origin.lat)
    e2 = F * (2 - F)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    meridian = A * (1 - e2) / w**3
    normal = A / w
    return math.radians(p.lon - origin.lon) * normal * math.cos(phi), math.radians(
        p.lat - origin.lat
    ) * meridian


def _angle_diff(a: float, b: float) -> float:
    return (a - b + 180) % 360 - 180


def intersect(
    p1: Point,
    bearing1: float,
    p2: Point,
    bearing2: float,
    *,
    min_angle_deg: float = 10.0,
    max_range_m: float = 60_000.0,
    bearing_error_deg: float = 1.0,
) -> Estimate:
    """Where the bearing from p1 meets the bearing from p2, with an uncertainty (one standard deviation
    of the position for `bearing_error_deg` on each bearing: σ·√(r1² + r2²) / sin α, α the crossing
    angle). Refused when the bearings are (nearly) parallel, do not cross ahead of both towers, or
    cross farther than `max_range_m`."""
    crossing = abs(_angle_diff(bearing1, bearing2))
    crossing = min(crossing, 180 - crossing)
    if crossing < min_angle_deg:
        raise TriangulationRefused(
            "bearings_parallel",
            f"The bearings cross at {crossing:.1f}°, under {min_angle_deg:.0f}°: they are too nearly "
            "parallel to fix a point. Ask a third tower, or the distance.",
        )
    east, north = _plane(p1, p2)
    d1 = (math.sin(math.radians(bearing1)), math.cos(math.radians(bearing1)))
    d2 = (math.sin(math.radians(bearing2)), math.cos(math.radians(bearing2)))
    det = d1[0] * -d2[1] - d1[1] * -d2[0]
    t1 = (east * -d2[1] - north * -d2[0]) / det
    t2 = (d1[0] * north - d1[1] * east) / det
    if t1 <= 0 or t2 <= 0:
        raise TriangulationRefused(
            "bearings_diverge", "The bearings do not cross in front of both towers: check the readings."
        )
    guess = direct(p1, bearing1, t1)
    lat, lon = guess.lat, guess.lon
    for _ in range(8):
        here = Point(lat, lon)
        r1 = _angle_diff(inverse(p1, here)[1], bearing1)
        r2 = _angle_diff(inverse(p2, here)[1], bearing2)
        if abs(r1) < 1e-9 and abs(r2) < 1e-9:
            break
        h = 1e-5
        j11 = _angle_diff(inverse(p1, Point(lat + h, lon))[1], inverse(p1, here)[1]) / h
        j12 = _angle_diff(inverse(p1, Point(lat, lon + h))[1], inverse(p1, here)[1]) / h
        j21 = _angle_diff(inverse(p2, Point(lat + h, lon))[1], inverse(p2, here)[1]) / h
        j22 = _angle_diff(inverse(p2, Point(lat, lon + h))[1], inverse(p2, here)[1]) / h
        jdet = j11 * j22 - j12 * j21
        if jdet == 0:
            break
        lat -= (r1 * j22 - r2 * j12) / jdet
        lon -= (j11 * r2 - j21 * r1) / jdet
    spot = Point(lat, lon)
    range1, range2 = inverse(p1, spot)[0], inverse(p2, spot)[0]
    if max(range1, range2) > max_range_m:
        raise TriangulationRefused(
            "too_far",
            f"The bearings cross {max(range1, range2) / 1000:.0f} km away, beyond what a tower sees.",
        )
    sigma = math.radians(bearing_error_deg)
    uncertainty = sigma * math.hypot(range1, range2) / math.sin(math.radians(crossing))
    return Estimate(lat=lat, lon=lon, uncertainty_m=uncertainty, method="intersection")


def from_bearing_distance(
    p1: Point,
    bearing: float,
    distance_m: float,
    *,
    bearing_error_deg: float = 1.0,
    distance_error: float = 0.1,
) -> Estimate:
    """The point at `distance_m` along `bearing`; uncertainty from the bearing error across and a
    share of the distance along (a lookout's distance is an estimate)."""
    spot = direct(p1, bearing, distance_m)
    across = math.radians(bearing_error_deg) * distance_m
    uncertainty = math.hypot(across, distance_error * distance_m)
    return Estimate(lat=spot.lat, lon=spot.lon, uncertainty_m=uncertainty, method="bearing_distance")
