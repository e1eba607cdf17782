from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PatrolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patrols"

    def ready(self) -> None:
        from patrols.models import Establishment
        from patrols.registry_cache import registry_changed

        # The registry API keeps its pages until an establishment changes.
        post_save.connect(registry_changed, sender=Establishment, dispatch_uid="registry_saved")
        post_delete.connect(registry_changed, sender=Establishment, dispatch_uid="registry_deleted")
