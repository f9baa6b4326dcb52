"""A URL configuration with language prefixes (i18n_patterns), which minxin's own does not use: the
locale middleware test checks that such a configuration gets Django's middleware unchanged."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

urlpatterns = i18n_patterns(path("page/", lambda request: HttpResponse("page"), name="page"))
