from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "minxin.feedback"
    label = "feedback"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel
        from minxin.feedback.panels import feedback_panel
        from minxin.feedback.services import cases_invite, rectifications_escalate

        register_job(
            name="feedback.escalate_late_rectifications", every_seconds=300, run=rectifications_escalate
        )
        register_job(name="feedback.invite_unrated_cases", every_seconds=600, run=cases_invite)
        register_staff_panel(feedback_panel)
        from minxin.feedback import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
