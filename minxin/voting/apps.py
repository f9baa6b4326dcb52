from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "minxin.voting"
    label = "voting"
    verbose_name = _("Public voting")

    def ready(self) -> None:
        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel
        from minxin.voting.panels import campaigns_panel
        from minxin.voting.services import campaigns_close_due
        from minxin.voting.tally import results_due

        register_job(name="voting.close_due_campaigns", every_seconds=30, run=campaigns_close_due)
        register_job(name="voting.count_results", every_seconds=5, run=results_due)
        register_staff_panel(campaigns_panel)
        from minxin.voting import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
