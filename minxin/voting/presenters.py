"""What the pages show, built from models and results: the letter as safe HTML, the map and the charts
(ECharts options as plain data, drawn by minxin/js/charts.js from our own static files)."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minxin.voting.models import Campaign, Candidate, Channel

PALETTE = ["#1d4f91", "#b3121e", "#19692c", "#8a5a00", "#6a1b9a", "#00695c", "#c2185b", "#455a64"]


def letter_html(text: str) -> SafeString:
    """The open letter: escaped first, then paragraphs, `## ` headings and `- ` list items."""
    blocks: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines and lines[0].startswith("## "):
            blocks.append(f"<h3>{escape(lines[0][3:])}</h3>")
            lines = lines[1:]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{'<br>'.join(escape(line) for line in lines)}</p>")
    return mark_safe("".join(blocks))  # noqa: S308 - every piece is escaped above


def category_colours(candidates: list[Candidate]) -> dict[str, str]:
    colours: dict[str, str] = {}
    for candidate in candidates:
        if candidate.category not in colours:
            colours[candidate.category] = PALETTE[len(colours) % len(PALETTE)]
    return colours


def map_option(candidates: list[Candidate]) -> dict[str, Any] | None:
    """A plain positioned map: longitude/latitude as axes, one point per project, no tile server."""
    placed = [c for c in candidates if c.latitude is not None and c.longitude is not None]
    if not placed:
        return None
    colours = category_colours(candidates)
    series = []
    for category, colour in colours.items():
        points = [
            {"value": [float(c.longitude), float(c.latitude)], "name": f"{c.number}. {c.name}"}  # type: ignore[arg-type]
            for c in placed
            if c.category == category
        ]
        if points:
            series.append(
                {
                    "type": "scatter",
                    "name": category,
                    "data": points,
                    "symbolSize": 14,
                    "itemStyle": {"color": colour},
                    "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 10},
                    "labelLayout": {"hideOverlap": True},
                }
            )
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 8, "right": 8, "top": 8, "bottom": 40, "containLabel": False},
        "xAxis": {"type": "value", "scale": True, "show": False},
        "yAxis": {"type": "value", "scale": True, "show": False},
        "series": series,
    }


def results_charts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ranking = data["ranking"][:30]
    names = [f"{row['candidate']}. {row['name']}" for row in reversed(ranking)]
    funded = set(
        data["funded"]["equal_shares"] if data["rule"] == "equal_shares" else data["funded"]["greedy"]
    )
    votes_chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": names, "axisLabel": {"width": 180, "overflow": "truncate"}},
        "series": [
            {
                "type": "bar",
                "name": _("Votes"),
                "data": [
                    {
                        "value": row["votes"],
                        "itemStyle": {"color": "#19692c" if row["candidate"] in funded else "#1d4f91"},
                    }
                    for row in reversed(ranking)
                ],
            }
        ],
    }
    channels = dict(Channel.choices)
    channel_chart = {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [
                    {"name": str(channels.get(key, key)), "value": value}
                    for key, value in sorted(data["ballots_by_channel"].items())
                ],
            }
        ],
    }
    category_chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 8, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": list(data["categories"]),
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "name": _("Votes"), "data": list(data["categories"].values())}],
    }
    return {"votes": votes_chart, "channels": channel_chart, "categories": category_chart}


def rule_text(campaign: Campaign) -> str:
    if campaign.ballot_kind == "ranking":
        return _("Rank up to %(max)d projects in your order of preference (at least %(min)d).") % {
            "min": campaign.min_choices,
            "max": campaign.max_choices,
        }
    if campaign.ballot_kind == "budget":
        return _("Choose %(min)d to %(max)d projects costing together at most %(budget)s yuan.") % {
            "min": campaign.min_choices,
            "max": campaign.max_choices,
            "budget": f"{campaign.ballot_budget:,.0f}",
        }
    return _("Choose %(min)d to %(max)d projects.") % {
        "min": campaign.min_choices,
        "max": campaign.max_choices,
    }
