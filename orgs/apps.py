from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"
    verbose_name = _("Org units and users")

    def ready(self) -> None:
        # Connects the security log's receivers for logins, failed logins and lockouts.
        from orgs import security  # noqa: F401
