from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "minxin.appointments"
    label = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from minxin.appointments.services import bookings_mark_no_shows, bookings_promote, bookings_remind
        from minxin.appointments.views import staff_panel
        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel

        register_job(name="appointments.promote_on_time", every_seconds=5, run=bookings_promote)
        register_job(name="appointments.mark_no_shows", every_seconds=30, run=bookings_mark_no_shows)
        register_job(name="appointments.remind", every_seconds=60, run=bookings_remind)
        register_staff_panel(staff_panel)

        from minxin.core.memo import forget_on_change
        from minxin.core.models import CalendarDay
        from minxin.orgs.models import Hall, HallClosure, OpeningHours

        forget_on_change("appt-days", Hall, HallClosure, OpeningHours, CalendarDay)
        from minxin.appointments import personal_data

        personal_data.register()  # PIPL: export, erasure, retention (core.personal_data)
