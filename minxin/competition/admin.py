from __future__ import annotations

from django.contrib import admin

from minxin.competition.models import (
    Dimension,
    FlagAward,
    FlagRule,
    Indicator,
    Round,
    Rubric,
    Title,
    TitleEvent,
    VetoItem,
)


class DimensionInline(admin.TabularInline[Dimension, Rubric]):
    model = Dimension
    extra = 0


class IndicatorInline(admin.TabularInline[Indicator, Rubric]):
    model = Indicator
    extra = 0
    fields = (
        "dimension",
        "code",
        "name",
        "points",
        "weight",
        "is_bonus",
        "method",
        "formula",
        "fallback",
        "deduction",
        "bands",
    )


class VetoItemInline(admin.TabularInline[VetoItem, Rubric]):
    model = VetoItem
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin[Rubric]):
    list_display = ("name", "code", "version", "category", "frozen_at")
    inlines = [DimensionInline, IndicatorInline, VetoItemInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # a version used by a round is frozen: read it, never change it
        if obj is not None and obj.frozen_at is not None:
            return [field.name for field in obj._meta.fields]
        return ["frozen_at"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    list_display = ("region", "category", "period_start", "period_end", "status")
    list_filter = ("status", "category")
    readonly_fields = ("rubric", "status", "opened_at", "computed_at", "frozen_at")


@admin.register(FlagRule)
class FlagRuleAdmin(admin.ModelAdmin[FlagRule]):
    list_display = (
        "region",
        "category",
        "red_min_score",
        "red_top_k",
        "red_quota_per_city",
        "black_bottom_k",
    )


@admin.register(FlagAward)
class FlagAwardAdmin(admin.ModelAdmin[FlagAward]):
    list_display = ("unit", "colour", "round", "rank", "total", "removed_at")
    list_filter = ("colour",)
    readonly_fields = [f.name for f in FlagAward._meta.fields]


class TitleEventInline(admin.TabularInline[TitleEvent, Title]):
    model = TitleEvent
    extra = 0
    readonly_fields = ("step", "decision", "decided_on", "actor", "round", "at")
    can_delete = False


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin[Title]):
    list_display = ("unit", "name", "granted_on", "status")
    list_filter = ("status",)
    readonly_fields = ("status",)
    inlines = [TitleEventInline]
