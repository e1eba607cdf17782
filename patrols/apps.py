from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PatrolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patrols"

    def ready(self) -> None:
        from orgs.models import OrgUnit
        from patrols.models import Establishment
        from patrols.registry_cache import registry_changed

        # What is read off the registry is kept until an establishment changes, or an org
        # unit (the home page's due list names each establishment's community).
        for model in (Establishment, OrgUnit):
            name = model._meta.label_lower
            post_save.connect(registry_changed, sender=model, dispatch_uid=f"registry:{name}:saved")
            post_delete.connect(registry_changed, sender=model, dispatch_uid=f"registry:{name}:deleted")
