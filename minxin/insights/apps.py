from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "minxin.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from django.conf import settings

        from minxin.core.jobs import register_job
        from minxin.core.portal import register_staff_panel
        from minxin.insights.modules import modules_refresh
        from minxin.insights.outlook import forecast_refresh_next
        from minxin.insights.panels import insights_panel
        from minxin.insights.services.aggregates import aggregates_reconcile, aggregates_run
        from minxin.insights.services.reports import reports_monthly_job
        from minxin.insights.services.wall import wall_refresh_all

        register_job(
            name="insights.aggregates",
            every_seconds=settings.INSIGHTS_AGGREGATE_EVERY_SECONDS,
            run=aggregates_run,
        )
        register_job(name="insights.reconcile", every_seconds=3600, run=aggregates_reconcile)
        register_job(
            name="insights.wall", every_seconds=settings.INSIGHTS_WALL_REFRESH_SECONDS, run=wall_refresh_all
        )
        register_job(name="insights.monthly_reports", every_seconds=3600, run=reports_monthly_job)
        register_job(name="insights.modules", every_seconds=300, run=modules_refresh)
        register_job(name="insights.forecast", every_seconds=60, run=forecast_refresh_next)
        register_staff_panel(insights_panel)
