from django.urls import path

from minxin.core import views

app_name = "core"
urlpatterns = [
    path("a11y/large-text/", views.large_text_toggle, name="large-text"),
    path("healthz", views.health, name="health"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
]
