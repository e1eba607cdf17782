"""django-axes under the project's language: its section's name and its records' names in the admin."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
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
