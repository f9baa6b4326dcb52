"""Admin pages: richer duty plans (seasons, escalation stages), posts and their staff; the history is
read-only here (flips, check-ins, missed slots are append-only)."""

from __future__ import annotations

from django.contrib import admin

from minxin.watch.models import (
    CheckIn,
    DangerLevel,
    DutyPlan,
    Escalation,
    EscalationStage,
    FireIncident,
    Flip,
    MissedSlot,
    Post,
    PostStaff,
    Season,
)


class SeasonInline(admin.TabularInline[Season, DutyPlan]):
    model = Season
    extra = 0


class StageInline(admin.TabularInline[EscalationStage, DutyPlan]):
    model = EscalationStage
    extra = 0


@admin.register(DutyPlan)
class DutyPlanAdmin(admin.ModelAdmin[DutyPlan]):
    list_display = ("name", "unit", "season_day_minutes", "season_night_minutes", "daylight", "grace_minutes")
    inlines = (SeasonInline, StageInline)


class StaffInline(admin.TabularInline[PostStaff, Post]):
    model = PostStaff
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ("name", "unit", "state", "next_due_at", "last_check_in_at", "is_active")
    list_filter = ("state", "unit")
    search_fields = ("name",)
    readonly_fields = (
        "state",
        "next_due_at",
        "alert_at",
        "revision",
        "last_check_in_at",
        "escalation",
        "created_at",
    )
    inlines = (StaffInline,)


@admin.register(DangerLevel)
class DangerLevelAdmin(admin.ModelAdmin[DangerLevel]):
    list_display = ("region", "level", "starts_at", "ends_at", "set_by")


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly):
    list_display = ("post", "status", "channel", "made_at", "received_at", "late")
    list_filter = ("status", "channel", "late")


@admin.register(Flip)
class FlipAdmin(ReadOnly):
    list_display = ("post", "at", "old_state", "new_state", "reason")


@admin.register(MissedSlot)
class MissedSlotAdmin(ReadOnly):
    list_display = ("post", "local_date", "slot_start", "slot_end", "covered_by")


@admin.register(Escalation)
class EscalationAdmin(ReadOnly):
    list_display = ("post", "opened_at", "stages_done", "acknowledged_at", "acknowledged_by", "closed_at")


@admin.register(FireIncident)
class FireIncidentAdmin(ReadOnly):
    list_display = ("number", "status", "first_report_at", "method", "uncertainty_m", "acknowledged_at")
