from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from minxin.queueing.models import (
    Queue,
    QueueRules,
    Service,
    Ticket,
    TicketEvent,
    WindowState,
    WorkProfile,
    WorkProfileQueue,
)


@admin.register(QueueRules)
class QueueRulesAdmin(admin.ModelAdmin[QueueRules]):
    list_display = [
        "hall",
        "remote_enabled",
        "remote_lapse_minutes",
        "rejoin_minutes",
        "recall_limit",
        "notify_ahead",
        "crowd_alert_waiting",
    ]


class ServiceInline(admin.TabularInline[Service, Queue]):
    model = Service
    extra = 0
    fields = ["code", "name", "daily_quota", "remote_allowed", "position", "is_active"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin[Queue]):
    list_display = ["prefix", "name", "hall", "position", "is_active"]
    list_filter = ["hall", "is_active"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["name", "code", "hall", "queue", "daily_quota", "remote_allowed", "is_active"]
    list_filter = ["hall", "remote_allowed", "is_active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["items"]


class WorkProfileQueueInline(admin.TabularInline[WorkProfileQueue, WorkProfile]):
    model = WorkProfileQueue
    extra = 1


@admin.register(WorkProfile)
class WorkProfileAdmin(admin.ModelAdmin[WorkProfile]):
    list_display = ["window", "strategy"]
    list_filter = ["strategy", "window__hall"]
    inlines = [WorkProfileQueueInline]


@admin.register(WindowState)
class WindowStateAdmin(admin.ModelAdmin[WindowState]):
    list_display = ["window", "status", "clerk", "since"]
    list_filter = ["status", "window__hall"]


class TicketEventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "channel", "window", "details"]
    readonly_fields = ["at", "kind", "actor", "channel", "window", "details"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    """Tickets change only through the queue's services (calling, finishing…); here they are read."""

    list_display = [
        "number",
        "hall",
        "service",
        "status",
        "channel",
        "priority",
        "issued_at",
        "called_at",
        "window",
    ]
    list_filter = ["hall", "status", "channel", "priority", "service_date", "queue", "service"]
    list_select_related = ["hall", "service", "window"]
    search_fields = ["number", "hall__name", "hall__code"]
    date_hierarchy = "issued_at"
    inlines = [TicketEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Ticket | None = None) -> list[str]:
        return [field.name for field in Ticket._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False
