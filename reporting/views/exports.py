"""A month's Excel workbook and PDF summary, for a community, a district or the city (§6)."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path

from config.downloads import PDF, XLSX, attachment
from orgs.models import OrgUnit
from reporting import periods
from reporting.exports import EXPORTED_KINDS, write_month_workbook
from reporting.models import StoredSummary
from reporting.pdf import month_summary_pdf


def _unit_and_period(request, unit_id: int, period: str):
    if not request.user.can_view_registry:
        raise PermissionDenied
    unit = get_object_or_404(
        OrgUnit.objects.visible_to(request.user).filter(kind__in=EXPORTED_KINDS), pk=unit_id
    )
    month = periods.parse_period(period)
    if month is None:
        raise Http404
    return unit, month


@login_required
def export_xlsx(request, unit_id: int, period: str):
    unit, month = _unit_and_period(request, unit_id, period)
    # Written to a temporary file and streamed from it: a city's workbook is not held in memory.
    content = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    try:
        write_month_workbook(content, user=request.user, unit=unit, period=month)
    except BaseException:
        content.close()
        raise
    content.seek(0)
    name = f"{unit.name}-{month:%Y-%m}"
    return attachment(content, XLSX, f"月报-{name}.xlsx", f"report-{unit.code}-{month:%Y-%m}.xlsx")


@login_required
def export_pdf(request, unit_id: int, period: str):
    unit, month = _unit_and_period(request, unit_id, period)
    content = month_summary_pdf(user=request.user, unit=unit, period=month)
    name = f"{unit.name}-{month:%Y-%m}"
    return attachment(content, PDF, f"月报摘要-{name}.pdf", f"summary-{unit.code}-{month:%Y-%m}.pdf")


@login_required
def stored_summary(request, unit_id: int, period: str):
    """The summary as it was made and sent after the deadline, not rendered again."""
    unit, month = _unit_and_period(request, unit_id, period)
    summary = get_object_or_404(StoredSummary, unit=unit, period=month)
    name = f"{unit.name}-{month:%Y-%m}"
    with summary.file.open("rb") as stored:
        content = stored.read()
    return attachment(content, PDF, f"月报摘要-{name}.pdf", f"summary-{unit.code}-{month:%Y-%m}.pdf")


urlpatterns = [
    path("<int:unit_id>/<str:period>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:unit_id>/<str:period>/summary.pdf", export_pdf, name="export_pdf"),
    path("<int:unit_id>/<str:period>/sent-summary.pdf", stored_summary, name="stored_summary"),
]
