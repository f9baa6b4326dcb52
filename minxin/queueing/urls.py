from django.urls import path

from minxin.queueing import board, check_in, kiosk, report_views, views

app_name = "queueing"
urlpatterns = [
    path("me/numbers/", views.my_numbers, name="my-numbers"),
    path("tickets/<uuid:ticket_id>/", views.ticket_page, name="ticket"),
    path("halls/<slug:code>/status/", views.hall_status, name="hall-status"),
    path("halls/<slug:code>/take/", views.take_remote, name="take-remote"),
    path("halls/<slug:code>/check-in/", check_in.hall_check_in, name="hall-check-in"),
    path("staff/halls/<slug:code>/check-in-poster/", views.check_in_poster, name="check-in-poster"),
    path("tickets/<uuid:ticket_id>/<slug:action>/", views.ticket_citizen_action, name="ticket-action"),
    path("staff/halls/<slug:code>/overview/", report_views.hall_overview_page, name="hall-overview"),
    path("staff/halls/<slug:code>/queue-report/", report_views.queue_report_page, name="queue-report"),
    path(
        "staff/halls/<slug:code>/queue-report/export.<str:fmt>",
        report_views.queue_report_export,
        name="queue-report-export",
    ),
    path("halls/<slug:code>/kiosk/", kiosk.kiosk_page, name="kiosk"),
    path("halls/<slug:code>/kiosk/take/", kiosk.kiosk_take, name="kiosk-take"),
    path("halls/<slug:code>/kiosk/ticket/<uuid:ticket_id>/", kiosk.kiosk_ticket, name="kiosk-ticket"),
    path("halls/<slug:code>/kiosk/check-in/", kiosk.kiosk_check_in, name="kiosk-check-in"),
    path("halls/<slug:code>/board/", board.board_page, name="board"),
    path("staff/halls/<slug:code>/windows/<str:number>/", views.window_desk, name="window"),
    path(
        "staff/halls/<slug:code>/windows/<str:number>/<slug:action>/",
        views.window_action,
        name="window-action",
    ),
]
