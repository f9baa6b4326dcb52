from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minxin.api import api
from minxin.core import views as core_views
from minxin.core.refusals import bad_request
from minxin.queueing.live import hall_events

admin.site.site_header = _("minxin administration")
admin.site.site_title = _("minxin")
admin.site.index_title = _("Administration")

urlpatterns = [
    # The event stream is a plain (async) Django view: django-ninja operations cannot stream.
    path("api/v1/halls/<slug:hall>/events", hall_events, name="hall-events"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("minxin.core.urls")),
    path("", include("minxin.accounts.urls")),
    path("", include("minxin.accounts.privacy_urls")),
    path("", include("minxin.catalog.urls")),
    path("", include("minxin.queueing.urls")),
    path("", include("minxin.voting.urls")),
    path("", include("minxin.watch.urls")),
    path("", include("minxin.appointments.urls")),
    path("", include("minxin.cases.urls")),
    path("", include("minxin.feedback.urls")),
    path("", include("minxin.competition.urls")),
    path("", include("minxin.insights.urls")),
]

handler400 = bad_request
handler404 = core_views.not_found
handler403 = core_views.forbidden
handler500 = core_views.server_error
