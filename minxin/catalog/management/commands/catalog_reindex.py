from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minxin.catalog.indexing import search_index


class Command(BaseCommand):
    help = "Recompute the search text (and on PostgreSQL the tsvector) of every item version."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_index()
        self.stdout.write(f"{count} versions indexed")
