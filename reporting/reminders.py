"""Monthly-report reminders, overdue notices and the stored PDF summaries (§6, §10).

Each function takes the day it acts for and decides what is due on that day in
Asia/Shanghai terms; each reminder's unique key makes a second run harmless.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import ReminderKind
from notifications.services import reminder_send
from orgs.models import OrgUnit, OrgUnitKind, Role
from orgs.selectors import people_by_unit
from reporting import periods
from reporting.models import PREPARERS, REPORTING_KINDS, REVIEWERS, MonthlyReport, StoredSummary
from reporting.pdf import month_summary_pdf
from reporting.selectors import owing_units
from reporting.services import report_link

# Days before a report's due day on which the units that have not submitted are reminded; 0 is the
# due day itself, whose notice is urgent (it goes out on every channel a person can be reached on).
REMINDER_DAYS_BEFORE = (3, 1, 0)
# Who receives a unit's stored monthly summary.
SUMMARY_READERS = {
    OrgUnitKind.DISTRICT: (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON),
    OrgUnitKind.CITY: (Role.CITY_OFFICER,),
}


def _waiting(tier: str, period: dt.date) -> list[OrgUnit]:
    """Units of the tier that owe a report on the month and have not submitted it."""
    submitted = MonthlyReport.objects.filter(unit=OuterRef("pk"), period=period).submitted()
    units = OrgUnit.objects.filter(kind=tier).filter(~Exists(submitted)).order_by("path")
    return owing_units(units, period)


def report_due_reminders(*, today: dt.date) -> int:
    """On the days before each tier's due day, remind the units that have not submitted."""
    period = periods.previous_period(today)
    sent = 0
    for tier in REPORTING_KINDS:
        due = periods.report_due_date(tier, period)
        days_left = (due - today).days
        if days_left not in REMINDER_DAYS_BEFORE:
            continue
        units = _waiting(tier, period)
        people = people_by_unit(units, PREPARERS[tier])
        for unit in units:
            sent += reminder_send(
                kind=ReminderKind.REPORT_DUE,
                unit=unit,
                subject=f"{period:%Y-%m}/{days_left}d",
                recipients=people[unit.pk],
                title=_due_title(period, due, days_left),
                link=report_link(unit, period),
                urgent=days_left == 0,
            )
    return sent


def _due_title(period: dt.date, due: dt.date, days_left: int) -> str:
    month, day = f"{period:%Y-%m}", f"{due:%Y-%m-%d}"
    if days_left == 0:
        return _("Due today: the report for %(month)s must be submitted by the end of %(due)s") % {
            "month": month,
            "due": day,
        }
    return _("The report for %(month)s is due in %(days)d days, by %(due)s") % {
        "month": month,
        "days": days_left,
        "due": day,
    }


def report_overdue_notices(*, today: dt.date) -> int:
    """After a tier's deadline, tell each unit still without a report, and the level above, once."""
    period = periods.previous_period(today)
    sent = 0
    for tier in REPORTING_KINDS:
        if today <= periods.report_due_date(tier, period):
            continue
        units = _waiting(tier, period)
        if not units:
            continue
        preparers = people_by_unit(units, PREPARERS[tier])
        reviewers = people_by_unit({u.parent_id for u in units}, REVIEWERS[tier])
        for unit in units:
            sent += reminder_send(
                kind=ReminderKind.REPORT_OVERDUE,
                unit=unit,
                subject=f"{period:%Y-%m}",
                recipients=[*preparers[unit.pk], *reviewers[unit.parent_id]],
                title=_("Overdue: %(unit)s has not submitted its report for %(month)s")
                % {"unit": unit.name, "month": f"{period:%Y-%m}"},
                link=report_link(unit, period),
                urgent=True,
            )
    return sent


def summaries_due(*, today: dt.date) -> list[tuple[int, str]]:
    """The (unit id, month) summaries to make today: each district's the day after the
    communities' deadline, the city's the day after the districts'."""
    period = periods.previous_period(today)
    due = []
    if today == periods.report_due_date(OrgUnitKind.COMMUNITY, period) + dt.timedelta(days=1):
        due += [(d.pk, f"{period:%Y-%m}") for d in owing_units(OrgUnit.objects.districts(), period)]
    if today == periods.report_due_date(OrgUnitKind.DISTRICT, period) + dt.timedelta(days=1):
        due += [(c.pk, f"{period:%Y-%m}") for c in OrgUnit.objects.filter(kind=OrgUnitKind.CITY)]
    return due


def monthly_summary_store(*, unit_id: int, period: dt.date) -> bool:
    """Make and keep the unit's PDF summary of the month, then send it to its readers once.

    Returns whether the notice went out by this call.
    """
    unit = OrgUnit.objects.get(pk=unit_id)
    readers = people_by_unit([unit], SUMMARY_READERS[unit.kind])[unit.pk]
    if not readers:
        return False
    if not StoredSummary.objects.filter(unit=unit, period=period).exists():
        # Rendered as its readers see it: they all share the unit's scope.
        content = month_summary_pdf(user=readers[0], unit=unit, period=period)
        try:
            with transaction.atomic():
                summary = StoredSummary(unit=unit, period=period)
                summary.file.save(f"{unit.code}.pdf", ContentFile(content), save=False)
                summary.save()
        except IntegrityError:
            pass  # another worker stored it first
    return reminder_send(
        kind=ReminderKind.MONTHLY_SUMMARY,
        unit=unit,
        subject=f"{period:%Y-%m}",
        recipients=readers,
        title=_("The summary of %(month)s for %(unit)s is ready")
        % {"month": f"{period:%Y-%m}", "unit": unit.name},
        link=reverse("reporting:stored_summary", args=[unit.pk, f"{period:%Y-%m}"]),
    )
