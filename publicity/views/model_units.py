"""Pages for model units (示范创建, §8): the year's targets and progress, a target and its candidates."""

from __future__ import annotations

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

from orgs.models import OrgUnit, OrgUnitKind, User
from patrols.models import Establishment
from publicity.model_units import (
    ESTABLISHMENT_CATEGORIES,
    FIRST_YEAR,
    LAST_YEAR,
    PLAN_TARGETS,
    may_manage_model_units,
    model_candidate_add,
    model_candidate_set_status,
    model_progress,
    model_rollup,
    model_target_save,
    model_targets_from_plan,
    model_totals,
)
from publicity.models import CandidateStatus, ModelCandidate, ModelTarget

NOTES_MAX_LENGTH = 1000
TARGET_MAX = 999


class TargetForm(forms.Form):
    department = forms.CharField(label=gettext_lazy("Responsible department"), max_length=60)
    target = forms.IntegerField(label=gettext_lazy("Target"), min_value=1, max_value=TARGET_MAX)


class EstablishmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Establishment) -> str:
        return f"{obj.name} · {obj.community.name}"


class CandidateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), queryset=OrgUnit.objects.none(), required=False
    )
    establishment = EstablishmentChoiceField(
        label=gettext_lazy("Establishment in the registry"),
        queryset=Establishment.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "When the unit is in the registry, it becomes a model unit there once accepted."
        ),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, target: ModelTarget, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            OrgUnit.objects.communities().active().filter(parent=target.district)
        )
        categories = ESTABLISHMENT_CATEGORIES.get(target.category)
        if categories:
            self.fields["establishment"].queryset = (
                Establishment.objects.open()
                .filter(community__parent=target.district, category__in=categories)
                .select_related("community")
                .order_by("community__path", "name")
            )
        else:
            del self.fields["establishment"]


class CandidateStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CandidateStatus.choices)
    notes = forms.CharField(max_length=NOTES_MAX_LENGTH, required=False)


def _year(request) -> int:
    """The year asked for in ?year=, else this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _years(user: User, year: int) -> list[int]:
    """The years to pick from: those with targets, this year and the next, and the one shown."""
    this_year = timezone.localdate().year
    years = set(ModelTarget.objects.visible_to(user).values_list("year", flat=True).distinct())
    return sorted(years | {this_year, this_year + 1, year}, reverse=True)


def _district_of(request) -> OrgUnit | None:
    """The district whose targets to show; None for the city's overview of every district."""
    user = request.user
    if user.tier == OrgUnitKind.CITY:
        if not request.GET.get("district"):
            return None
        try:
            pk = int(request.GET["district"])
        except ValueError as error:
            raise Http404 from error
        return get_object_or_404(OrgUnit.objects.visible_to(user).districts(), pk=pk)
    unit = user.org_unit
    if unit is None:
        raise Http404
    return unit if unit.kind == OrgUnitKind.DISTRICT else unit.parent


@login_required
def model_units(request):
    """The year's targets of a district with their candidates, or for the city one row per district."""
    year = _year(request)
    district = _district_of(request)
    context = {"year": year, "years": _years(request.user, year), "district": district}
    targets = ModelTarget.objects.visible_to(request.user).filter(year=year)
    if district is None:
        progress = model_progress(targets)
        districts = OrgUnit.objects.visible_to(request.user).districts().order_by("path")
        context["rollup"] = model_rollup(progress, districts)
        return render(request, "publicity/model_units.html", context)

    progress = model_progress(targets.filter(district=district))
    candidates = (
        ModelCandidate.objects.visible_to(request.user)
        .filter(target__in=[row["object"] for row in progress])
        .select_related("community", "establishment")
        .order_by("name")
    )
    by_target: dict[int, list[ModelCandidate]] = {}
    for candidate in candidates:
        by_target.setdefault(candidate.target_id, []).append(candidate)
    for row in progress:
        row["candidates"] = by_target.get(row["object"].pk, [])
    can_manage = may_manage_model_units(request.user, district)
    context |= {
        "progress": progress,
        "totals": model_totals(progress),
        "can_manage": can_manage,
        "plan_missing": can_manage and len(progress) < len(PLAN_TARGETS),
        "is_city": request.user.tier == OrgUnitKind.CITY,
    }
    return render(request, "publicity/model_units.html", context)


@login_required
@require_POST
def model_units_plan(request):
    """Create the district's targets for the year from the plan."""
    try:
        year = int(request.POST.get("year", ""))
        district_pk = int(request.POST.get("district", ""))
    except ValueError as error:
        raise Http404 from error
    district = get_object_or_404(OrgUnit.objects.visible_to(request.user).districts(), pk=district_pk)
    try:
        created = model_targets_from_plan(user=request.user, district=district, year=year)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s targets created from the plan.") % {"count": created})
    url = reverse("publicity:model_units")
    query = f"year={year}"
    if request.user.tier == OrgUnitKind.CITY:
        query += f"&district={district.pk}"
    return redirect(f"{url}?{query}")


@login_required
@require_http_methods(["GET", "POST"])
def model_target(request, pk: int):
    """A target with its candidates; the district office edits it and puts candidates forward."""
    target = get_object_or_404(ModelTarget.objects.visible_to(request.user).select_related("district"), pk=pk)
    can_manage = may_manage_model_units(request.user, target.district)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted and not can_manage:
        raise PermissionDenied
    target_form = TargetForm(
        request.POST if posted == "target" else None,
        initial={"department": target.department, "target": target.target},
    )
    candidate_form = CandidateForm(request.POST if posted == "candidate" else None, target=target)
    if posted == "target" and target_form.is_valid() and _save(target_form, _target_saver(request, target)):
        messages.success(request, _("Target saved."))
        return redirect("publicity:model_target", pk=target.pk)
    if (
        posted == "candidate"
        and candidate_form.is_valid()
        and _save(candidate_form, _candidate_adder(request, target))
    ):
        messages.success(request, _("Candidate added."))
        return redirect("publicity:model_target", pk=target.pk)
    return render(
        request,
        "publicity/model_target.html",
        {
            "target": target,
            "row": model_progress(ModelTarget.objects.filter(pk=target.pk))[0],
            "candidates": ModelCandidate.objects.visible_to(request.user)
            .filter(target=target)
            .select_related("community", "establishment"),
            "can_manage": can_manage,
            "target_form": target_form,
            "candidate_form": candidate_form,
            "statuses": CandidateStatus.choices,
        },
    )


def _target_saver(request, target: ModelTarget):
    def save(data: dict) -> None:
        model_target_save(
            user=request.user, target=target, department=data["department"], target_count=data["target"]
        )

    return save


def _candidate_adder(request, target: ModelTarget):
    def add(data: dict) -> None:
        model_candidate_add(user=request.user, target=target, **data)

    return add


def _save(form: forms.Form, service) -> bool:
    """Call the service with the form's data; put its refusal on the form."""
    try:
        service(form.cleaned_data)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


@login_required
@require_POST
def model_candidate_status(request, pk: int):
    candidate = get_object_or_404(
        ModelCandidate.objects.visible_to(request.user).select_related("target__district", "establishment"),
        pk=pk,
    )
    form = CandidateStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        try:
            model_candidate_set_status(user=request.user, candidate=candidate, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": candidate.name, "status": candidate.get_status_display()},
            )
    return redirect("publicity:model_target", pk=candidate.target_id)


urlpatterns = [
    path("model-units/", model_units, name="model_units"),
    path("model-units/plan/", model_units_plan, name="model_units_plan"),
    path("model-units/targets/<int:pk>/", model_target, name="model_target"),
    path("model-units/candidates/<int:pk>/status/", model_candidate_status, name="model_candidate_status"),
]
