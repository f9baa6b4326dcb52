from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.core.errors import InvalidInput
from minxin.core.models import AuditEntry, CalendarDay, CalendarYear
from minxin.core.workdays import calendar_rows_parse, calendar_year_load


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "ip"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=1990, max_value=2200)
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One line per exception: date (YYYY-MM-DD), type (holiday or workday), name. Replaces the "
            "year's exceptions and marks the year complete."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("source"), max_length=200, required=False, initial="国务院办公厅通知"
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    """A year's arrangement: mark it complete once its holidays (休) and make-up working days (班) are
    entered as calendar exceptions, or import them from a CSV in one step."""

    list_display = ["year", "is_complete", "source", "updated_at"]
    list_filter = ["is_complete"]
    change_list_template = "admin/core/calendaryear/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="core_calendaryear_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload: Any = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
                rows = calendar_rows_parse(text)
                count = calendar_year_load(
                    year=form.cleaned_data["year"], rows=rows, source=form.cleaned_data["source"] or "CSV"
                )
            except UnicodeDecodeError:
                form.add_error("file", _("The file must be UTF-8 text."))
            except InvalidInput as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    _("%(count)d exceptions loaded; %(year)d is now complete.")
                    % {"count": count, "year": form.cleaned_data["year"]},
                )
                return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Import a year's holidays and make-up working days"),
        }
        return TemplateResponse(request, "admin/core/calendaryear/import.html", context)
