"""Writes that serve search: the segmented text of published versions, popularity counters and the
terms people search for. Split from catalog.services (which calls `search_index` on publish)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, models, transaction

from minxin.catalog import search, sql
from minxin.catalog.models import ItemStat, ItemVersion, SearchTerm, ServiceItem
from minxin.core import clock


def search_index(*, version_ids: Iterable[int] | None = None) -> int:
    """Recompute the segmented search text (and on PostgreSQL the weighted tsvector) of the given
    versions, or of every version. Called when a version is published; `manage.py catalog_reindex`
    runs it for all after the segmentation or the dictionary changes."""
    versions = ItemVersion.objects.select_related("item__department").prefetch_related("materials")
    if version_ids is not None:
        versions = versions.filter(pk__in=list(version_ids))
    count = 0
    for version in versions:
        department = version.item.department
        doc = search.document(
            name=version.name,
            department=f"{department.name} {department.short_name}",
            materials=[material.name for material in version.materials.all()],
            conditions=version.conditions,
        )
        ItemVersion.objects.filter(pk=version.pk).update(search_text=doc.text())
        name, department_text, body = search.vector_fields(doc)
        sql.set_search_vector(version_id=version.pk, name=name, department=department_text, body=body)
        count += 1
    return count


def _bump(item_id: int, field_name: str) -> None:
    """+1 on one popularity counter: a conditional update, and the row made on first use."""
    if ItemStat.objects.filter(item_id=item_id).update(**{field_name: models.F(field_name) + 1}):
        return
    try:
        with transaction.atomic():
            ItemStat.objects.create(item_id=item_id, **{field_name: 1})
    except IntegrityError:  # made by a concurrent request in between
        ItemStat.objects.filter(item_id=item_id).update(**{field_name: models.F(field_name) + 1})


def item_stat_record_view(*, item: ServiceItem, from_search: bool = False) -> None:
    """A citizen opened an item's guide (from a search result or not)."""
    _bump(item.pk, "searches" if from_search else "views")


def item_stat_record_tickets(*, counts: dict[int, int]) -> None:
    """Numbers taken per item id (from the queue, which sits above the catalog): set, not added, so a
    daily recount is idempotent."""
    with transaction.atomic():
        for item_id, tickets in counts.items():
            if not ItemStat.objects.filter(item_id=item_id).update(tickets=tickets):
                ItemStat.objects.get_or_create(item_id=item_id, defaults={"tickets": tickets})


def search_term_record(*, query: str, results: int) -> None:
    """Count what people search for (normalised, at most 100 characters) and what the last one found."""
    text = search.normalize(query)[:100]
    if not text:
        return
    now = clock.now()
    if SearchTerm.objects.filter(query=text).update(
        count=models.F("count") + 1, last_results=results, last_searched=now
    ):
        return
    try:
        with transaction.atomic():
            SearchTerm.objects.create(query=text, count=1, last_results=results, last_searched=now)
    except IntegrityError:
        SearchTerm.objects.filter(query=text).update(
            count=models.F("count") + 1, last_results=results, last_searched=now
        )
