from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "minxin.catalog"
    label = "catalog"
    verbose_name = _("Service catalog")

    def ready(self) -> None:
        from minxin.catalog.panels import my_halls_panel
        from minxin.core.portal import register_staff_panel

        register_staff_panel(my_halls_panel)
