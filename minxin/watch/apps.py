from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "minxin.watch"
    label = "watch"
    verbose_name = _("Lookout posts")

    def ready(self) -> None:
        from django.conf import settings

        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel
        from minxin.watch.panels import watch_panel
        from minxin.watch.services import posts_sweep_job

        register_job(name="watch.sweep", every_seconds=settings.WATCH_SWEEP_SECONDS, run=posts_sweep_job)
        register_staff_panel(watch_panel)
