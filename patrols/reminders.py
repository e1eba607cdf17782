"""Reminders about patrols, findings and incidents (§10), sent once each.

The functions take the day (or instant) they act for, so a test or a late
beat tick can run them for any date; each reminder's unique key makes running
them again harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import ReminderKind
from notifications.services import reminder_send
from orgs.models import OrgUnit, Role
from orgs.selectors import people_by_unit
from patrols.models import Finding, Incident, IncidentReport, Patrol
from patrols.models.incidents import FIRST_REPORT_WINDOW
from patrols.services.leads import district_staff

# Community staff who hear of a missed patrol day or a rectification falling due.
PATROL_STAFF = (Role.INSPECTOR, Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER)
# A follow-up report (续报) is expected within this long of the first report.
FOLLOW_UP_WINDOW = FIRST_REPORT_WINDOW
# How many days ahead a rectification deadline is announced.
RECTIFICATION_NOTICE_DAYS = 1


def missing_patrol_notices(*, day: dt.date) -> int:
    """Tell each open community that has no patrolled day on `day` (Patrol.objects.counted(): a draft or
    an empty record does not silence the notice). Returns how many were told."""
    communities = list(
        OrgUnit.objects.communities()
        .filter(opened_on__lte=day)
        .exclude(closed_on__lt=day)
        .filter(~Exists(Patrol.objects.counted().filter(community=OuterRef("pk"), date=day)))
        .order_by("path")
    )
    people = people_by_unit(communities, PATROL_STAFF)
    sent = 0
    for community in communities:
        sent += reminder_send(
            kind=ReminderKind.MISSING_PATROL,
            unit=community,
            subject=f"{day:%Y-%m-%d}",
            recipients=people[community.pk],
            title=_("No patrol was logged on %(day)s") % {"day": f"{day:%Y-%m-%d}"},
            body=_("%(community)s: the daily patrol (每日巡查) of %(day)s is missing.")
            % {"community": community.name, "day": f"{day:%Y-%m-%d}"},
            link=reverse("patrols:patrol_list"),
        )
    return sent


def rectification_reminders(*, today: dt.date) -> int:
    """Announce the rectifications due tomorrow, a notice per community, and each overdue one once.

    Overdue risks are also reported to the district. Returns how many reminders went.
    """
    due_on = today + dt.timedelta(days=RECTIFICATION_NOTICE_DAYS)
    due = list(
        Finding.objects.open_risks()
        .filter(rectification_deadline=due_on)
        .select_related("community", "establishment")
    )
    overdue = list(Finding.objects.overdue(on=today).select_related("community", "establishment"))
    people = people_by_unit({f.community_id for f in due + overdue}, PATROL_STAFF)
    sent = 0
    by_community: dict[OrgUnit, list[Finding]] = defaultdict(list)
    for finding in due:
        by_community[finding.community].append(finding)
    for community, findings in by_community.items():
        sent += reminder_send(
            kind=ReminderKind.RECTIFICATION_DUE,
            unit=community,
            subject=f"{due_on:%Y-%m-%d}",
            recipients=people[community.pk],
            title=_("%(count)d rectifications are due on %(day)s")
            % {"count": len(findings), "day": f"{due_on:%Y-%m-%d}"},
            body="\n".join(f"{f.establishment.name}: {f.description}" for f in findings),
            link=reverse("patrols:finding_list"),
        )
    for finding in overdue:
        sent += reminder_send(
            kind=ReminderKind.RECTIFICATION_OVERDUE,
            unit=finding.community,
            subject=f"finding-{finding.pk}",
            recipients=[*people[finding.community_id], *district_staff(finding.community)],
            title=_("Rectification overdue: %(shop)s") % {"shop": finding.establishment.name},
            body=_("%(community)s. Due %(day)s: %(text)s")
            % {
                "community": finding.community.name,
                "day": f"{finding.rectification_deadline:%Y-%m-%d}",
                "text": finding.description,
            },
            link=reverse("patrols:finding_list"),
        )
    return sent


def incident_follow_up_check(*, incident_id: int, now: dt.datetime | None = None) -> bool:
    """Alert the district again when an open incident has had no follow-up within the hour.

    Returns whether the alert went now.
    """
    now = now or timezone.now()
    incident = (
        Incident.objects.filter(
            pk=incident_id, closed_at__isnull=True, reported_at__lte=now - FOLLOW_UP_WINDOW
        )
        .exclude(Exists(IncidentReport.objects.filter(incident=OuterRef("pk"))))
        .select_related("community")
        .first()
    )
    if incident is None:
        return False
    return reminder_send(
        kind=ReminderKind.INCIDENT_NO_FOLLOW_UP,
        unit=incident.community,
        subject=f"incident-{incident.pk}",
        recipients=[*district_staff(incident.community), incident.reported_by],
        title=_("No follow-up an hour after the incident report: %(unit)s") % {"unit": incident.unit_name},
        body=_("%(community)s, %(place)s. Reported at %(reported)s; no follow-up report (续报) yet.")
        % {
            "community": incident.community.name,
            "place": incident.place,
            "reported": timezone.localtime(incident.reported_at).strftime("%Y-%m-%d %H:%M"),
        },
        link=reverse("patrols:incident_detail", args=[incident.pk]),
        urgent=True,
    )
