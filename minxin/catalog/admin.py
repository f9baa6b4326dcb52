from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.models import User
from minxin.catalog.models import (
    Department,
    EnglishName,
    ItemStat,
    ItemVersion,
    Material,
    SearchTerm,
    ServiceItem,
    Synonym,
    Window,
)
from minxin.catalog.services import item_version_publish
from minxin.core import clock
from minxin.core.errors import DomainError


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "code", "hall", "stationed_on", "is_active"]
    list_filter = ["hall", "is_active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["officers"]
    autocomplete_fields = ["unit"]


class MaterialInline(admin.TabularInline[Material, ItemVersion]):
    model = Material
    extra = 0

    def _editable(self, obj: ItemVersion | None) -> bool:
        return obj is None or obj.status == ItemVersion.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin[ItemVersion]):
    """Drafts are edited here; a published version is shown read-only (it is immutable)."""

    list_display = [
        "name",
        "item",
        "number",
        "status",
        "valid_from",
        "valid_to",
        "promised_days",
        "statutory_days",
    ]
    list_filter = ["status", "item__department__hall", "kind", "online", "appointment", "mail_delivery"]
    search_fields = ["name", "item__code"]
    autocomplete_fields = ["item"]
    inlines = [MaterialInline]
    actions = ["publish_today"]

    def get_readonly_fields(self, request: HttpRequest, obj: ItemVersion | None = None) -> list[str]:
        base = ["status", "valid_from", "valid_to", "published_at"]
        if obj is not None and obj.status == ItemVersion.Status.PUBLISHED:
            return [field.name for field in ItemVersion._meta.fields]
        return base

    def has_delete_permission(self, request: HttpRequest, obj: ItemVersion | None = None) -> bool:
        return (obj is None or obj.status == ItemVersion.Status.DRAFT) and super().has_delete_permission(
            request, obj
        )

    @admin.action(description=gettext_lazy("Publish the selected drafts from today"))
    def publish_today(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        assert isinstance(request.user, User)
        for version in queryset.filter(status=ItemVersion.Status.DRAFT).select_related(
            "item__department__hall"
        ):
            today: dt.date = clock.local_today(version.item.department.hall.time_zone)
            try:
                item_version_publish(version=version, valid_from=today, actor=request.user)
            except DomainError as error:
                messages.error(
                    request, _("%(version)s: %(message)s") % {"version": version, "message": error.message}
                )
            else:
                messages.success(request, _("Published %(version)s.") % {"version": version})


class ItemVersionInline(admin.TabularInline[ItemVersion, ServiceItem]):
    model = ItemVersion
    fields = ("number", "name", "status", "valid_from", "valid_to")
    readonly_fields = ("number", "name", "status", "valid_from", "valid_to")
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin[ServiceItem]):
    change_list_template = "admin/catalog/serviceitem/change_list.html"
    list_display = ["code", "current_name", "department"]
    list_filter = ["department__hall"]
    search_fields = ["code", "versions__name"]
    autocomplete_fields = ["department"]
    inlines = [ItemVersionInline]

    @admin.display(description=gettext_lazy("name"))
    def current_name(self, obj: ServiceItem) -> str:
        versions = list(obj.versions.all())  # prefetched: no query per row
        return max(versions, key=lambda version: version.number).name if versions else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceItem]:
        return (
            super().get_queryset(request).select_related("department").prefetch_related("versions").distinct()
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from minxin.orgs.models import Hall

        context = {"halls": Hall.objects.filter(is_active=True).order_by("name")} | (extra_context or {})
        return super().changelist_view(request, extra_context=context)


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin[Window]):
    list_display = ["number", "name", "hall", "kind", "department", "is_active"]
    list_filter = ["hall", "kind", "is_active"]
    search_fields = ["number", "name"]
    filter_horizontal = ["items", "clerks"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin[Synonym]):
    """The search's synonym table: what people type → the catalog's words (营业执照 → 企业设立登记)."""

    list_display = ["term", "expansions", "is_active"]
    list_editable = ["expansions", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["term", "expansions"]


@admin.register(SearchTerm)
class SearchTermAdmin(admin.ModelAdmin[SearchTerm]):
    """What people search for; filter on "results last time = 0" to find the synonyms still missing."""

    list_display = ["query", "count", "last_results", "last_searched"]
    list_filter = ["last_results"]
    search_fields = ["query"]
    readonly_fields = ["query", "count", "last_results", "last_searched"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ItemStat)
class ItemStatAdmin(admin.ModelAdmin[ItemStat]):
    list_display = ["item", "views", "searches", "tickets"]
    search_fields = ["item__code", "item__versions__name"]
    readonly_fields = ["item", "views", "searches", "tickets"]


@admin.register(EnglishName)
class EnglishNameAdmin(admin.ModelAdmin[EnglishName]):
    """English names of halls, departments, items, services and windows, shown on English pages."""

    list_display = ["chinese", "english"]
    list_editable = ["english"]
    search_fields = ["chinese", "english"]
