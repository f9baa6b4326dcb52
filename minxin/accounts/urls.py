from django.contrib.auth import views as auth_views
from django.urls import path

from minxin.accounts import views, views_twofactor

app_name = "accounts"
urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("staff/2fa/", views_twofactor.second_step, name="staff-2fa"),
    path("staff/2fa/setup/", views_twofactor.setup, name="staff-2fa-setup"),
    path("staff/2fa/backup-codes/", views_twofactor.backup_codes, name="staff-2fa-backup-codes"),
    path("staff/", views.staff_home, name="staff-home"),
    path("me/login/", views.citizen_login, name="citizen-login"),
    path("me/logout/", views.citizen_logout, name="citizen-logout"),
    path("me/", views.citizen_home, name="citizen-home"),
    path("devices/sign-in/", views.device_sign_in, name="device-sign-in"),
]
