"""Import and export of a hall's items as CSV or XLSX (linked from the admin and the staff hall page)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.models import Role, User
from minxin.catalog import tabular
from minxin.catalog.selectors import current_versions
from minxin.catalog.services import items_import
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _managed_hall(request: HttpRequest, code: str) -> tuple[Hall, User]:
    hall = hall_for(
        code=code,
        user=request.user,
        roles=[Role.HALL_MANAGER],
        refusal=_("Only the hall's managers may import or export its catalog."),
    )
    assert isinstance(request.user, User)
    return hall, request.user


@login_required
def items_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    hall, user = _managed_hall(request, code)
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Unknown format."))
    versions = (
        current_versions()
        .filter(item__department__hall=hall)
        .select_related("item__department")
        .prefetch_related("materials")
        .order_by("item__department__code", "item__code")
    )
    table = tabular.export_table(versions)
    audit_record(
        actor=user,
        action="items.exported",
        target=hall,
        details={"format": fmt, "rows": len(table) - 1},
        request=request,
    )
    stamp = clock.local_today(hall.time_zone).isoformat()
    if fmt == "csv":
        response = HttpResponse(tabular.write_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tabular.write_xlsx(table), content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{hall.code}-items-{stamp}.{fmt}"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    valid_from = forms.DateField(
        label=gettext_lazy("New versions valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def items_import_view(request: HttpRequest, code: str) -> HttpResponse:
    hall, user = _managed_hall(request, code)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"valid_from": clock.local_today(hall.time_zone)}
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise InvalidInput(_("The file is larger than 5 MB."))
            data = upload.read()
            name = upload.name.lower()
            if name.endswith(".xlsx"):
                table = tabular.read_xlsx(data)
            elif name.endswith(".csv"):
                table = tabular.read_csv(data)
            else:
                raise InvalidInput(_("Upload a .csv or .xlsx file."))
            rows = list(tabular.rows_from_table(table))
            report = items_import(
                hall=hall, rows=rows, valid_from=form.cleaned_data["valid_from"], actor=user
            )
        except InvalidInput as error:
            errors = [error.message]
        else:
            errors = report.errors
            if not errors:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
                    % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
                )
                return redirect("catalog:staff-hall", code=hall.code)
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request, "catalog/items_import.html", {"hall": hall, "form": form, "errors": errors}, status=status
    )
