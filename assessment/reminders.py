"""Reminders of the year-end assessment window (§9, §10), sent once each.

When the window opens every assessing unit hears of it; a few days before it
closes, the units that still have assessments to submit are reminded.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import (
    ASSESSEE_KIND,
    ASSESSOR_KIND,
    ASSESSOR_ROLES,
    PERSON_TIERS,
    Assessment,
    Tier,
    assessed_people,
    window,
)
from notifications.models import ReminderKind
from notifications.services import reminder_send
from orgs.models import OrgUnit
from orgs.selectors import people_by_unit

# Days before the window's last day on which units with work left are reminded.
CLOSING_NOTICE_DAYS = 2


def _expected(tier: str, units: list[OrgUnit]) -> dict[int, int]:
    """How many assessees each assessing unit has at `tier`."""
    if tier in PERSON_TIERS:
        rows = assessed_people(tier).filter(org_unit__in=units).values("org_unit_id")
        return {row["org_unit_id"]: row["n"] for row in rows.annotate(n=Count("pk"))}
    rows = OrgUnit.objects.filter(parent__in=units, kind=ASSESSEE_KIND[tier]).active().values("parent_id")
    return {row["parent_id"]: row["n"] for row in rows.annotate(n=Count("pk"))}


def assessment_window_reminders(*, today: dt.date) -> int:
    """Announce the window on its first days and remind the units with work left before it closes."""
    first, last = window(today.year)
    if not first <= today <= last:
        return 0
    closing = (last - today).days <= CLOSING_NOTICE_DAYS
    sent = 0
    for tier in Tier.values:
        units = list(OrgUnit.objects.filter(kind=ASSESSOR_KIND[tier]).active().order_by("path"))
        people = people_by_unit(units, ASSESSOR_ROLES[tier])
        expected = _expected(tier, units)
        done = dict(
            Assessment.objects.filter(year=today.year, tier=tier, assessor_unit__in=units)
            .submitted()
            .values_list("assessor_unit_id")
            .annotate(n=Count("pk"))
        )
        for unit in units:
            left = expected.get(unit.pk, 0) - done.get(unit.pk, 0)
            if left <= 0:
                continue
            if closing:
                subject = f"{today.year}/{tier}/closing"
                title = _("%(count)d year-end assessments still to submit; the window closes on %(last)s")
            else:
                subject = f"{today.year}/{tier}/open"
                title = _("The year-end assessment is open until %(last)s: %(count)d to assess")
            sent += reminder_send(
                kind=ReminderKind.ASSESSMENT_WINDOW,
                unit=unit,
                subject=subject,
                recipients=people[unit.pk],
                title=title % {"count": left, "last": f"{last:%Y-%m-%d}"},
                body=Tier(tier).label,
                link=reverse("assessment:home"),
            )
    return sent
