from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minxin.appointments import checkin_views, kiosk_views, staff_views, views, visit_views

app_name = "appointments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("halls/<slug:code>/appointments/", views.booking_page, name="book"),
    path("halls/<slug:code>/forecast/", views.forecast_page, name="forecast"),
    path("halls/<slug:code>/home-visits/request/", views.visit_request_page, name="visit-request"),
    path("halls/<slug:code>/kiosk/appointment/", kiosk_views.kiosk_check_in, name="kiosk-check-in"),
    path("halls/<slug:code>/appointments/check-in/", checkin_views.check_in_page, name="check-in"),
    path("halls/<slug:code>/appointments/best-times/", views.best_times_fragment, name="best-times"),
    path("halls/<slug:code>/appointments/advice/", checkin_views.peak_advice_fragment, name="peak-advice"),
    path("appointments/<uuid:booking_id>/", views.booking_detail, name="booking"),
    path("appointments/<uuid:booking_id>/<slug:action>/", views.booking_action, name="booking-action"),
    path("me/appointments/", views.my_bookings, name="mine"),
    path("staff/halls/<slug:code>/appointments/", staff_views.staff_bookings, name="staff-bookings"),
    path("staff/halls/<slug:code>/appointments/book/", staff_views.staff_book, name="staff-book"),
    path(
        "staff/halls/<slug:code>/appointments/bars/<int:bar_id>/lift/",
        staff_views.bar_lift_view,
        name="bar-lift",
    ),
    path("staff/halls/<slug:code>/appointments/export.csv", staff_views.bookings_export, name="export"),
    path("staff/halls/<slug:code>/staffing/", staff_views.staffing_page, name="staffing"),
    path("staff/halls/<slug:code>/home-visits/", visit_views.visits_page, name="visits"),
    path("staff/halls/<slug:code>/home-visits/<uuid:visit_id>/", visit_views.visit_page, name="visit"),
    path(
        "staff/halls/<slug:code>/home-visits/<uuid:visit_id>/<slug:action>/",
        visit_views.visit_action,
        name="visit-action",
    ),
]
