"""django-axes and django-rest-knox in the project's language: their names in the admin."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else "—"


class AxesConfig(AxesAppConfig):
    # Axes names its section after its label and its records in English f-strings, which no
    # catalogue can translate; the admin shows both, so they are named here.
    verbose_name = _("Login protection")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = lambda self: gettext("Failed logins of %(user)s since %(time)s") % {
            "user": self.username,
            "time": _when(self.attempt_time),
        }
        AccessFailureLog.__str__ = lambda self: gettext("Failed login of %(user)s at %(time)s") % {
            "user": self.username,
            "time": _when(self.attempt_time),
        }
        AccessLog.__str__ = lambda self: gettext("Login of %(user)s at %(time)s") % {
            "user": self.username,
            "time": _when(self.attempt_time),
        }


class KnoxConfig(AppConfig):
    # django-rest-knox names its section, its tokens and their fields from identifiers in English;
    # the admin lists them, so they are named here.
    name = "knox"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        from knox.models import AuthToken

        meta = AuthToken._meta
        meta.verbose_name, meta.verbose_name_plural = _("API token"), _("API tokens")
        labels = {
            "digest": _("digest"),
            "token_key": _("token prefix"),
            "user": _("user"),
            "created": _("created at"),
            "expiry": _("expires at"),
        }
        for name, label in labels.items():
            meta.get_field(name).verbose_name = label
