"""Publicity pages (§7): what a community has done and owes, logging it, the campaign calendar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from orgs.models import OrgUnit, OrgUnitKind
from patrols.models import Category, Establishment
from publicity import forms, services
from publicity.models import (
    Activity,
    BoardUpdate,
    Campaign,
    CollectionBox,
)
from publicity.selectors import board_states, missed_campaigns, publicity_figures
from reporting import periods

# What the "add" page can log, with its title.
RECORD_KINDS = {
    "board": gettext_lazy("Board or slogan update"),
    "activity": gettext_lazy("Publicity activity"),
    "brochure": gettext_lazy("Brochures to households"),
    "training": gettext_lazy("Training, meeting or drill"),
    "box": gettext_lazy("New medicine collection box"),
    "collection": gettext_lazy("Medicine collection"),
}
RECENT = 10


@login_required
def publicity_home(request):
    """A community sees what it has done and owes; the district and city see every community's state."""
    user, today = request.user, timezone.localdate()
    period = periods.period_of(today)
    if user.org_unit is not None and user.org_unit.kind == OrgUnitKind.COMMUNITY:
        community = user.org_unit
        context = {
            "community": community,
            "states": board_states([community], today=today)[community.pk],
            "missed_campaigns": missed_campaigns([community], today=today)[community.pk],
            "month": publicity_figures([community.pk], period, today)[community.pk],
            "boards": BoardUpdate.objects.filter(community=community)[:RECENT],
            "activities": Activity.objects.filter(community=community).select_related("campaign")[:RECENT],
            "boxes": CollectionBox.objects.filter(community=community).select_related("pharmacy"),
            "can_log": services.can_log_publicity(user),
            "kinds": RECORD_KINDS,
        }
        return render(request, "publicity/community.html", context)
    communities = list(OrgUnit.objects.visible_to(user).communities().active().select_related("parent"))
    states = board_states(communities, today=today)
    month = publicity_figures([c.pk for c in communities], period, today)
    missed = missed_campaigns(communities, today=today)
    rows = [
        {"community": c, "states": states[c.pk], "month": month[c.pk], "missed": missed[c.pk]}
        for c in communities
    ]
    return render(request, "publicity/overview.html", {"rows": rows, "period": period})


def _form_for(kind: str, user, data=None, files=None):
    community = user.org_unit
    initial = forms.initial_today()
    if kind == "board":
        return forms.BoardUpdateForm(data, files, initial=initial)
    if kind == "activity":
        campaigns = Campaign.objects.visible_to(user).filter(year=timezone.localdate().year)
        return forms.ActivityForm(data, files, initial=initial, campaigns=campaigns)
    if kind == "brochure":
        return forms.BrochureDropForm(data, initial=initial)
    if kind == "training":
        return forms.TrainingSessionForm(
            data,
            initial=initial,
            communities=services.training_communities(user),
            people=services.training_attendees(user),
            own_community=community is not None and community.kind == OrgUnitKind.COMMUNITY,
        )
    if kind == "box":
        pharmacies = Establishment.objects.filter(community=community, category=Category.PHARMACY)
        return forms.CollectionBoxForm(data, initial=initial, pharmacies=pharmacies)
    boxes = CollectionBox.objects.filter(community=community, removed_on__isnull=True)
    return forms.BoxCollectionForm(data, initial=initial, boxes=boxes)


def _save(kind: str, user, form, files) -> None:
    if kind == "box":
        services.collection_box_add(user=user, box=form.save(commit=False))
    elif kind == "collection":
        services.box_collection_add(user=user, collection=form.save(commit=False))
    elif kind == "training":
        services.training_session_add(
            user=user,
            session=form.save(commit=False),
            attendees=form.cleaned_data["attendees"],
            outsiders=form.cleaned_data["outsiders"],
            community=form.cleaned_data.get("community"),
        )
    else:
        services.publicity_record_add(user=user, record=form.save(commit=False), photo=files.get("photo"))


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request, kind: str):
    if kind not in RECORD_KINDS:
        raise Http404
    may_log = services.can_log_training if kind == "training" else services.can_log_publicity
    if not may_log(request.user):
        raise PermissionDenied
    form = _form_for(kind, request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            _save(kind, request.user, form, request.FILES)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("publicity:training" if kind == "training" else "publicity:home")
    return render(request, "publicity/record_form.html", {"form": form, "title": RECORD_KINDS[kind]})


PHOTO_MODELS = {"board": BoardUpdate, "activity": Activity}


@login_required
def photo(request, kind: str, pk: int):
    """Photos are served only to people who may see their record, never straight from storage."""
    model = PHOTO_MODELS.get(kind)
    if model is None:
        raise Http404
    record = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    if not record.photo:
        raise Http404
    try:
        handle = record.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    # A browser may keep it; a shared cache between the user and us may not.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def campaign_calendar(request):
    """The year's campaigns, each with how many activities and people the visible communities logged."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    services.campaign_calendar(year=year)
    form = forms.CampaignForm(request.POST or None)
    can_add = request.user.role in services.CAMPAIGN_ROLES or request.user.is_superuser
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            services.campaign_add(user=request.user, campaign=form.save(commit=False))
            messages.success(request, _("Campaign added."))
            return redirect(f"{request.path}?year={year}")
    # The page shows each campaign's district: fetched with it, not one query per row.
    campaigns = Campaign.objects.visible_to(request.user).filter(year=year).select_related("district")
    done = _campaign_activity(request.user, campaigns)
    rows = [{"campaign": c, **done.get(c.pk, {"n": 0, "people": 0})} for c in campaigns]
    context = {"rows": rows, "year": year, "form": form, "can_add": can_add}
    return render(request, "publicity/calendar.html", context)


def _campaign_activity(user, campaigns) -> dict[int, dict]:
    rows = (
        Activity.objects.visible_to(user)
        .filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(n=Count("pk"), people=Sum("attendance"))
    )
    return {row["campaign_id"]: row for row in rows}


urlpatterns = [
    path("", publicity_home, name="home"),
    path("new/<str:kind>/", record_new, name="record_new"),
    path("photo/<str:kind>/<int:pk>/", photo, name="photo"),
    path("calendar/", campaign_calendar, name="calendar"),
]
