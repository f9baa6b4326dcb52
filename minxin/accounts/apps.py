from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "minxin.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from minxin.accounts import checks  # noqa: F401 - registers the system checks
        from minxin.accounts.models import ApiToken, User
        from minxin.accounts.services import TOKEN_MEMO, otp_challenges_purge
        from minxin.core.jobs import register_job
        from minxin.core.memo import forget_on_change

        forget_on_change(TOKEN_MEMO, ApiToken, User)

        register_job(name="accounts.purge_otp_challenges", every_seconds=600, run=otp_challenges_purge)
        from minxin.accounts import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
