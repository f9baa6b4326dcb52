from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionConfig(AppConfig):
    name = "minxin.competition"
    label = "competition"
    verbose_name = _("Competition")

    def ready(self) -> None:
        from minxin.competition.panels import competition_panel
        from minxin.core.portal import register_staff_panel

        register_staff_panel(competition_panel)
