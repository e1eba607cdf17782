"""Food and drug safety incidents (§5): the first report (初报) and follow-ups (续报) until closed.

Reports are never edited or deleted (不得瞒报、迟报、谎报): the only change an
incident ever takes is its closing time, set by a final follow-up.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from config import bounds
from notifications.outbox import enqueue
from notifications.services import notify
from orgs.models import OrgUnitKind, Role, User
from patrols import tasks
from patrols.models import (
    ESCALATION_NOTE_MAX_LENGTH,
    Establishment,
    Incident,
    IncidentReport,
    is_late_first_report,
)
from patrols.reminders import FOLLOW_UP_WINDOW
from patrols.services.leads import DISTRICT_ROLES, city_officers, district_staff

# Community staff who report incidents: everyone in the community but volunteers (§1).
INCIDENT_REPORTERS = frozenset(
    {Role.INSPECTOR, Role.INFO_OFFICER, Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER}
)


def can_report_incident(user: User) -> bool:
    unit = user.org_unit
    return (
        user.is_active
        and user.role in INCIDENT_REPORTERS
        and unit is not None
        and unit.kind == OrgUnitKind.COMMUNITY
    )


def can_follow_up_incident(user: User, incident: Incident) -> bool:
    """Staff of the incident's community, or of the district it belongs to."""
    if not user.is_active or user.org_unit_id is None:
        return False
    if user.role in INCIDENT_REPORTERS:
        return user.org_unit_id == incident.community_id
    if user.role in DISTRICT_ROLES:
        return user.org_unit_id == incident.community.parent_id
    return False


def can_escalate_incident(user: User, incident: Incident) -> bool:
    """The office of the incident's district sends it up to the city; nobody else does."""
    return (
        user.is_active
        and user.role in DISTRICT_ROLES
        and user.org_unit_id is not None
        and user.org_unit_id == incident.community.parent_id
    )


@transaction.atomic
def incident_report(
    *,
    user: User,
    unit_name: str,
    place: str,
    occurred_at: dt.datetime,
    facts: str,
    people_affected: int = 0,
    establishment: Establishment | None = None,
) -> Incident:
    """Make the first report of an incident in the user's community.

    1. The report is stamped now; a first report more than an hour after the
       incident is flagged late, for good.
    2. The district office is alerted at once, urgently, and again an hour
       later if no follow-up report has come by then.
    """
    if not can_report_incident(user):
        raise PermissionDenied
    community = user.org_unit
    reported_at = timezone.now()
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": _("The time it happened cannot be in the future.")})
    bounds.check_event(occurred_at, unit=community, field="occurred_at")
    if establishment is not None and establishment.community_id != community.pk:
        raise ValidationError({"establishment": _("This establishment is not in your community.")})
    incident = Incident(
        community=community,
        establishment=establishment,
        unit_name=unit_name.strip(),
        place=place.strip(),
        occurred_at=occurred_at,
        reported_at=reported_at,
        facts=facts.strip(),
        people_affected=people_affected,
        reported_by=user,
        first_report_late=is_late_first_report(occurred_at, reported_at),
    )
    incident.full_clean(exclude=["community", "establishment", "reported_by"])
    incident.save()
    _alert_district(incident)
    # The clock: unless a follow-up comes within the hour, the district is alerted again.
    enqueue(tasks.incident_follow_up_check, countdown=FOLLOW_UP_WINDOW, incident_id=incident.pk)
    return incident


def _alert_district(incident: Incident) -> None:
    if incident.first_report_late:
        title = _("LATE incident report (%(delay)s after it happened): %(unit)s") % {
            "delay": timesince(incident.occurred_at, incident.reported_at),
            "unit": incident.unit_name,
        }
    else:
        title = _("Incident reported: %(unit)s") % {"unit": incident.unit_name}
    body = _("%(community)s, %(place)s. Happened at %(occurred)s; %(people)d people affected.\n%(facts)s") % {
        "community": incident.community.name,
        "place": incident.place,
        "occurred": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M"),
        "people": incident.people_affected,
        "facts": incident.facts,
    }
    notify(
        recipients=district_staff(incident.community),
        title=title,
        body=body,
        link=reverse("patrols:incident_detail", args=[incident.pk]),
        urgent=True,
    )


@transaction.atomic
def incident_follow_up(
    *, user: User, incident: Incident, text: str, is_final: bool = False
) -> IncidentReport:
    """Add a follow-up report; a final one closes the incident, which then takes no more."""
    # Lock the incident so two final reports cannot both get in.
    incident = (
        Incident.objects.select_for_update(of=("self",)).select_related("community").get(pk=incident.pk)
    )
    if not can_follow_up_incident(user, incident):
        raise PermissionDenied
    if incident.is_closed:
        raise ValidationError(_("This incident is closed and takes no more reports."))
    report = IncidentReport(
        incident=incident, text=text.strip(), is_final=is_final, reported_by=user, reported_at=timezone.now()
    )
    report.full_clean(exclude=["incident", "reported_by"])
    report.save()
    if is_final:
        incident.closed_at = report.reported_at
        incident.save(update_fields=["closed_at"])
    _tell_followers(incident, report)
    return report


def _tell_followers(incident: Incident, report: IncidentReport) -> None:
    """The district and the first reporter hear of each follow-up, except from themselves."""
    recipients = [
        u
        for u in [*district_staff(incident.community), incident.reported_by]
        if u.pk != report.reported_by_id
    ]
    template = (
        _("Incident closed: %(unit)s") if report.is_final else _("Follow-up report on incident: %(unit)s")
    )
    notify(
        recipients=recipients,
        title=template % {"unit": incident.unit_name},
        body=report.text,
        link=reverse("patrols:incident_detail", args=[incident.pk]),
    )


@transaction.atomic
def incident_escalate(*, user: User, incident: Incident, note: str) -> Incident:
    """The district office sends the incident up to the city bureau, once and for good.

    1. Only the office of the incident's district may; the reason is required and bounded.
    2. The time is the server's; an incident escalated already is refused (it is never undone).
    3. The city's officers are alerted at once, urgently (every channel they can be reached on).
    """
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("community__parent")
        .get(pk=incident.pk)
    )
    if not can_escalate_incident(user, incident):
        raise PermissionDenied
    if incident.is_escalated:
        raise ValidationError(_("This incident has already been escalated to the city."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the incident is escalated to the city.")})
    if len(note) > ESCALATION_NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("The reason is longer than %(n)d characters.") % {"n": ESCALATION_NOTE_MAX_LENGTH}}
        )
    incident.escalated_at, incident.escalated_by, incident.escalation_note = timezone.now(), user, note
    incident.save(update_fields=["escalated_at", "escalated_by", "escalation_note"])
    notify(
        recipients=city_officers(incident.community),
        title=_("Incident escalated by %(district)s: %(unit)s")
        % {"district": incident.community.parent.name, "unit": incident.unit_name},
        body=_("%(community)s, %(place)s. Happened at %(occurred)s; %(people)d people affected.\n%(note)s")
        % {
            "community": incident.community.name,
            "place": incident.place,
            "occurred": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M"),
            "people": incident.people_affected,
            "note": note,
        },
        link=reverse("patrols:incident_detail", args=[incident.pk]),
        urgent=True,
    )
    return incident
