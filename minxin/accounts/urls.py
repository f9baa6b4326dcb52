from django.contrib.auth import views as auth_views
from django.urls import path

from minxin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/", views.staff_home, name="staff-home"),
    path("me/login/", views.citizen_login, name="citizen-login"),
    path("me/logout/", views.citizen_logout, name="citizen-logout"),
    path("me/", views.citizen_home, name="citizen-home"),
    path("devices/sign-in/", views.device_sign_in, name="device-sign-in"),
]
