from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.downloads import XLSX
from config.pagination import paginate
from orgs.decorators import capability_required
from patrols.filters import EstablishmentFilter
from patrols.forms import EstablishmentForm, ImportForm
from patrols.models import Establishment
from patrols.services.establishments import establishment_export, establishment_import, establishment_save
from patrols.views.proposals import establishment_page

PAGE_SIZE = 50


def _filtered(request) -> EstablishmentFilter:
    queryset = Establishment.objects.visible_to(request.user).select_related("community")
    return EstablishmentFilter(request.GET, queryset=queryset, request=request)


@capability_required("can_view_registry")
def establishment_list(request):
    filterset = _filtered(request)
    context = {
        "filter": filterset,
        **paginate(request, filterset.qs, PAGE_SIZE),
        "today": timezone.localdate(),
    }
    return render(request, "patrols/establishment_list.html", context)


@capability_required("can_view_registry")
def establishment_detail(request, pk: int):
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user).select_related("community", "grid"), pk=pk
    )
    return render(request, "patrols/establishment_detail.html", establishment_page(request, establishment))


@capability_required("can_edit_registry")
@require_http_methods(["GET", "POST"])
def establishment_create(request):
    form = EstablishmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        name = form.instance.name
        messages.success(request, _("Establishment “%(name)s” registered.") % {"name": name})
        return redirect("patrols:establishment_detail", pk=form.instance.pk)
    return render(request, "patrols/establishment_form.html", {"form": form})


@capability_required("can_edit_registry")
@require_http_methods(["GET", "POST"])
def establishment_edit(request, pk: int):
    establishment = get_object_or_404(Establishment.objects.visible_to(request.user), pk=pk)
    form = EstablishmentForm(request.POST or None, instance=establishment, user=request.user)
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        messages.success(request, _("Changes saved."))
        return redirect("patrols:establishment_detail", pk=establishment.pk)
    return render(request, "patrols/establishment_form.html", {"form": form, "establishment": establishment})


@capability_required("can_view_registry")
def establishment_export_xlsx(request):
    content = establishment_export(user=request.user, queryset=_filtered(request).qs)
    return _xlsx_response(content, f"establishments-{timezone.localdate():%Y%m%d}.xlsx")


@capability_required("can_edit_registry")
def establishment_import_template(request):
    content = establishment_export(user=request.user, queryset=Establishment.objects.none())
    return _xlsx_response(content, "establishments-template.xlsx")


@capability_required("can_edit_registry")
@require_http_methods(["GET", "POST"])
def establishment_import_xlsx(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = establishment_import(user=request.user, content=form.cleaned_data["file"].read())
        if report.ok:
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d updated.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("patrols:establishment_list")
    status = 400 if report and not report.ok else 200
    return render(
        request, "patrols/establishment_import.html", {"form": form, "report": report}, status=status
    )


def _saved(request, form: EstablishmentForm) -> bool:
    """Save through the service; what it refuses (patrols.governance) is shown on the form."""
    try:
        establishment_save(
            establishment=form.instance, user=request.user, reason=form.cleaned_data.get("change_reason", "")
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
