from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.feedback import device, views, views_staff

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("rate/<str:token>/", views.rate_page, name="rate"),
    path("me/ratings/", views.my_ratings, name="my-ratings"),
    path("halls/<slug:code>/ratings/", views.hall_disclosure, name="hall-disclosure"),
    path("regions/<str:code>/ratings/", views.city_disclosure, name="city-disclosure"),
    path("honours/", views.honours_page, name="honours"),
    path("halls/<slug:code>/rating-device/<str:number>/", device.device_page, name="device"),
    path("halls/<slug:code>/rating-device/<str:number>/clerk/", device.device_clerk, name="device-clerk"),
    path(
        "halls/<slug:code>/rating-device/<str:number>/pending/", device.device_pending, name="device-pending"
    ),
    path("halls/<slug:code>/rating-device/<str:number>/rate/", device.device_rate, name="device-rate"),
    path("staff/feedback/", views_staff.rectification_list, name="staff-rectifications"),
    path("staff/feedback/<uuid:public_id>/", views_staff.rectification_detail, name="staff-rectification"),
    path("staff/halls/<slug:code>/ratings/", views_staff.hall_ratings, name="staff-hall-ratings"),
    path("staff/halls/<slug:code>/honours/", views_staff.hall_honours, name="staff-honours"),
    path("staff/nominations/", views_staff.nomination_list, name="staff-nominations"),
]
