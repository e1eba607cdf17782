"""Pages for rectifications (整改): the list by severity and deadline, a finding with its evidence,
follow-up form and timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.pagination import paginate
from orgs.models import Role
from patrols.forms import EvidenceForm, FollowUpForm, RectificationPolicyForm
from patrols.models import Finding, RectificationEvidence, RectificationPolicy
from patrols.services import rectifications as services

PAGE_SIZE = 30
DISTRICT_OFFICE_ROLES = (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON)


def _finding_for(request, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.visible_to(request.user).select_related(
            "establishment", "community", "visit__patrol", "found_by"
        ),
        pk=pk,
    )


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def finding_list(request):
    """Open rectifications first by severity, then deadline; or every finding."""
    findings = Finding.objects.visible_to(request.user).select_related(
        "establishment", "community", "visit__patrol"
    )
    state = request.GET.get("state", "open")
    today = timezone.localdate()
    if state == "open":
        findings = findings.open_risks()
    elif state == "overdue":
        findings = findings.overdue(on=today)
    findings = findings.most_urgent_first() if state in ("open", "overdue") else findings
    context = {
        **paginate(request, findings, PAGE_SIZE),
        "state": state,
        "today": today,
        "sets_rules": request.user.role in DISTRICT_OFFICE_ROLES,
    }
    return render(request, "patrols/finding_list.html", context)


@login_required
def finding_detail(request, pk: int):
    finding = _finding_for(request, pk)
    user = request.user
    in_community = user.org_unit_id == finding.community_id
    may_act = finding.is_rectification and finding.is_open and in_community
    context = {
        "finding": finding,
        "steps": finding.steps.select_related("actor"),
        "evidence": finding.evidence.all(),
        "today": timezone.localdate(),
        "evidence_form": EvidenceForm() if may_act and user.role in services.EVIDENCE_ROLES else None,
        "follow_up_form": FollowUpForm() if may_act and user.role == Role.INSPECTOR else None,
        "finder_is_only_inspector": finding.found_by_id == user.pk and services.finder_may_follow_up(finding),
    }
    return render(request, "patrols/finding_detail.html", context)


@login_required
@require_POST
def evidence_add(request, pk: int):
    finding = _finding_for(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo."))
        return redirect("patrols:finding_detail", pk=finding.pk)
    try:
        services.rectification_evidence_add(
            user=request.user, finding=finding, upload=form.cleaned_data["image"]
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Evidence added."))
    return redirect("patrols:finding_detail", pk=finding.pk)


@login_required
@require_POST
def follow_up(request, pk: int):
    finding = _finding_for(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the problem has been put right."))
        return redirect("patrols:finding_detail", pk=finding.pk)
    passed = form.cleaned_data["passed"] == "yes"
    try:
        services.rectification_follow_up(
            user=request.user, finding=finding, passed=passed, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Rectification closed.") if passed else _("Follow-up recorded."))
    return redirect("patrols:finding_detail", pk=finding.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rectification_rules(request):
    """A district office sets its own days to rectify per severity and its escalation delay."""
    user = request.user
    if user.role not in DISTRICT_OFFICE_ROLES:
        raise PermissionDenied
    policy = RectificationPolicy.for_district(user.org_unit_id)
    form = RectificationPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Rectification rules saved."))
        return redirect("patrols:finding_list")
    return render(
        request, "patrols/rectification_rules.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def evidence_file(request, pk: int):
    """An evidence photo, only for users who may see its finding."""
    evidence = get_object_or_404(RectificationEvidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = evidence.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("findings/", finding_list, name="finding_list"),
    path("findings/<int:pk>/", finding_detail, name="finding_detail"),
    path("findings/<int:pk>/evidence/", evidence_add, name="finding_evidence_add"),
    path("findings/<int:pk>/follow-up/", follow_up, name="finding_follow_up"),
    path("findings/evidence/<int:pk>/", evidence_file, name="finding_evidence_file"),
    path("findings/rules/", rectification_rules, name="rectification_rules"),
]
