from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.cases import views

app_name = "cases"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/lookup/", views.lookup, name="lookup"),
    path("cases/c/<uuid:public_id>/", views.public_case, name="public"),
    path("me/cases/", views.citizen_cases_page, name="mine"),
    path("staff/halls/<slug:hall>/cases/new/", views.intake_page, name="intake"),
    path("staff/halls/<slug:hall>/cases/inbox/", views.inbox_page, name="inbox"),
    path("staff/halls/<slug:hall>/cases/supervision/", views.supervision_page, name="supervision"),
    path("staff/halls/<slug:hall>/cases/metrics/", views.metrics_page, name="metrics"),
    path("staff/halls/<slug:hall>/cases/metrics.<str:fmt>", views.metrics_export, name="metrics_export"),
    path("staff/cases/<uuid:public_id>/", views.case_page, name="case"),
    path("staff/cases/<uuid:public_id>/action/", views.case_action, name="action"),
    path("staff/cases/<uuid:public_id>/notice/<str:kind>/", views.notice_page, name="notice"),
]
