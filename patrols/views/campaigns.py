"""The district's patrol plans: special campaigns, monthly targets per kind, and who falls short."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config import bounds
from orgs.models import OrgUnit, Role
from patrols import governance
from patrols.forms import PatrolTargetForm, SpecialCampaignForm
from patrols.models import PatrolTarget, SpecialCampaign
from patrols.services import campaigns as services


def _require_reader(user) -> None:
    """The plans are the staff's: a volunteer has no patrol records to count."""
    if user.role == Role.VOLUNTEER and not user.is_superuser:
        raise PermissionDenied


def _show_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def campaign_list(request):
    _require_reader(request.user)
    campaigns = SpecialCampaign.objects.visible_to(request.user).select_related("district")
    context = {"campaigns": campaigns, "can_plan": governance.sets_patrol_plans(request.user)}
    return render(request, "patrols/campaign_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int | None = None):
    """A district office creates or changes one of its special campaigns."""
    campaign = None
    if pk is not None:
        campaign = get_object_or_404(SpecialCampaign.objects.visible_to(request.user), pk=pk)
    if not governance.sets_patrol_plans(request.user):
        raise PermissionDenied
    if campaign is not None and campaign.district_id != request.user.org_unit_id:
        raise PermissionDenied
    initial = {}
    if campaign is not None:
        initial = {
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "checklist_items": "\n".join(campaign.checklist_items),
        }
    form = SpecialCampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_save(user=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Special campaign saved."))
            return redirect("patrols:campaign_list")
    context = {"form": form, "campaign": campaign}
    return render(request, "patrols/campaign_form.html", context, status=400 if form.errors else 200)


def _month(request) -> dt.date:
    return bounds.parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)


@login_required
@require_http_methods(["GET", "POST"])
def patrol_targets(request):
    """The month's records of each kind per community against the district's targets; the
    district office sets the targets here."""
    user = request.user
    _require_reader(user)
    can_plan = governance.sets_patrol_plans(user)
    form = None
    if can_plan:
        targets = dict(
            PatrolTarget.objects.filter(district_id=user.org_unit_id).values_list("kind", "monthly_minimum")
        )
        form = PatrolTargetForm(request.POST or None, targets=targets)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            for kind, minimum in form.cleaned_data.items():
                services.target_set(user=user, kind=kind, monthly_minimum=minimum)
            messages.success(request, _("Patrol targets saved."))
            return redirect("patrols:patrol_targets")
    first = _month(request)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    communities = list(OrgUnit.objects.visible_to(user).communities().order_by("path"))
    rows = services.target_rows(communities, first, last)
    show_all = request.GET.get("all") == "1"
    context = {
        "form": form,
        "first": first,
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        "rows": rows if show_all else [row for row in rows if row.short],
        "short_count": sum(row.short for row in rows),
        "show_all": show_all,
        "has_targets": bool(rows),
    }
    return render(
        request, "patrols/patrol_targets.html", context, status=400 if form and form.errors else 200
    )


urlpatterns = [
    path("patrols/campaigns/", campaign_list, name="campaign_list"),
    path("patrols/campaigns/new/", campaign_edit, name="campaign_create"),
    path("patrols/campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("patrols/targets/", patrol_targets, name="patrol_targets"),
]
