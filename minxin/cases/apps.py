from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "minxin.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from minxin.cases.panels import cases_panel
        from minxin.cases.services import cases_supervise
        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel

        register_staff_panel(cases_panel)
        register_job(name="cases.supervise", every_seconds=60, run=cases_supervise)
        from minxin.cases import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
