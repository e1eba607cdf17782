"""The district office sets its grading coverage deadline; the page shows where the district stands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config import bounds
from patrols.governance import office_district
from patrols.models import GRADING_TARGET_DEFAULT, GradingTarget
from patrols.selectors import grading_status
from patrols.services.grading import grading_target_set


class GradingTargetForm(forms.Form):
    target_percent = forms.IntegerField(
        label=gettext_lazy("Target coverage (%)"), min_value=1, max_value=100, initial=GRADING_TARGET_DEFAULT
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        validators=[bounds.validate_day],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grading_target(request):
    district = office_district(request.user)
    if district is None:
        raise PermissionDenied
    current = GradingTarget.objects.filter(district=district).first()
    initial = {"target_percent": current.target_percent, "deadline": current.deadline} if current else None
    form = GradingTargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grading_target_set(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The grading deadline was saved."))
            return redirect("patrols:grading_target")
    status = grading_status(district, on=timezone.localdate())
    return render(
        request, "patrols/grading_target.html", {"form": form, "grading": status, "district": district}
    )


urlpatterns = [path("grading-target/", grading_target, name="grading_target")]
