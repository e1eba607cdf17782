from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        from orgs.models import OrgUnit
        from patrols.models import Establishment
        from patrols.registry_cache import establishment_changed, registry_changed

        # What is read off the registry is kept until an establishment of the reader's area
        # changes, or an org unit (the home page's due list names each establishment's community).
        for model, receiver in ((Establishment, establishment_changed), (OrgUnit, registry_changed)):
            name = model._meta.label_lower
            post_save.connect(receiver, sender=model, dispatch_uid=f"registry:{name}:saved")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"registry:{name}:deleted")
