"""A citizen's own data: periods, download, erasure (included from minxin/urls.py)."""

from django.urls import path

from minxin.accounts import privacy_views

app_name = "privacy"
urlpatterns = [
    path("privacy/periods/", privacy_views.privacy_periods, name="periods"),
    path("me/privacy/", privacy_views.privacy_home, name="home"),
    path("me/privacy/export.json", privacy_views.privacy_export, name="export"),
    path("me/privacy/erase/", privacy_views.privacy_erase, name="erase"),
]
