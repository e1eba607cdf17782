"""Reminders about patrols, findings and incidents (§10), sent once each.

The functions take the day (or instant) they act for, so a test or a late
beat tick can run them for any date; each reminder's unique key makes running
them again harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import ReminderKind
from notifications.services import reminder_send
from orgs.models import OrgUnit, Role
from orgs.selectors import people_by_unit
from patrols.models import (
    Escalation,
    Finding,
    Incident,
    IncidentReport,
    Patrol,
    RectificationPolicy,
    RectificationStep,
    StepKind,
)
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
    """Announce the rectifications due tomorrow, a notice per community. Returns how many went.

    What is overdue climbs the escalation ladder instead (rectification_escalations).
    """
    due_on = today + dt.timedelta(days=RECTIFICATION_NOTICE_DAYS)
    due = list(
        Finding.objects.open_risks()
        .filter(rectification_deadline=due_on)
        .select_related("community", "establishment")
    )
    people = people_by_unit({f.community_id for f in due}, PATROL_STAFF)
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
    return sent


def rectification_escalations(*, today: dt.date) -> int:
    """Climb the escalation ladder for the rectifications overdue on `today`. Returns the steps taken.

    1. On the first day past the deadline, the community head (and the team who must act) is told.
    2. The district's number of days later (RectificationPolicy.district_after_days), the district
       office is told.
    Each step is claimed by a filtered update of the finding's escalation, recorded as a step and
    notified in one transaction, with a reminder key per finding, deadline and step: running this
    twice, or on two workers, takes each step once. A follow-up that fails sets a new deadline and
    the ladder starts again under new keys.
    """
    overdue = list(
        Finding.objects.overdue(on=today)
        .filter(escalation__lt=Escalation.DISTRICT)
        .select_related("community", "establishment")
        .order_by("pk")
    )
    if not overdue:
        return 0
    district_ids = {f.community.parent_id for f in overdue}
    policies = {p.district_id: p for p in RectificationPolicy.objects.filter(district_id__in=district_ids)}
    people = people_by_unit({f.community_id for f in overdue}, (Role.COMMUNITY_HEAD, Role.INSPECTOR))
    taken = 0
    for finding in overdue:
        policy = policies.get(finding.community.parent_id) or RectificationPolicy()
        if finding.escalation < Escalation.COMMUNITY_HEAD:
            taken += _escalate(finding, Escalation.COMMUNITY_HEAD, recipients=people[finding.community_id])
        to_district_on = finding.rectification_deadline + dt.timedelta(days=1 + policy.district_after_days)
        if today >= to_district_on:
            taken += _escalate(finding, Escalation.DISTRICT, recipients=district_staff(finding.community))
    return taken


ESCALATION_STEPS = {
    Escalation.COMMUNITY_HEAD: (StepKind.ESCALATED_HEAD, "head"),
    Escalation.DISTRICT: (StepKind.ESCALATED_DISTRICT, "district"),
}


@transaction.atomic
def _escalate(finding: Finding, level: int, *, recipients) -> bool:
    step, key = ESCALATION_STEPS[Escalation(level)]
    claimed = Finding.objects.filter(
        pk=finding.pk, escalation__lt=level, rectification_deadline=finding.rectification_deadline
    ).update(escalation=level)
    if claimed != 1:
        return False
    finding.escalation = level
    RectificationStep.objects.create(finding=finding, kind=step, at=timezone.now())
    deadline = f"{finding.rectification_deadline:%Y-%m-%d}"
    return reminder_send(
        kind=ReminderKind.RECTIFICATION_OVERDUE,
        unit=finding.community,
        subject=f"finding-{finding.pk}/{deadline}/{key}",
        recipients=recipients,
        title=_("Rectification overdue: %(shop)s") % {"shop": finding.establishment.name},
        body=_("%(community)s. %(severity)s risk, due %(day)s: %(text)s. Responsible person: %(owner)s")
        % {
            "community": finding.community.name,
            "severity": finding.get_severity_display(),
            "day": deadline,
            "text": finding.description,
            "owner": " ".join(filter(None, [finding.owner_name, finding.owner_phone])) or "—",
        },
        link=reverse("patrols:finding_detail", args=[finding.pk]),
        urgent=level == Escalation.DISTRICT,
    )


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
