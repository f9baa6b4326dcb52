from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from minxin.accounts.models import User
from minxin.core.audit import audit_record
from minxin.orgs.models import Hall, HallClosure, OpeningHours, Region, StaffMembership, Unit
from minxin.orgs.services import membership_revoke


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        obj.path = f"{obj.parent.path if obj.parent else ''}{obj.code}/"
        super().save_model(request, obj, form, change)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["name", "kind", "flag_category", "region", "is_active"]
    list_filter = ["kind", "flag_category", "region"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]


class OpeningHoursInline(admin.TabularInline[OpeningHours, Hall]):
    model = OpeningHours
    extra = 0


class HallClosureInline(admin.TabularInline[HallClosure, Hall]):
    model = HallClosure
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin[Hall]):
    list_display = ["name", "code", "unit", "time_zone", "is_active"]
    list_filter = ["is_active", "unit__region"]
    search_fields = ["name", "code", "address"]
    autocomplete_fields = ["unit"]
    inlines = [OpeningHoursInline, HallClosureInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin[StaffMembership]):
    list_display = ["user", "role", "region", "unit", "hall", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user", "region", "unit", "hall"]

    def save_model(self, request: HttpRequest, obj: StaffMembership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="membership.saved",
            target=obj,
            details={"role": obj.role},
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: StaffMembership) -> None:
        assert isinstance(request.user, User)
        membership_revoke(membership=obj, actor=request.user, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StaffMembership]) -> None:
        """The bulk delete action: each membership revoked through the service, each audited."""
        assert isinstance(request.user, User)
        with transaction.atomic():
            for membership in queryset.select_related("user"):
                membership_revoke(membership=membership, actor=request.user, request=request)
