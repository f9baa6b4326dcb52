from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.watch import desk_views, report_views, views

app_name = "watch"
urlpatterns: list[URLPattern | URLResolver] = [
    path("watch/", views.home, name="home"),
    path("watch/sw.js", views.service_worker, name="sw"),
    path("watch/manifest.webmanifest", views.manifest, name="manifest"),
    path("watch/posts/<uuid:post_id>/", views.post_page, name="post"),
    path("watch/posts/<uuid:post_id>/<str:action>/", desk_views.post_action, name="post-action"),
    path("watch/posts/<uuid:post_id>/log/<int:year>/<int:month>/", report_views.duty_log, name="duty-log"),
    path("watch/desk/", desk_views.desk, name="desk"),
    path("watch/board/", views.board, name="board"),
    path("watch/incidents/", views.incident_list, name="incidents"),
    path("watch/incidents/<uuid:incident_id>/", views.incident_page, name="incident"),
    path("watch/reports/", report_views.report, name="report"),
    path("watch/reports/export.<str:fmt>", report_views.report_export, name="report-export"),
]
