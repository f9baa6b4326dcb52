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
            from minxin.demo.parts import PARTS
            from minxin.demo.simulator import simulate_step

            register_job(name="demo.simulate", every_seconds=3, run=simulate_step)
            for part in PARTS:
                if hasattr(part, "simulate_step"):
                    name = part.__name__.rsplit(".", 1)[-1]
                    register_job(name=f"demo.simulate_{name}", every_seconds=5, run=part.simulate_step)
