"""The metrics page's charts (ECharts options, each with a table beside it) and its CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from minxin.cases.models import CaseStatus, Light

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATE_KEYS = (
    "entry_rate",
    "materials_cut_rate",
    "time_limit_cut_rate",
    "zero_trip_item_share",
    "one_trip_item_share",
    "on_time_rate",
    "speed_up_rate",
    "one_visit_rate",
)


def metric_labels() -> dict[str, str]:
    return {
        "entry_rate": _("Entry rate"),
        "materials_cut_rate": _("Materials cut"),
        "time_limit_cut_rate": _("Time-limit cut"),
        "trips_saved": _("Trips saved"),
        "zero_trip_item_share": _("Items at zero trips"),
        "one_trip_item_share": _("Items at one trip at most"),
        "on_time_rate": _("On-time rate"),
        "speed_up_rate": _("Actual speed-up"),
        "one_visit_rate": _("One-visit rate"),
    }


def percent(value: Decimal) -> Decimal:
    return (value * 100).quantize(Decimal("0.01"))


def _bar_option(names: list[str], values: list[Any], *, left: int, **axis: Any) -> dict[str, Any]:
    """A horizontal bar chart, one bar per name, its value written at the bar's end."""
    label: dict[str, Any] = {"show": True, "position": "right"}
    if "formatter" in axis:
        label["formatter"] = axis.pop("formatter")
    return {
        "grid": {"left": left, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", **axis},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [{"type": "bar", "data": values, "label": label}],
        "tooltip": {"trigger": "axis"},
    }


def _light_option(metrics: dict[str, Any]) -> dict[str, Any]:
    colours = {"none": "#4caf50", "yellow": "#f5b800", "red": "#d32f2f"}
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "data": [
                    {"name": str(Light(key).label), "value": count, "itemStyle": {"color": colours[key]}}
                    for key, count in metrics["cases_by_light"].items()
                ],
            }
        ],
    }


def _monthly_option(monthly: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 60},
        "xAxis": {"type": "category", "data": [row["month"] for row in monthly]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": _("Received"), "type": "bar", "data": [row["received"] for row in monthly]},
            {"name": _("Decided"), "type": "bar", "data": [row["decided"] for row in monthly]},
            {"name": _("Decided on time"), "type": "line", "data": [row["on_time"] for row in monthly]},
        ],
    }


def chart_context(metrics: dict[str, Any], *, monthly: list[dict[str, Any]]) -> dict[str, Any]:
    labels = metric_labels()
    rates = [(labels[key], percent(metrics[key])) for key in RATE_KEYS]
    statuses = [(str(CaseStatus(key).label), count) for key, count in metrics["cases_by_status"].items()]
    lights = [(str(Light(key).label), count) for key, count in metrics["cases_by_light"].items()]
    return {
        "rates": rates,
        "statuses": statuses,
        "lights": lights,
        "monthly": monthly,
        "labels": labels,
        "rates_option": _bar_option(
            [name for name, _v in rates],
            [float(v) for _n, v in rates],
            left=140,
            max=100,
            axisLabel={"formatter": "{value}%"},
            formatter="{c}%",
        ),
        "status_option": _bar_option(
            [name for name, _c in statuses], [c for _n, c in statuses], left=130, minInterval=1
        ),
        "light_option": _light_option(metrics),
        "monthly_option": _monthly_option(monthly),
    }


def metrics_table(metrics: dict[str, Any]) -> list[list[Any]]:
    labels = metric_labels()
    table: list[list[Any]] = [[_("Metric"), _("Key"), _("Value")]]
    for key in (*RATE_KEYS[:3], "trips_saved", *RATE_KEYS[3:]):
        table.append([labels[key], key, str(metrics[key])])
    for key, count in metrics["cases_by_status"].items():
        table.append([str(CaseStatus(key).label), f"cases_by_status.{key}", count])
    for key, count in metrics["cases_by_light"].items():
        table.append([str(Light(key).label), f"cases_by_light.{key}", count])
    return table


def write_csv(metrics: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(metrics_table(metrics))
    return buffer.getvalue().encode("utf-8-sig")  # with BOM so Excel opens Chinese text correctly


def write_xlsx(metrics: dict[str, Any], monthly: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Metrics")
    for row in metrics_table(metrics):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    months = workbook.create_sheet(_("By month"))
    months.append(
        [_("Month"), _("Received"), _("Accepted"), _("Decided"), _("Decided on time"), _("Trips saved")]
    )
    for month in monthly:
        months.append(
            [
                month["month"],
                month["received"],
                month["accepted"],
                month["decided"],
                month["on_time"],
                month["trips_saved"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
