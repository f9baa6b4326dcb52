from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.insights import views

app_name = "insights"
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/insights/", views.dashboard_home, name="home"),
    path("staff/insights/regions/<str:code>/", views.region_page, name="region"),
    path(
        "staff/insights/regions/<str:code>/export/<slug:table>.<slug:fmt>",
        views.region_export,
        name="region-export",
    ),
    path("staff/insights/regions/<str:code>/reports/", views.region_reports_page, name="region-reports"),
    path("staff/insights/halls/<slug:code>/reports/", views.hall_reports_page, name="hall-reports"),
    path("staff/insights/reports/<uuid:report_id>/", views.report_download, name="report-download"),
    path("wall/<str:code>/", views.wall_page, name="wall"),
    path("wall/<str:code>/data.json", views.wall_data, name="wall-data"),
    path("figures/", views.public_page, name="public"),
    path("figures/<str:code>/", views.public_page, name="public-region"),
]
