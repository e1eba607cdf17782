"""Reminders of bulletin-board and slogan updates falling due (§7, §10), sent once each."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import ReminderKind
from notifications.services import reminder_send
from orgs.models import OrgUnit, Role
from orgs.selectors import people_by_unit
from publicity.models import BoardKind
from publicity.selectors import board_states

# Days before an update's due day on which the community is reminded.
PUBLICITY_NOTICE_DAYS = 3
# Community people responsible for the boards.
BOARD_KEEPERS = (Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER, Role.INFO_OFFICER)


def publicity_reminders(*, today: dt.date) -> int:
    """Remind each community of a board update due in a few days, and once when it is overdue."""
    communities = list(
        OrgUnit.objects.communities()
        .exclude(closed_on__lt=today)
        .exclude(opened_on__gt=today)
        .order_by("path")
    )
    states = board_states(communities, today=today)
    people = people_by_unit(communities, BOARD_KEEPERS)
    sent = 0
    for community in communities:
        for kind, state in states[community.pk].items():
            label = BoardKind(kind).label
            due: dt.date = state["due"]
            if state["state"] == "overdue":
                kind_key, title = ReminderKind.PUBLICITY_OVERDUE, _("Overdue: %(board)s was due by %(due)s")
            elif state["state"] == "due" and (due - today).days == PUBLICITY_NOTICE_DAYS:
                kind_key, title = ReminderKind.PUBLICITY_DUE, _("%(board)s is due by %(due)s")
            else:
                continue
            sent += reminder_send(
                kind=kind_key,
                unit=community,
                subject=f"{kind}/{due:%Y-%m-%d}",
                recipients=people[community.pk],
                title=title % {"board": label, "due": f"{due:%Y-%m-%d}"},
                body=community.name,
                link=reverse("publicity:home"),
            )
    return sent
