"""Pages: the clerk's intake, a case's page with its back-office actions, printable notices, the
department inbox, supervision, metrics with exports, the citizen's cases and the public lookup.
Split by seam; `cases.urls` and everyone else import the views from here."""

from minxin.cases.views.case import case_action, case_page, notice_page
from minxin.cases.views.common import qr_svg
from minxin.cases.views.intake import intake_page
from minxin.cases.views.public import citizen_cases_page, lookup, public_case
from minxin.cases.views.reports import inbox_page, metrics_export, metrics_page, supervision_page

__all__ = [
    "case_action",
    "case_page",
    "citizen_cases_page",
    "inbox_page",
    "intake_page",
    "lookup",
    "metrics_export",
    "metrics_page",
    "notice_page",
    "public_case",
    "qr_svg",
    "supervision_page",
]
