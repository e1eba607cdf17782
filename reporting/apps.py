from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Monthly reports")

    def ready(self) -> None:
        from reporting.models import MonthlyReport
        from reporting.selectors import reports_changed

        # The dashboards keep what they read of the reports until one is saved or deleted.
        post_save.connect(reports_changed, sender=MonthlyReport, dispatch_uid="reporting:report:saved")
        post_delete.connect(reports_changed, sender=MonthlyReport, dispatch_uid="reporting:report:deleted")
