from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("")


lookup = public_case = citizen_cases_page = intake_page = inbox_page = _todo
supervision_page = metrics_page = metrics_export = case_page = case_action = notice_page = _todo
