from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"
    verbose_name = _("Org units and users")

    def ready(self) -> None:
        # Connects the security log's receivers for logins, failed logins and lockouts.
        # Every API time within the bounds, in every app's serializers (config/api.py).
        from config.api import bound_model_serializer_times
        from orgs import security  # noqa: F401

        bound_model_serializer_times()
