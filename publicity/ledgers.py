"""The training ledger (培训台账, item 7 of issue #22): one row per session, for the district's file.

Registered in reporting.ledgers as a Ledger(key="training", ...): the columns and
`training_ledger_rows(user, unit, first, last)`, which gives the sessions of `unit` and
the units below it dated first..last that the user may see, in three queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, User
from publicity.models import TrainingOutsider, TrainingSession

TRAINING_LEDGER_COLUMNS = (
    _("Date"),
    _("Community"),
    _("Organised by"),
    _("Kind"),
    _("Topic"),
    _("Audience"),
    _("Hours"),
    _("Head count"),
    _("Named attendees"),
)


def _names(session: TrainingSession) -> str:
    people = [str(person) for person in session.attendees.all()]
    return "、".join(people + [str(outsider) for outsider in session.outsiders.all()])


def training_ledger_rows(user: User, unit: OrgUnit, first: dt.date, last: dt.date) -> Iterator[Sequence]:
    sessions = (
        TrainingSession.objects.visible_to(user)
        .filter(community__path__startswith=unit.path, date__range=(first, last))
        .select_related("community", "organiser")
        .prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("full_name", "pk")),
            Prefetch("outsiders", queryset=TrainingOutsider.objects.order_by("pk")),
        )
        .order_by("date", "pk")
    )
    for session in sessions:
        yield (
            session.date,
            session.community.name,
            session.organiser.name if session.organiser else session.community.name,
            str(session.get_kind_display()),
            session.topic,
            str(session.get_audience_display()),
            session.hours,
            session.attendance,
            _names(session),
        )
