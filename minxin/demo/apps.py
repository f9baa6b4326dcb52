from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "minxin.demo"
    label = "demo"
    verbose_name = _("Demo city")

    def ready(self) -> None:
        from django.conf import settings

        from minxin.core.jobs import register_job

        if settings.DEMO_SIMULATOR:
            from minxin.demo.simulator import simulate_step

            register_job(name="demo.simulate", every_seconds=3, run=simulate_step)
