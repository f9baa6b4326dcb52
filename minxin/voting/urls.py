from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.voting import views

app_name = "voting"
urlpatterns: list[URLPattern | URLResolver] = [
    path("voting/", views.campaign_list, name="list"),
    path("voting/<uuid:campaign_id>/", views.campaign_page, name="campaign"),
    path("voting/<uuid:campaign_id>/verify/", views.verify_phone, name="verify"),
    path("voting/<uuid:campaign_id>/vote/", views.vote, name="vote"),
    path("voting/<uuid:campaign_id>/receipt/", views.receipt, name="receipt"),
    path("voting/<uuid:campaign_id>/receipt/check/", views.receipt_check, name="receipt-check"),
    path("voting/<uuid:campaign_id>/results/", views.results, name="results"),
    path("voting/<uuid:campaign_id>/results.<str:fmt>", views.results_export, name="export"),
    path("staff/voting/", views.staff_list, name="staff"),
    path("staff/voting/new/", views.staff_edit, name="staff-new"),
    path("staff/voting/<uuid:campaign_id>/", views.staff_campaign, name="staff-campaign"),
    path("staff/voting/<uuid:campaign_id>/edit/", views.staff_edit, name="staff-edit"),
    path("staff/voting/<uuid:campaign_id>/entry/", views.staff_entry, name="staff-entry"),
    path("staff/voting/<uuid:campaign_id>/audit/", views.staff_audit, name="staff-audit"),
]
