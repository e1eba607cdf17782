"""Incident pages: the list, the first report, and the detail page where follow-ups are added.

There are no edit or delete pages: a report, once made, stays as it was made.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config import bounds
from config.pagination import paginate
from patrols.models import ESCALATION_NOTE_MAX_LENGTH, Establishment, Incident
from patrols.services.incidents import (
    can_escalate_incident,
    can_follow_up_incident,
    can_report_incident,
    incident_escalate,
    incident_follow_up,
    incident_report,
)

PAGE_SIZE = 50
# What the datetime-local input sends and shows; it is read in the current
# time zone, Asia/Shanghai (settings.TIME_ZONE).
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class IncidentForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Happened at"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )
    unit_name = forms.CharField(label=gettext_lazy("Unit involved"), max_length=120)
    establishment = forms.ModelChoiceField(
        label=gettext_lazy("Registered establishment"),
        queryset=Establishment.objects.none(),
        required=False,
        help_text=gettext_lazy("If the unit is in the registry."),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    people_affected = forms.IntegerField(
        label=gettext_lazy("People affected"),
        min_value=0,
        max_value=bounds.COUNT_MAX,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    facts = forms.CharField(label=gettext_lazy("Basic facts"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = (
            Establishment.objects.visible_to(user).filter(community_id=user.org_unit_id).order_by("name")
        )
        self.fields["occurred_at"].widget.attrs["max"] = timezone.localtime().strftime(LOCAL_MINUTE)


class FollowUpForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Follow-up report"), widget=forms.Textarea(attrs={"rows": 4}))
    is_final = forms.BooleanField(label=gettext_lazy("Final report, close the incident"), required=False)


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason for escalation"),
        max_length=ESCALATION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def incident_list(request):
    incidents = (
        Incident.objects.visible_to(request.user)
        .select_related("community")
        .annotate(report_count=Count("reports"))
        .order_by("-occurred_at", "-pk")  # an aggregate drops Meta.ordering
    )
    state = request.GET.get("state", "")
    if state == "open":
        incidents = incidents.open()
    elif state == "closed":
        incidents = incidents.filter(closed_at__isnull=False)
    escalated = request.GET.get("escalated", "") == "1"
    if escalated:
        incidents = incidents.escalated()
    return render(
        request,
        "patrols/incident_list.html",
        {
            **paginate(request, incidents, PAGE_SIZE),
            "state": state,
            "escalated": escalated,
            "can_report": can_report_incident(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    if not can_report_incident(request.user):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_report(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Incident reported. The district office has been alerted."))
            return redirect("patrols:incident_detail", pk=incident.pk)
    return render(request, "patrols/incident_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request, pk: int):
    """The first report, the timeline of follow-ups, and while open a form for the next one."""
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user).select_related(
            "community", "establishment", "reported_by", "escalated_by"
        ),
        pk=pk,
    )
    # The form is there for whoever may add a report; the service refuses one on a closed incident.
    may_follow_up = can_follow_up_incident(request.user, incident)
    form = FollowUpForm(request.POST or None) if may_follow_up else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = incident_follow_up(user=request.user, incident=incident, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if report.is_final:
                    messages.success(request, _("Final report added; the incident is closed."))
                else:
                    messages.success(request, _("Follow-up report added."))
                return redirect("patrols:incident_detail", pk=incident.pk)
    reports = incident.reports.select_related("reported_by")
    may_escalate = not incident.is_escalated and can_escalate_incident(request.user, incident)
    return render(
        request,
        "patrols/incident_detail.html",
        {
            "incident": incident,
            "reports": reports,
            "form": form,
            "escalate_form": EscalateForm() if may_escalate else None,
        },
    )


@login_required
@require_http_methods(["POST"])
def incident_escalate_view(request, pk: int):
    """The district office sends the incident up to the city, with the reason."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user).select_related("community"), pk=pk)
    if not can_escalate_incident(request.user, incident):
        raise PermissionDenied
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            incident_escalate(user=request.user, incident=incident, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The incident was escalated to the city; its officers have been alerted.")
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("patrols:incident_detail", pk=incident.pk)


urlpatterns = [
    path("incidents/", incident_list, name="incident_list"),
    path("incidents/new/", incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/escalate/", incident_escalate_view, name="incident_escalate"),
]
