from django.apps import AppConfig


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"

    def ready(self) -> None:
        # Connects the security log's receivers for logins, failed logins and lockouts.
        from orgs import security  # noqa: F401
