from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "minxin.queueing"
    label = "queueing"
    verbose_name = _("Queues")

    def ready(self) -> None:
        from minxin.core.jobs import register_job
        from minxin.core.memo import forget_on_change
        from minxin.core.models import CalendarDay
        from minxin.orgs.models import Hall, HallClosure, OpeningHours
        from minxin.queueing.models import Queue, QueueRules, Service, WorkProfile, WorkProfileQueue

        forget_on_change("queue-rules", QueueRules)
        forget_on_change("queue-service", Service, Queue)
        forget_on_change("hall-open", Hall, HallClosure, OpeningHours, CalendarDay)
        forget_on_change("work-profile", WorkProfile, WorkProfileQueue)
        from minxin.queueing.notices import tickets_notify
        from minxin.queueing.services import tickets_close_out_days, tickets_lapse

        register_job(name="queueing.lapse_remote_tickets", every_seconds=30, run=tickets_lapse)
        register_job(name="queueing.notify_ahead", every_seconds=5, run=tickets_notify)
        register_job(name="queueing.close_out_days", every_seconds=600, run=tickets_close_out_days)
        from minxin.queueing import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
