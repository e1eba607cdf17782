"""A month's Excel workbook and PDF summary, for a community, a district or the city (§6)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from orgs.models import OrgUnit
from reporting import periods
from reporting.exports import EXPORTED_KINDS, month_workbook
from reporting.pdf import month_summary_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _attachment(content: bytes, content_type: str, name: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 6266/5987: the Chinese name for browsers that read filename*, an ASCII one for the rest.
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def export_xlsx(request, unit_id: int, period: str):
    unit, month = _unit_and_period(request, unit_id, period)
    content = month_workbook(user=request.user, unit=unit, period=month)
    name = f"{unit.name}-{month:%Y-%m}"
    return _attachment(content, XLSX, f"月报-{name}.xlsx", f"report-{unit.code}-{month:%Y-%m}.xlsx")


@login_required
def export_pdf(request, unit_id: int, period: str):
    unit, month = _unit_and_period(request, unit_id, period)
    content = month_summary_pdf(user=request.user, unit=unit, period=month)
    name = f"{unit.name}-{month:%Y-%m}"
    return _attachment(
        content, "application/pdf", f"月报摘要-{name}.pdf", f"summary-{unit.code}-{month:%Y-%m}.pdf"
    )


urlpatterns = [
    path("<int:unit_id>/<str:period>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:unit_id>/<str:period>/summary.pdf", export_pdf, name="export_pdf"),
]
