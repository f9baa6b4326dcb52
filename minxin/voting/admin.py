"""Administration: campaigns and their candidates (pictures are uploaded here). Ballots have no admin
page on purpose: nobody, administrators included, lists who voted for what. Once voting has opened the
rules are frozen here too (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minxin.voting.models import Campaign, Candidate


class CandidateInline(admin.TabularInline[Candidate, Campaign]):
    model = Candidate
    extra = 0
    fields = ("number", "name", "category", "cost", "location", "latitude", "longitude", "image")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.rules_frozen) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.rules_frozen) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.rules_frozen) and super().has_delete_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ("title", "region", "state", "opens_at", "closes_at")
    list_filter = ("state", "result_rule")
    search_fields = ("title",)
    readonly_fields = (
        "public_id",
        "state",
        "created_by",
        "created_at",
        "opened_at",
        "closed_at",
        "published_at",
    )
    inlines = [CandidateInline]

    def has_change_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return not (obj is not None and obj.rules_frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return False  # ballots point at it; a campaign is history
