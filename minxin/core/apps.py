from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "minxin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from minxin.core.events import live_messages_purge
        from minxin.core.jobs import register_job
        from minxin.core.throttle import throttles_purge

        register_job(name="core.purge_throttles", every_seconds=300, run=throttles_purge)
        register_job(name="core.purge_live_messages", every_seconds=60, run=live_messages_purge)
