from django.urls import path

from minxin.queueing import views

app_name = "queueing"
urlpatterns = [
    path("tickets/<uuid:ticket_id>/", views.ticket_page, name="ticket"),
    path("halls/<slug:code>/status/", views.hall_status, name="hall-status"),
    path("staff/halls/<slug:code>/windows/<str:number>/", views.window_desk, name="window"),
    path("staff/halls/<slug:code>/windows/<str:number>/<slug:action>/", views.window_action, name="window-action"),
]
