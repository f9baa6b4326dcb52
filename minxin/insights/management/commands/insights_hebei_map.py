"""Write the schematic map of Hebei's cities (minxin/insights/static/insights/hebei-schematic.json)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minxin.insights.geo import MAP_PATH, map_text


class Command(BaseCommand):
    help = "Generate the schematic GeoJSON of Hebei's 11 cities drawn by the wall screen."

    def handle(self, *args: Any, **options: Any) -> None:
        MAP_PATH.write_text(map_text(), encoding="utf-8")
        self.stdout.write(f"wrote {MAP_PATH}")
