"""Monthly report pages (§6): a unit's reports, one report, and the dashboards above them."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orgs.models import OrgUnit, OrgUnitKind, scope_q
from patrols.registry_cache import GENERATION_KEY, kept
from reporting import catalogue, charts, periods, services
from reporting import figures as report_figures
from reporting.models import REPORTING_KINDS, MonthlyReport
from reporting.rollup import included_by, month_rollup, state_counts
from reporting.selectors import (
    REPORTS_GENERATION_KEY,
    UnitState,
    on_time_trend,
    owing_units,
    period_reports,
    submissions,
    unit_state,
)

# The report list and the trend charts look back this many months.
HISTORY_MONTHS = 12


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=gettext_lazy("Work summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
        help_text=gettext_lazy("What was done this month, problems met, and plans for next month."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the exception"), widget=forms.Textarea(attrs={"rows": 3})
    )
    until = forms.DateField(
        label=gettext_lazy("Open until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


def _require_reader(user) -> None:
    if not user.can_view_registry:
        raise PermissionDenied


def _period_or_404(text: str) -> dt.date:
    period = periods.parse_period(text)
    if period is None:
        raise Http404
    return period


@login_required
def report_home(request):
    """The user's own unit's reports for the last year; offices above go to their dashboard."""
    user = request.user
    _require_reader(user)
    unit = user.org_unit
    if unit is None or unit.kind not in REPORTING_KINDS:
        return redirect("reporting:dashboard")
    now = timezone.now()
    months = periods.periods_ending(periods.previous_period(timezone.localdate(now)), HISTORY_MONTHS)[::-1]
    reports = {r.period: r for r in MonthlyReport.objects.filter(unit=unit, period__in=months)}
    rows = []
    for month in months:
        if not periods.existed_in(unit.opened_on, unit.closed_on, month):
            continue
        report = reports.get(month)
        state = unit_state(report, periods.report_deadline(unit.kind, month), now)
        rows.append(
            {
                "period": month,
                "report": report,
                "state": state,
                "state_label": UnitState.LABELS[state],
                "due": periods.report_due_date(unit.kind, month),
            }
        )
    return render(request, "reporting/report_home.html", {"unit": unit, "rows": rows})


def _report_context(request, unit: OrgUnit, period: dt.date, report: MonthlyReport | None) -> dict:
    user, now = request.user, timezone.now()
    rollup = month_rollup(user=user, unit=unit, period=period, now=now)
    own = rollup.own
    shown = report or MonthlyReport(unit=unit, period=period)
    can_prepare = services.can_prepare(user, unit)
    can_review = services.can_review(user, unit)
    frozen = not own.provisional
    return {
        "unit": unit,
        "period": period,
        "report": report,
        "own": own,
        "frozen": frozen,
        "state": own.state,
        "state_label": own.state_label,
        "deadline_day": periods.report_due_date(unit.kind, period),
        "locked": shown.is_locked(now),
        "month_over": timezone.localdate(now) > periods.period_last_day(period),
        "can_edit": can_prepare and shown.is_open_for_editing(now),
        "can_return": can_review and frozen,
        "can_reopen": can_review and not frozen and shown.is_locked(now),
        "events": report.events.select_related("actor") if report else [],
        "groups": catalogue.grouped(own.figures, catalogue.REPORT, unit.kind),
        "row_figures": catalogue.shown(catalogue.DASHBOARD, OrgUnitKind.COMMUNITY),
        "community_rows": rollup.rows if unit.kind == OrgUnitKind.DISTRICT else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, unit_id: int, period: str):
    """One unit's report on one month: figures, summary, and the actions the user may take."""
    _require_reader(request.user)
    unit = get_object_or_404(
        OrgUnit.objects.visible_to(request.user).filter(kind__in=REPORTING_KINDS), pk=unit_id
    )
    month = _period_or_404(period)
    report = MonthlyReport.objects.filter(unit=unit, period=month).first()
    narrative_form = NarrativeForm(initial={"narrative": report.narrative if report else ""})
    return_form, reopen_form = ReturnForm(), ReopenForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                narrative_form = NarrativeForm(request.POST)
                if narrative_form.is_valid():
                    return _save_or_submit(
                        request, unit, month, action, narrative_form.cleaned_data["narrative"]
                    )
            elif action == "return" and report is not None:
                return_form = ReturnForm(request.POST)
                if return_form.is_valid():
                    services.monthly_report_return(
                        user=request.user, report=report, reason=return_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The report was returned to %(unit)s.") % {"unit": unit})
                    return redirect(request.path)
            elif action == "reopen":
                reopen_form = ReopenForm(request.POST)
                if reopen_form.is_valid():
                    services.monthly_report_reopen(
                        user=request.user, unit=unit, period=month, **reopen_form.cleaned_data
                    )
                    messages.success(request, _("The period was reopened for %(unit)s.") % {"unit": unit})
                    return redirect(request.path)
            else:
                raise PermissionDenied
        except ValidationError as error:
            _show_errors(request, error, (narrative_form, return_form, reopen_form))
    context = _report_context(request, unit, month, report)
    context.update(narrative_form=narrative_form, return_form=return_form, reopen_form=reopen_form)
    return render(request, "reporting/report_detail.html", context)


def _save_or_submit(request, unit: OrgUnit, month: dt.date, action: str, narrative: str):
    if not services.can_prepare(request.user, unit):
        raise PermissionDenied
    report = services.monthly_report_for(unit=unit, period=month)
    if action == "submit":
        report = services.monthly_report_submit(user=request.user, report=report, narrative=narrative)
        if report.late:
            messages.warning(
                request, _("Report submitted. It was submitted after the deadline and is marked late.")
            )
        else:
            messages.success(request, _("Report submitted."))
    else:
        services.monthly_report_save(user=request.user, report=report, narrative=narrative)
        messages.success(request, _("Draft saved."))
    return redirect(request.path)


def _show_errors(request, error: ValidationError, bound_forms) -> None:
    """Put a service's errors on the form field they name, or at the top of the page."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for name, errors in by_field.items():
        form = next((f for f in bound_forms if f.is_bound and name in f.fields), None)
        for text in ValidationError(errors).messages:
            if form is not None:
                form.add_error(name, text)
            else:
                messages.error(request, text)


def _dashboard_units(user, period: dt.date) -> tuple[str, list[OrgUnit]]:
    visible = OrgUnit.objects.visible_to(user)
    if user.tier == OrgUnitKind.DISTRICT and not user.is_superuser:
        return OrgUnitKind.COMMUNITY, owing_units(visible.communities().order_by("path"), period)
    return OrgUnitKind.DISTRICT, owing_units(visible.districts().order_by("path"), period)


def _dashboard_root(user, kind: str) -> OrgUnit | None:
    """The unit whose month the dashboard rolls up: the user's district, or the city."""
    if kind == OrgUnitKind.COMMUNITY:
        return user.org_unit
    return OrgUnit.objects.visible_to(user).filter(kind=OrgUnitKind.CITY).order_by("path").first()


class DashboardReading(NamedTuple):
    """What a dashboard reads of the units and their reports, kept until either changes."""

    kind: str
    units: list[OrgUnit]
    # The trend needs only the communities' ids and lifetimes: plain rows, not model instances.
    communities: list
    submitted: dict[tuple[int, dt.date], bool]
    reports: dict[int, MonthlyReport]
    root: OrgUnit | None
    included: dict[int, set[int] | None] | None


def _dashboard_reading(user, period: dt.date, months: list[dt.date]) -> DashboardReading:
    kind, units = _dashboard_units(user, period)
    root = _dashboard_root(user, kind)
    own = [root] if root is not None else []
    communities = (
        units
        if kind == OrgUnitKind.COMMUNITY
        else list(
            OrgUnit.objects.visible_to(user)
            .communities()
            .filter(parent__in=units)
            .values_list("pk", "opened_on", "closed_on", named=True)
        )
    )
    # One read of the units' reports serves the year's rates and the months' timeliness chart.
    reports = period_reports([*units, *own], period)
    root_report = reports.get(root.pk) if root is not None else None
    return DashboardReading(
        kind,
        units,
        communities,
        submissions([*units, *own], months),
        reports,
        root,
        included_by([root_report]) if root_report is not None else None,
    )


@login_required
def dashboard(request):
    """Which units below have reported on a month, on time or not, their figures side by side, and trends."""
    user = request.user
    _require_reader(user)
    if user.tier == OrgUnitKind.COMMUNITY and not user.is_superuser:
        return redirect("reporting:report_home")
    now = timezone.now()
    latest = periods.previous_period(timezone.localdate(now))
    period = periods.parse_period(request.GET.get("month", "")) or latest
    months = periods.periods_ending(period, HISTORY_MONTHS)
    year_months = periods.year_to_date(period)
    # What the units and their reports say is kept until a report or an org unit changes. The
    # figures of units that have not submitted, the open risks and the states are not.
    kind, units, communities, submitted, reports, root, included = kept(
        user,
        what=f"dashboard {catalogue.VERSION}\n{period:%Y-%m}",
        today=timezone.localdate(now),
        build=lambda: _dashboard_reading(user, period, sorted({*months, *year_months})),
        scope=scope_q(user),  # that of OrgUnit.objects.visible_to, which the reading starts from
        generations=[GENERATION_KEY, REPORTS_GENERATION_KEY],
    )
    if root is None:
        raise PermissionDenied
    rollup = month_rollup(
        user=user,
        unit=root,
        period=period,
        now=now,
        units=units,
        submitted=submitted,
        reports=reports,
        included=included,
    )
    rows = rollup.rows
    own_unit = user.org_unit if user.org_unit and user.org_unit.kind in REPORTING_KINDS else None
    context = {
        "period": period,
        "latest": latest,
        "kind": kind,
        "rows": rows,
        "own": rollup.own,
        "columns": catalogue.shown(catalogue.DASHBOARD, kind),
        # The total row lines up under the rows' columns.
        "own_cells": catalogue.cells(rollup.own.figures, catalogue.DASHBOARD, kind),
        "state_cards": [
            {"state": state, "label": UnitState.LABELS[state], "count": count}
            for state, count in state_counts(rows).items()
        ],
        "outstanding": sum(1 for row in rows if row.state not in (UnitState.ON_TIME, UnitState.LATE)),
        "export_unit": user.org_unit,
        "charts": _trend_charts(communities, units, months, now, submitted),
        "own_unit": own_unit,
        "can_remind": any(services.can_review(user, unit) for unit in units),
        # As "YYYY-MM" once, not through the date filter in every option and row link.
        "month_key": f"{period:%Y-%m}",
        "month_choices": [f"{month:%Y-%m}" for month in periods.periods_ending(latest, HISTORY_MONTHS)[::-1]],
    }
    return render(request, "reporting/dashboard.html", context)


def _trend_charts(
    communities: list[OrgUnit], units: list[OrgUnit], months: list[dt.date], now, submitted: dict
) -> list:
    labels = [f"{month:%y-%m}" for month in months]
    trend = report_figures.monthly_trend(communities, months)
    timeliness = on_time_trend(units, months, now=now, submitted=submitted)  # the units' own keys only
    return [
        charts.bar_chart(
            catalogue.BY_KEY["patrol_day_rate"].label,
            labels,
            [
                charts.Series(
                    catalogue.BY_KEY["patrol_day_rate"].label, [row["patrol_day_rate"] for row in trend]
                )
            ],
            max_value=100,
            suffix="%",
        ),
        charts.bar_chart(
            _("Visits and findings"),
            labels,
            [
                charts.Series(catalogue.BY_KEY["visits"].label, [row["visits"] for row in trend]),
                charts.Series(
                    catalogue.BY_KEY["findings"].label, [row["findings"] for row in trend], color="#dc2626"
                ),
            ],
        ),
        charts.bar_chart(
            _("Monthly reports"),
            labels,
            [
                charts.Series(_("On time"), [row["on_time"] for row in timeliness], color="#16a34a"),
                charts.Series(_("Late"), [row["late"] for row in timeliness], color="#f59e0b"),
                charts.Series(_("Missing"), [row["missing"] for row in timeliness], color="#dc2626"),
            ],
            stacked=True,
        ),
    ]


@login_required
@require_POST
def remind(request):
    """One click: remind every unit below that has not submitted its report on the month."""
    _require_reader(request.user)
    period = _period_or_404(request.POST.get("month", ""))
    _kind, units = _dashboard_units(request.user, period)
    if not any(services.can_review(request.user, unit) for unit in units):
        raise PermissionDenied
    count = services.report_reminder_send(user=request.user, units=units, period=period)
    if count:
        messages.success(request, _("Reminders sent to %(count)d units.") % {"count": count})
    else:
        messages.info(request, _("Every unit has submitted; no reminder was needed."))
    return redirect(f"{reverse('reporting:dashboard')}?month={period:%Y-%m}")


urlpatterns = [
    path("", report_home, name="report_home"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/remind/", remind, name="remind"),
    path("<int:unit_id>/<str:period>/", report_detail, name="report"),
]
