"""Every dashboard table as (header, rows), the one source for the page, its CSV and its XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from minxin.insights.figures import Figures
from minxin.insights.selectors import RegionView


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]


def _fig(figures: Figures) -> list[Any]:
    return [figures.issued, figures.served, figures.wait_mean, figures.wait_p90, figures.forecast_mean]


def _fig_header() -> list[str]:
    return [_("Issued"), _("Served"), _("Mean wait (min)"), _("P90 wait (min)"), _("Forecast wait (min)")]


def halls_table(view: RegionView) -> Table:
    header = [_("Hall"), *_fig_header(), _("Windows open now"), _("Waiting now"), _("Served today")]
    rows = [
        [line.hall.name, *_fig(line.month), line.windows_open, line.waiting_now, line.today.served]
        for line in view.lines
    ]
    return Table("halls", _("Halls this month"), header, rows)


def trend_table(view: RegionView) -> Table:
    header = [_("Month"), *_fig_header()]
    rows = [
        [f"{month:%Y-%m}", *_fig(figures)] for month, figures in zip(view.months, view.trend, strict=True)
    ]
    return Table("trend", _("Trend over twelve months"), header, rows)


def children_table(view: RegionView) -> Table:
    header = [_("Region"), *_fig_header(), _("Served today")]
    rows = [[region.name, *_fig(month), today.served] for region, month, today in view.children]
    return Table("regions", _("Regions this month"), header, rows)


REGION_TABLES: dict[str, Callable[[RegionView], Table]] = {
    "halls": halls_table,
    "trend": trend_table,
    "regions": children_table,
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, str)):
        return value
    return float(value)


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read the Chinese text as UTF-8


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.name
    sheet.append(table.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(value) if value != "" else None for value in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cases_table(view: RegionView, figures: dict[str, Any]) -> dict[str, Any] | None:
    """Cases per hall (on time, the headline metrics, lights) and lights per department; None when the
    cases module has nothing for these halls."""
    per_hall = figures.get("halls") or {}
    if not per_hall:
        return None
    header = [
        _("Hall"),
        _("Decided on time (%)"),
        _("Items entered (%)"),
        _("Materials cut (%)"),
        _("Time limit cut (%)"),
        _("Trips saved"),
        _("Zero-trip items (%)"),
        _("Yellow lights"),
        _("Red lights"),
    ]
    rows = []
    for line in view.lines:
        row = per_hall.get(str(line.hall.pk))
        if row:
            rows.append(
                [
                    line.hall.name,
                    row["on_time_rate"],
                    row["entry_rate"],
                    row["materials_cut_rate"],
                    row["time_limit_cut_rate"],
                    row["trips_saved"],
                    row["zero_trip_item_share"],
                    row["yellow"],
                    row["red"],
                ]
            )
    departments = Table(
        "lights",
        _("Lights per department"),
        [
            _("Hall"),
            _("Department"),
            _("Yellow now"),
            _("Red now"),
            _("Yellow cards this month"),
            _("Red cards this month"),
        ],
        figures.get("departments") or [],
    )
    return {"halls": Table("cases", _("Cases this month"), header, rows), "departments": departments}


def feedback_table(view: RegionView, figures: dict[str, Any]) -> dict[str, Any] | None:
    per_hall = figures.get("halls") or {}
    trend = figures.get("trend") or []
    if not per_hall and not trend:
        return None
    rows = []
    for line in view.lines:
        row = per_hall.get(str(line.hall.pk))
        if row:
            rows.append([line.hall.name, row["satisfaction"], row["mean"], row["count"], row["bad"]])
    halls = Table(
        "satisfaction",
        _("Satisfaction this month"),
        [_("Hall"), _("Satisfied (%)"), _("Mean score"), _("Ratings"), _("Bad reviews")],
        rows,
    )
    months = Table(
        "satisfaction-trend",
        _("Satisfaction by month"),
        [_("Month"), _("Satisfied (%)"), _("Ratings")],
        [list(row) for row in trend],
    )
    chart = {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 24, "top": 24, "bottom": 28},
        "xAxis": {"type": "category", "data": [row[0] for row in trend]},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        "series": [
            {
                "name": _("Satisfied (%)"),
                "type": "line",
                "symbol": "circle",
                "symbolSize": 8,
                "label": {"show": True},
                "data": [None if row[1] is None else float(row[1]) for row in trend],
            }
        ],
    }
    return {"halls": halls, "months": months, "chart": chart}


def honours_tables(figures: dict[str, Any]) -> dict[str, Any]:
    """The competition's tables: red-flag holders, each city's flags by category (shape and label) and
    the latest frozen round's ranking; empty when the competition has no frozen round here."""
    from minxin.insights.honours import categories

    if not figures:
        return {}
    names = {row["code"]: row["label"] for row in categories()}  # in the reader's language
    labels = {row["code"]: f"{row['shape']} {row['label']}" for row in categories()}
    holders = [{**row, "category_label": names[row["category"]]} for row in figures["holders"]]
    flags = Table(
        "flags",
        _("Red flags held now"),
        [_("Category"), _("Unit"), _("City"), _("Rank"), _("Total"), _("Round")],
        [
            [labels[row["category"]], row["unit"], row["city"], row["rank"], row["total"], row["round_label"]]
            for row in holders
        ],
    )
    cities = sorted({(row["city_code"], row["city"]) for row in figures["holders"]})
    by_city = Table(
        "flags-by-city",
        _("Red flags by city"),
        [_("City"), *labels.values()],
        [
            [name, *[figures["by_city"].get(code, {}).get(category, 0) for category in labels]]
            for code, name in cities
        ],
    )
    ranking = figures.get("ranking") or {}
    rank_table = Table(
        "ranking",
        ranking.get("label", _("Ranking")),
        [_("Rank"), _("Unit"), _("City"), _("Total")],
        [[row["rank"], row["unit"], row["city"], row["total"]] for row in ranking.get("rows", [])],
    )
    return {
        "figures": figures,
        "holders": holders,
        "labels": labels,
        "flags": flags,
        "by_city": by_city,
        "ranking": rank_table,
        "round": ranking.get("round", ""),
        "ranking_label": ranking.get("label", ""),
    }


def outlook_table(figures: dict[str, Any]) -> Table:
    """Each hall's 7 days: expected arrivals and predicted mean wait, then the city's."""
    header = [_("Hall")]
    for day in figures.get("days", []):
        header += [
            _("%(day)s arrivals") % {"day": day[5:]},
            _("%(day)s wait (min)") % {"day": day[5:]},
        ]
    rows: list[list[Any]] = []
    for hall in figures.get("halls", []):
        row: list[Any] = [hall["name"]]
        for cell in hall["days"]:
            row += [cell["arrivals"], cell["wait"]]
        rows.append(row)
    if figures.get("city"):
        total: list[Any] = [_("All halls")]
        for cell in figures["city"]:
            total += [cell["arrivals"], cell["wait"]]
        rows.append(total)
    return Table("outlook", _("The next 7 days"), header, rows)
