"""Training and drills (§7): the year's targets against what was done, and one session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind
from publicity import forms, services
from publicity.models import TrainingKind, TrainingSession
from publicity.training import district_year

RECENT = 20


def _districts(user) -> list[OrgUnit]:
    """The districts whose targets the user reads: their own (a community's is its district's)."""
    unit = user.org_unit
    if unit is not None and unit.kind == OrgUnitKind.COMMUNITY and not user.is_superuser:
        return [unit.parent] if unit.parent and unit.parent.kind == OrgUnitKind.DISTRICT else []
    return list(OrgUnit.objects.visible_to(user).filter(kind=OrgUnitKind.DISTRICT).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def training_home(request):
    """A district's targets for the year, each against what was done, who falls short; recent sessions."""
    user, today = request.user, timezone.localdate()
    year = bounds.parse_year(request.GET.get("year", today.year))
    if year is None:
        raise Http404
    districts = _districts(user)
    district = districts[0] if districts else None
    if "district" in request.GET:
        pk = bounds.parse_id(request.GET["district"])
        district = next((d for d in districts if d.pk == pk), None)
        if district is None:
            raise Http404
    may_set = district is not None and services.may_set_training_targets(user, district)
    form = forms.TrainingTargetForm(request.POST or None)
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.training_target_set(user=user, district=district, year=year, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Target saved."))
                return redirect(f"{request.path}?year={year}&district={district.pk}")
    progress = district_year(user, district, year) if district else []
    sessions = (
        TrainingSession.objects.visible_to(user)
        .filter(date__year=year)
        .select_related("community", "organiser")[:RECENT]
    )
    context = {
        "year": year,
        "years": range(today.year - 4, today.year + 2),
        "district": district,
        "districts": districts,
        "progress": progress,
        "sessions": sessions,
        "form": form,
        "may_set": may_set,
        "can_log": services.can_log_training(user),
        "drill": TrainingKind.DRILL,
    }
    return render(request, "publicity/training.html", context)


@login_required
def training_session(request, pk: int):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related(
            "community", "organiser", "created_by"
        ),
        pk=pk,
    )
    context = {
        "session": session,
        "attendees": session.attendees.select_related("org_unit").order_by("full_name", "pk"),
        "outsiders": session.outsiders.all(),
    }
    return render(request, "publicity/training_session.html", context)


urlpatterns = [
    path("training/", training_home, name="training"),
    path("training/<int:pk>/", training_session, name="training_session"),
]
