"""Admin: the per-item-version case rules (step limits, yellow warning, baseline trips), the per-hall
settings (items required in the centre, number prefix), and read-only views of cases and their records.
Cases change only through the services (the pages and the API), so the admin shows them read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minxin.cases.models import Case, CaseHistory, HallCaseSettings, ItemRules, LightFlip


@admin.register(ItemRules)
class ItemRulesAdmin(admin.ModelAdmin[ItemRules]):
    list_display = ["version", "accept_days", "review_days", "decide_days", "yellow_days", "baseline_trips"]
    search_fields = ["version__name", "version__item__code"]
    raw_id_fields = ["version"]


@admin.register(HallCaseSettings)
class HallCaseSettingsAdmin(admin.ModelAdmin[HallCaseSettings]):
    list_display = ["hall", "required_items", "number_prefix"]


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryInline(admin.TabularInline[CaseHistory, Case]):
    model = CaseHistory
    fields = ["at", "action", "from_status", "to_status", "actor_label", "note"]
    readonly_fields = ["at", "action", "from_status", "to_status", "actor_label", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = [
        "number",
        "hall",
        "department",
        "status",
        "light",
        "accepted_on",
        "promised_due",
        "statutory_due",
    ]
    list_filter = ["status", "light", "hall"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    exclude = ["applicant"]
    inlines = [HistoryInline]


@admin.register(LightFlip)
class LightFlipAdmin(ReadOnly):
    list_display = ["at", "case", "department", "from_light", "to_light", "reason"]
    list_filter = ["to_light", "reason", "hall"]
    date_hierarchy = "at"
