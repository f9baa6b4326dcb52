from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from minxin.accounts.models import Role, User
from minxin.catalog import search, sql
from minxin.catalog.default_synonyms import DEFAULT_SYNONYMS
from minxin.catalog.default_synonyms_pinyin import DEFAULT_SYNONYM_PINYIN
from minxin.catalog.models import (
    Department,
    ItemVersion,
    Material,
    SearchTerm,
    Synonym,
    Window,
    window_order,
)
from minxin.core import clock
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall


def current_versions(*, on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """The published version of each item in force on a date (today by default): a version published
    ahead of its start date stays hidden, and the one it replaces stays shown, until that date."""
    day = on or clock.local_today(settings.TIME_ZONE)
    return (
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("item__department__hall")
    )


def item_search(*, query: str = "", hall: Hall | None = None) -> QuerySet[ItemVersion]:
    versions = current_versions().filter(
        item__department__is_active=True, item__department__hall__is_active=True
    )
    if hall is not None:
        versions = versions.filter(item__department__hall=hall)
    for word in query.split():
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(item__code__icontains=word)
            | Q(item__department__name__icontains=word)
        )
    return versions.order_by("item__department__hall__name", "name", "item_id")


SYNONYM_MEMO = "catalog-synonyms"


def synonyms() -> dict[str, list[str]]:
    """The synonym table (term → catalog words): the defaults, overridden, added to or switched off by
    the admin's table; cached for a minute and dropped on change."""

    def load() -> dict[str, list[str]]:
        table = {term: words.split() for term, words in DEFAULT_SYNONYMS.items()}
        for synonym in Synonym.objects.all():
            term = search.normalize(synonym.term)
            if synonym.is_active:
                table[term] = synonym.words()
            else:
                table.pop(term, None)
        return table

    return memo((SYNONYM_MEMO,), 60, load)


def synonym_pinyin() -> dict[str, str]:
    """Each synonym term by its full pinyin, so typed pinyin finds it ("yingyezhizhao" → 营业执照). The
    defaults' come from data; only terms an administrator added are converted (loading pypinyin then)."""

    def load() -> dict[str, str]:
        defaults = {search.normalize(term) for term in DEFAULT_SYNONYMS}
        table = {spoken: term for spoken, term in DEFAULT_SYNONYM_PINYIN.items() if term in synonyms()}
        added = tuple(term for term in synonyms() if term not in defaults)
        if added:
            table.update({k: v for k, v in search.pinyin_terms(added).items() if k not in table})
        return table

    return memo((SYNONYM_MEMO, "pinyin"), 60, load)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """The filters of the service search; None means "any"."""

    hall: Hall | None = None
    department: str = ""
    online: bool | None = None
    appointment: bool | None = None
    max_trips: int | None = None
    audience: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.department
            or self.online is not None
            or self.appointment is not None
            or self.max_trips is not None
            or self.audience
        )


class VersionPage(Sequence[ItemVersion]):
    """Ranked item versions loaded only when a slice is read (a page of 20 out of hundreds): ranking
    reads plain rows; the full objects with their department and hall come for the page shown."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self._cache: dict[int, ItemVersion] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def count(self, value: object = None) -> int:  # Paginator calls count()
        return len(self.ids)

    def _load(self, ids: list[int]) -> list[ItemVersion]:
        missing = [pk for pk in ids if pk not in self._cache]
        if missing:
            for version in ItemVersion.objects.filter(pk__in=missing).select_related(
                "item__department__hall"
            ):
                self._cache[version.pk] = version
        return [self._cache[pk] for pk in ids if pk in self._cache]

    @overload
    def __getitem__(self, index: int) -> ItemVersion: ...
    @overload
    def __getitem__(self, index: slice) -> list[ItemVersion]: ...
    def __getitem__(self, index: int | slice) -> ItemVersion | list[ItemVersion]:
        if isinstance(index, slice):
            return self._load(self.ids[index])
        return self._load([self.ids[index]])[0]


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: search.Query
    versions: VersionPage

    @property
    def count(self) -> int:
        return len(self.versions)


def _filtered(filters: SearchFilters) -> QuerySet[ItemVersion]:
    versions = current_versions().filter(
        item__department__is_active=True, item__department__hall__is_active=True
    )
    if filters.hall is not None:
        versions = versions.filter(item__department__hall=filters.hall)
    if filters.department:
        versions = versions.filter(item__department__code=filters.department)
    if filters.online is not None:
        versions = versions.filter(online=filters.online)
    if filters.appointment is not None:
        versions = versions.filter(appointment=filters.appointment)
    if filters.max_trips is not None:
        versions = versions.filter(trips__lte=filters.max_trips)
    if filters.audience in {ItemVersion.Audience.PERSON, ItemVersion.Audience.COMPANY}:
        versions = versions.filter(audience__in=[filters.audience, ItemVersion.Audience.BOTH])
    return versions


def catalog_search(*, query: str, filters: SearchFilters | None = None) -> SearchResult:
    """Services for what a citizen typed, best first: segmented words, pinyin and initials, synonyms
    (catalog.search), ranked by how many of the query's words an item answers, where (name, department,
    materials) and its popularity. An empty query lists every service (by hall and name). On PostgreSQL
    the candidates come from the GIN-indexed tsvector; elsewhere from the stored segmented text. Ranking
    reads plain rows; the page shown loads its versions (synonyms are cached)."""
    filters = filters or SearchFilters()
    parsed = search.parse_query(query, synonyms(), synonym_pinyin())
    versions = _filtered(filters)
    if parsed.is_empty:
        ordered = versions.order_by("item__department__hall__name", "name", "item_id")
        return SearchResult(query=parsed, versions=VersionPage(list(ordered.values_list("pk", flat=True))))
    if sql.is_postgres():
        from django.contrib.postgres.search import SearchQuery

        raw = sql.tsquery_text(parsed.all_terms())
        versions = versions.filter(search_vector=SearchQuery(raw, search_type="raw", config="simple"))
    rows = versions.annotate(
        popularity=Coalesce(
            F("item__stat__views") + 2 * F("item__stat__searches") + 3 * F("item__stat__tickets"), 0
        )
    ).values_list("pk", "name", "search_text", "popularity")
    scored = []
    for pk, name, text, popularity in rows:
        result = search.score(parsed, search.Document.from_text(text), popularity=int(popularity), name=name)
        if result.found:
            scored.append((result, name, pk))
    # An item answering fewer of the query's words than the best one does not answer it (补办身份证 is
    # not 护照补发); when names answer it, items that only list it among their materials drop out.
    most = max((result.matched_groups for result, _name, _pk in scored), default=0)
    kept = [row for row in scored if row[0].matched_groups == most]
    if any(row[0].in_name for row in kept):
        kept = [row for row in kept if row[0].weakest >= search.WEIGHTS["department"]]
    kept.sort(key=lambda row: (-row[0].total, row[1], row[2]))
    return SearchResult(query=parsed, versions=VersionPage([pk for _result, _name, pk in kept]))


def search_suggestions(*, limit: int = 8) -> list[str]:
    """What others searched for and found something: offered when a search finds nothing."""
    return list(
        SearchTerm.objects.filter(last_results__gt=0)
        .order_by("-count", "query")
        .values_list("query", flat=True)[:limit]
    )


def popular_items(*, hall: Hall | None = None, limit: int = 8) -> list[ItemVersion]:
    """The high-frequency items (高频事项): most opened, found and taken numbers for; ties by name."""
    versions = _filtered(SearchFilters(hall=hall)).select_related("item__stat")
    ranked = versions.filter(item__stat__isnull=False).order_by(
        -(F("item__stat__views") + 2 * F("item__stat__searches") + 3 * F("item__stat__tickets")),
        "name",
    )
    chosen = list(ranked[:limit])
    if len(chosen) < limit:  # a new site: fill with items that need no trip or one, booked or online
        seen = {version.pk for version in chosen}
        extra = (
            versions.exclude(pk__in=seen)
            .filter(Q(online=True) | Q(appointment=True))
            .order_by("trips", "promised_days", "name")
        )
        chosen.extend(extra[: limit - len(chosen)])
    return chosen


def item_guide(*, public_id: str) -> ItemVersion | None:
    """The version in force of an item, with its materials, for the public guide page."""
    return (
        current_versions()
        .filter(item__public_id=public_id)
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position", "id")))
        .first()
    )


@dataclass(frozen=True, slots=True)
class HallDetail:
    hall: Hall
    departments: Sequence[Department]
    windows: Sequence[Window]
    item_count: int


def hall_detail(*, hall: Hall) -> HallDetail:
    departments = list(
        Department.objects.filter(hall=hall, is_active=True)
        .order_by("name")
        .prefetch_related(Prefetch("items__versions", queryset=current_versions(), to_attr="current"))
    )
    windows = list(
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("department")
        .prefetch_related("items")
        .order_by(*window_order())
    )
    item_count = (
        current_versions().filter(item__department__hall=hall, item__department__is_active=True).count()
    )
    return HallDetail(hall=hall, departments=departments, windows=windows, item_count=item_count)


def windows_for_clerk(*, user: User, hall: Hall) -> QuerySet[Window]:
    """Windows of `hall` where `user` may act as clerk: the ones assigned to them, or every window for a
    hall manager (who covers any window) and for a system administrator."""
    roles = staff_roles_in_hall(user=user, hall=hall)
    windows = (
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("department")
        .order_by(*window_order())
    )
    if roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}:
        return windows
    if Role.WINDOW_CLERK in roles:
        return windows.filter(clerks=user)
    return windows.none()


WINDOW_MEMO = "window"


def window_of_hall(*, hall: Hall, number: str) -> Window | None:
    """The active window `number` of `hall`, with its hall, unit and region; cached per process for half
    a minute (every call-next asks it) and dropped when windows or halls change in this process."""

    def load() -> Window | None:
        return (
            Window.objects.select_related("hall__unit__region")
            .filter(hall=hall, number=number, is_active=True)
            .first()
        )

    return memo((WINDOW_MEMO, hall.pk, number), 30, load)


def window_by_id(window_id: int) -> Window | None:
    """A window by primary key (active or not), cached like `window_of_hall`."""

    def load() -> Window | None:
        return Window.objects.select_related("hall__unit__region").filter(pk=window_id).first()

    return memo((WINDOW_MEMO, "id", window_id), 30, load)


def clerk_may_act_at_window(*, user: User, window: Window) -> bool:
    """Cached per process for half a minute (every call and finish asks it); dropped when windows,
    their clerks or memberships change in this process. A disabled account may act nowhere."""
    if not user.is_authenticated or not user.is_active:
        return False
    return memo(
        ("clerk-window", user.pk, window.pk),
        30,
        lambda: windows_for_clerk(user=user, hall=window.hall).filter(pk=window.pk).exists(),
    )


def departments_for_officer(*, user: User, hall: Hall) -> QuerySet[Department]:
    roles = staff_roles_in_hall(user=user, hall=hall)
    departments = Department.objects.filter(hall=hall, is_active=True).order_by("name")
    if roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}:
        return departments
    if Role.DEPARTMENT_OFFICER in roles:
        return departments.filter(officers=user)
    return departments.none()
