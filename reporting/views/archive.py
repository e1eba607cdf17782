"""The archive (档案管理, §6): every report, record and article of a unit and the units below it, by month.

Records are listed by the day of the event they record, as the monthly figures count them
(reporting.catalogue): a patrol record and its findings by the record's date (counted records only:
submitted, with a visit), a lead when reported, an incident when it happened, an article by the day
its activity ended.

Each section is paged on its own, so the page costs the same number of
queries for a community with five records as for a city with thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import OrgUnit, OrgUnitKind
from patrols.models import Finding, Incident, Lead, Patrol, counted_q
from reporting import catalogue, periods
from reporting.models import REPORTING_KINDS, Article, MonthlyReport
from reporting.selectors import UnitState, owing_units, unit_state

# Rows per section; each section has its own pager.
SECTION_SIZE = 20


@dataclass
class Row:
    """One line of a section, whatever the kind of record behind it."""

    obj: Model
    title: str
    url: str
    meta: str
    badges: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    page: Page
    rows: list[Row]
    query: str

    @property
    def count(self) -> int:
        return self.page.paginator.count


def _archive_units(user) -> list[OrgUnit]:
    """The units the user may pick: their own and those below it (grids are not reporting units)."""
    return list(OrgUnit.objects.visible_to(user).exclude(kind=OrgUnitKind.GRID).order_by("path"))


def _chosen_unit(request, units: list[OrgUnit]) -> OrgUnit:
    """The unit asked for, or the user's own; a unit outside the user's scope is a 404."""
    raw = request.GET.get("unit", "")
    if not raw:
        own = request.user.org_unit_id
        chosen = next((u for u in units if u.pk == own), units[0] if units else None)
    else:
        chosen = next((u for u in units if str(u.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen


def _chosen_period(request) -> dt.date:
    raw = request.GET.get("month", "")
    if not raw:
        return periods.previous_period(timezone.localdate())
    period = periods.parse_period(raw)
    if period is None:
        raise Http404
    return period


def _section(
    request, key: str, title: str, rows: Sequence | QuerySet, to_row: Callable[[Any], Row]
) -> Section:
    """Page one section by its own page parameter, keeping the other parameters in its links."""
    param = f"{key}_page"
    page = Paginator(rows, SECTION_SIZE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return Section(
        key=key,
        title=title,
        page=page,
        rows=[to_row(obj) for obj in page.object_list],
        query=query.urlencode(),
    )


def _report_rows(user, unit: OrgUnit, units: list[OrgUnit], period: dt.date) -> list[Row]:
    """Every unit at or below `unit` that owed a report on the month, with the state of its report."""
    owing = owing_units((u for u in units if u.is_within(unit) and u.kind in REPORTING_KINDS), period)
    reports = {
        report.unit_id: report
        for report in MonthlyReport.objects.visible_to(user).filter(
            unit__path__startswith=unit.path, period=period
        )
    }
    now, month = timezone.now(), f"{period:%Y-%m}"
    rows = []
    for owner in owing:
        report = reports.get(owner.pk)
        state = unit_state(report, periods.report_deadline(owner.kind, period), now)
        submitted = report.submitted_at if report is not None and report.is_submitted else None
        rows.append(
            Row(
                obj=report or owner,
                title=owner.name,
                url=reverse("reporting:report", args=[owner.pk, month]),
                meta=_("submitted %(at)s") % {"at": f"{timezone.localtime(submitted):%Y-%m-%d %H:%M}"}
                if submitted
                else owner.get_kind_display(),
                badges=[(f"state-{state}", str(UnitState.LABELS[state]))],
            )
        )
    return rows


def _patrol_row(patrol: Patrol) -> Row:
    return Row(
        obj=patrol,
        title=f"{patrol.date:%Y-%m-%d}",
        url=reverse("patrols:patrol_detail", args=[patrol.pk]),
        meta=patrol.community.name,
        badges=[(patrol.status, patrol.get_status_display())],
    )


def _finding_row(finding: Finding) -> Row:
    return Row(
        obj=finding,
        title=f"{finding.establishment.name}{_(': ')}{finding.get_category_display()}",
        url=reverse("patrols:patrol_detail", args=[finding.visit.patrol_id]),
        meta=f"{finding.visit.patrol.date:%Y-%m-%d} · {finding.community.name}",
        badges=[("", finding.get_kind_display()), ("", finding.get_status_display())],
    )


def _article_row(article: Article) -> Row:
    return Row(
        obj=article,
        title=article.title,
        url=reverse("reporting:article", args=[article.pk]),
        meta=f"{article.activity_ended_on:%Y-%m-%d} · {article.community.name}",
        badges=[("overdue", _("Late"))] if article.late else [],
    )


def _lead_row(lead: Lead) -> Row:
    return Row(
        obj=lead,
        title=lead.establishment.name if lead.establishment else lead.community.name,
        url=reverse("patrols:lead_detail", args=[lead.pk]),
        meta=f"{timezone.localtime(lead.reported_at):%Y-%m-%d %H:%M} · {lead.community.name}",
        badges=[("", lead.get_status_display())],
    )


def _incident_row(incident: Incident) -> Row:
    badges = [("overdue", _("Reported late"))] if incident.first_report_late else []
    badges.append(("ok", _("Closed out")) if incident.is_closed else ("due", _("Ongoing")))
    return Row(
        obj=incident,
        title=incident.unit_name,
        url=reverse("patrols:incident_detail", args=[incident.pk]),
        meta=f"{timezone.localtime(incident.occurred_at):%Y-%m-%d %H:%M} · {incident.community.name}",
        badges=badges,
    )


# The sections that list what a figure counts are titled with the figure catalogue's label, and
# count its rows by its dates (reporting.catalogue): the month's counts read as its report's.
SECTION_TITLES = {
    "reports": gettext_lazy("Monthly reports"),
    "patrols": catalogue.BY_KEY["patrols"].label,
    "findings": catalogue.BY_KEY["findings"].label,
    "articles": gettext_lazy("Activity articles"),
    "leads": catalogue.BY_KEY["leads_reported"].label,
    "incidents": catalogue.BY_KEY["incidents"].label,
}


def _sections(request, unit: OrgUnit, units: list[OrgUnit], period: dt.date) -> list[Section]:
    user, under = request.user, {"community__path__startswith": unit.path}
    first, last = period, periods.period_last_day(period)
    start, end = periods.month_bounds(period)
    querysets = {
        "patrols": (
            Patrol.objects.visible_to(user)
            .counted()
            .filter(**under)
            .between(first, last)
            .select_related("community"),
            _patrol_row,
        ),
        "findings": (
            # Dated by the visit's record, as the monthly figures count them: not when typed or synced.
            Finding.objects.visible_to(user)
            .filter(counted_q("visit__patrol__"), **under, visit__patrol__date__range=(first, last))
            .select_related("community", "establishment", "visit__patrol"),
            _finding_row,
        ),
        "articles": (
            Article.objects.visible_to(user).filter(**under).in_period(period).select_related("community"),
            _article_row,
        ),
        "leads": (
            Lead.objects.visible_to(user)
            .filter(**under, reported_at__gte=start, reported_at__lt=end)
            .select_related("community", "establishment"),
            _lead_row,
        ),
        "incidents": (
            Incident.objects.visible_to(user)
            .filter(**under, occurred_at__gte=start, occurred_at__lt=end)
            .select_related("community"),
            _incident_row,
        ),
    }
    reports = _report_rows(user, unit, units, period)
    sections = [_section(request, "reports", str(SECTION_TITLES["reports"]), reports, lambda row: row)]
    for key, (queryset, to_row) in querysets.items():
        sections.append(_section(request, key, str(SECTION_TITLES[key]), queryset, to_row))
    return sections


@login_required
def archive(request):
    """Pick a unit and a month; see everything filed for them, each linking to its page."""
    if not request.user.can_view_registry:
        raise PermissionDenied
    units = _archive_units(request.user)
    unit = _chosen_unit(request, units)
    period = _chosen_period(request)
    return render(
        request,
        "reporting/archive.html",
        {
            "units": units,
            "unit": unit,
            "period": period,
            "latest": periods.previous_period(timezone.localdate()),
            "sections": _sections(request, unit, units, period),
        },
    )


urlpatterns = [path("archive/", archive, name="archive")]
