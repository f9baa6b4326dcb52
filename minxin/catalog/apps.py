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

        from django.db.models.signals import m2m_changed

        from minxin.catalog.models import EnglishName, Synonym, Window
        from minxin.catalog.names import ENGLISH_MEMO
        from minxin.catalog.selectors import SYNONYM_MEMO, WINDOW_MEMO
        from minxin.core.memo import forget, forget_on_change
        from minxin.orgs.models import Hall, Region, StaffMembership, Unit

        forget_on_change(SYNONYM_MEMO, Synonym)
        forget_on_change(ENGLISH_MEMO, EnglishName)
        forget_on_change("clerk-window", Window, StaffMembership)
        forget_on_change(WINDOW_MEMO, Window, Hall, Unit, Region)
        m2m_changed.connect(
            lambda **_kwargs: forget("clerk-window"),
            sender=Window.clerks.through,
            weak=False,
            dispatch_uid="memo:clerk-window:m2m",
        )
