from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "minxin.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from minxin.core.portal import register_staff_panel
        from minxin.orgs.panels import my_roles_panel

        register_staff_panel(my_roles_panel)

        from minxin.core.memo import forget_on_change
        from minxin.orgs.models import Hall, Region, StaffMembership, Unit

        forget_on_change("hall", Hall, Unit, Region)
        forget_on_change("staff-roles", StaffMembership, Hall, Unit, Region)
        forget_on_change("staff-role-set", StaffMembership)

        from minxin.accounts.twofactor import register_role_source
        from minxin.orgs.selectors import roles_of_user

        register_role_source(roles_of_user)
