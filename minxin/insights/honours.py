"""The competition's figures for the dashboards: the red-flag holders per category and city, and the
ranking of the latest frozen round — read through `minxin.competition.selectors` only (read-only):
`current_holders`, `latest_frozen_rounds`, `round_scores`, `live_titles`, `city_of`.

The worker keeps the result per region in a `ModuleFigures` row ("competition"), so the wall's
snapshot and the pages read one row. Categories are told apart by shape and label as well as colour:
■ administration, ▲ law enforcement, ● service.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from minxin.orgs.models import Region, Unit

SHAPES: dict[str, tuple[str, str]] = {
    Unit.FlagCategory.ADMINISTRATION: ("■", "rect"),
    Unit.FlagCategory.ENFORCEMENT: ("▲", "triangle"),
    Unit.FlagCategory.SERVICE: ("●", "circle"),
}
RANKING_ROWS = 10


def categories() -> list[dict[str, str]]:
    """The flag categories with their shape (a character for tables and labels, an ECharts symbol)."""
    return [
        {"code": str(code), "label": str(label), "shape": SHAPES[code][0], "symbol": SHAPES[code][1]}
        for code, label in Unit.FlagCategory.choices
    ]


def _round_label(round: Any) -> str:
    return _("%(region)s · %(category)s · %(start)s to %(end)s") % {
        "region": round.region.name,
        "category": round.get_category_display(),
        "start": f"{round.period_start:%Y-%m-%d}",
        "end": f"{round.period_end:%Y-%m-%d}",
    }


def _city_codes() -> dict[str, tuple[str, str]]:
    return {
        path: (code, name)
        for path, code, name in Region.objects.filter(level=Region.Level.CITY).values_list(
            "path", "code", "name"
        )
    }


def _holder_rows(region: Region, cities: dict[str, tuple[str, str]]) -> tuple[list[Any], int]:
    from minxin.competition.selectors import city_of, current_holders

    rows: dict[tuple[int, str], dict[str, Any]] = {}
    black = 0
    for holders in current_holders(region=region):
        black += len(holders.black)
        for award in holders.red:
            city_code, city_name = cities.get(city_of(award.unit.region.path), ("", ""))
            rows.setdefault(
                (award.unit_id, holders.round.category),
                {
                    "unit": award.unit.name,
                    "unit_id": award.unit_id,
                    "category": holders.round.category,
                    "category_label": holders.round.get_category_display(),
                    "shape": SHAPES[holders.round.category][0],
                    "city_code": city_code,
                    "city": city_name,
                    "rank": award.rank,
                    "total": str(award.total),
                    "round": str(holders.round.public_id),
                    "round_label": _round_label(holders.round),
                },
            )
    ordered = sorted(rows.values(), key=lambda row: (row["category"], row["city_code"], row["rank"]))
    return ordered, black


def _latest_round(region: Region) -> Any:
    """The latest frozen round covering the region: the most recent period, then the widest region
    (a province's round before a city's), then the latest freeze."""
    from minxin.competition.selectors import latest_frozen_rounds

    rounds = latest_frozen_rounds(region=region)
    if not rounds:
        return None
    return max(rounds, key=lambda r: (r.period_start, -len(r.region.path), r.frozen_at or r.period_end))


def _ranking(region: Region, round: Any, cities: dict[str, tuple[str, str]]) -> dict[str, Any]:
    from minxin.competition.selectors import city_of, round_scores

    if round is None:
        return {}
    scores = round_scores(round=round).filter(
        unit__region__path__startswith=region.path, vetoed=False, rank__isnull=False
    )[:RANKING_ROWS]
    return {
        "round": str(round.public_id),
        "label": _round_label(round),
        "category": round.category,
        "shape": SHAPES[round.category][0],
        "rows": [
            {
                "rank": score.rank,
                "unit": score.unit.name,
                "unit_id": score.unit_id,
                "city": cities.get(city_of(score.unit.region.path), ("", ""))[1],
                "total": str(score.total),
            }
            for score in scores
        ],
    }


def honours_compute(*, region: Region) -> dict[str, Any]:
    """Red-flag holders (per category, per city), black flags still held, live titles and the ranking of
    the latest frozen round; empty when the competition has no frozen round here."""
    from minxin.competition.selectors import live_titles

    cities = _city_codes()
    holders, black = _holder_rows(region, cities)
    ranking = _ranking(region, _latest_round(region), cities)
    if not holders and not ranking:
        return {}
    by_city: dict[str, dict[str, int]] = {}
    for row in holders:
        counts = by_city.setdefault(row["city_code"], {})
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    by_category = []
    for category in categories():
        mine = [row for row in holders if row["category"] == category["code"]]
        places = [(row["city"] or row["unit"]).removesuffix("市") for row in mine]
        by_category.append({**category, "count": len(mine), "places": "、".join(places) or "—"})
    return {
        "categories": categories(),
        "by_category": by_category,
        "holders": holders,
        "by_city": by_city,
        "black_held": black,
        "titles_live": live_titles(region=region).count(),
        "ranking": ranking,
    }


def city_flag_text(counts: dict[str, int]) -> str:
    """A city's red flags as shapes and counts, e.g. "■1 ●2" (empty when it holds none)."""
    return " ".join(f"{SHAPES[code][0]}{counts[code]}" for code in SHAPES if counts.get(code))
