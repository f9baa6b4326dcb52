from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.competition import views

app_name = "competition"
urlpatterns: list[URLPattern | URLResolver] = [
    path("honour/", views.honour_board, name="honour"),
    path("honour/rounds/<uuid:round_id>/", views.round_ranking, name="ranking"),
    path("honour/units/<int:unit_id>/", views.unit_page, name="unit"),
    path("honour/flags/<uuid:award_id>/certificate/", views.certificate, name="certificate"),
    path("survey/<uuid:round_id>/<int:unit_id>/", views.survey, name="survey"),
    path("staff/competition/", views.staff_home, name="staff-home"),
    path("staff/competition/rounds/", views.round_open_view, name="round-open"),
    path("staff/competition/rounds/<uuid:round_id>/", views.round_page, name="round"),
    path("staff/competition/rounds/<uuid:round_id>/<slug:action>/", views.round_action, name="round-action"),
    path(
        "staff/competition/rounds/<uuid:round_id>/units/<int:unit_id>/", views.unit_score, name="unit-score"
    ),
    path(
        "staff/competition/rounds/<uuid:round_id>/units/<int:unit_id>/inspect/", views.inspect, name="inspect"
    ),
    path(
        "staff/competition/rounds/<uuid:round_id>/units/<int:unit_id>/<slug:action>/",
        views.unit_score_action,
        name="unit-score-action",
    ),
    path("staff/competition/flags/<uuid:award_id>/<slug:action>/", views.flag_action, name="flag-action"),
    path("staff/competition/titles/<uuid:title_id>/", views.title_action, name="title-action"),
]
