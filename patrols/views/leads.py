"""Pages for leads (线索) and the reward ledger (§5)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from config.pagination import paginate
from patrols.models import LEAD_REWARD_YUAN, Establishment, Lead, LeadEvent, LeadSource, LeadStatus, Reward
from patrols.services.leads import (
    DISTRICT_ROLES,
    LeadAction,
    lead_actions,
    lead_dismiss,
    lead_escalate,
    lead_file,
    lead_report,
    lead_source_for,
    lead_verify,
    reward_mark_paid,
)

PAGE_SIZE = 50
DESCRIPTION_MAX_LENGTH = 2000


class LeadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=LeadStatus.choices)
    source = django_filters.ChoiceFilter(label=gettext_lazy("Source"), choices=LeadSource.choices)

    class Meta:
        model = Lead
        fields = ["status", "source"]


class LeadForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=gettext_lazy("Establishment"),
        queryset=Establishment.objects.none(),
        required=False,
        empty_label=gettext_lazy("None (a problem elsewhere in the community)"),
    )
    description = forms.CharField(
        label=gettext_lazy("What did you see?"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = (
            Establishment.objects.visible_to(user).filter(community_id=user.org_unit_id).open()
        )


# What each step is called on its button, and whether it needs a written reason.
ACTION_LABELS = {
    LeadAction.VERIFY: gettext_lazy("Start verifying"),
    LeadAction.FILE: gettext_lazy("File as a case"),
    LeadAction.DISMISS: gettext_lazy("Dismiss"),
    LeadAction.ESCALATE: gettext_lazy("Escalate to the city"),
}
ACTION_SERVICES = {
    LeadAction.VERIFY: lead_verify,
    LeadAction.FILE: lead_file,
    LeadAction.ESCALATE: lead_escalate,
}
ACTION_DONE = {
    LeadAction.VERIFY: gettext_lazy("Verification started."),
    LeadAction.FILE: gettext_lazy("The lead was filed as a case and the reward credited."),
    LeadAction.DISMISS: gettext_lazy("The lead was dismissed."),
    LeadAction.ESCALATE: gettext_lazy("The lead was escalated to the city."),
}


@login_required
def lead_list(request):
    queryset = Lead.objects.visible_to(request.user).select_related("community", "establishment")
    filterset = LeadFilter(request.GET, queryset=queryset, request=request)
    return render(
        request,
        "patrols/lead_list.html",
        {
            "filter": filterset,
            **paginate(request, filterset.qs, PAGE_SIZE),
            "can_report": lead_source_for(request.user) is not None,
        },
    )


@login_required
def lead_detail(request, pk: int):
    lead = get_object_or_404(
        Lead.objects.visible_to(request.user)
        .select_related("community", "establishment", "reporter", "reward")
        .prefetch_related(Prefetch("events", queryset=LeadEvent.objects.select_related("actor"))),
        pk=pk,
    )
    actions = [
        {
            "name": action.value,
            "label": ACTION_LABELS[action],
            "url": reverse(f"patrols:lead_{action}", args=[lead.pk]),
            "needs_reason": action == LeadAction.DISMISS,
        }
        for action in lead_actions(request.user, lead)
    ]
    return render(
        request,
        "patrols/lead_detail.html",
        {
            "lead": lead,
            "reward": getattr(lead, "reward", None),
            "actions": actions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request):
    """A community user reports a lead about an establishment of their community, or none."""
    source = lead_source_for(request.user)
    if source is None:
        raise PermissionDenied
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = lead_report(
            community=request.user.org_unit,
            establishment=form.cleaned_data["establishment"],
            description=form.cleaned_data["description"],
            source=source,
            reporter=request.user,
        )
        messages.success(request, _("Lead reported; the district office has been alerted."))
        return redirect("patrols:lead_detail", pk=lead.pk)
    return render(request, "patrols/lead_form.html", {"form": form, "reward_amount": LEAD_REWARD_YUAN})


@login_required
@require_POST
def lead_act(request, pk: int, action: LeadAction):
    """Take one step on a lead (verify, file, dismiss, escalate) from its page."""
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    note = request.POST.get("note", "")
    try:
        if action == LeadAction.DISMISS:
            lead_dismiss(user=request.user, lead=lead, reason=note)
        else:
            ACTION_SERVICES[action](user=request.user, lead=lead, note=note)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, ACTION_DONE[action])
    return redirect("patrols:lead_detail", pk=lead.pk)


@login_required
def reward_list(request):
    """The reward ledger of the user's area, with its totals."""
    rewards = Reward.objects.visible_to(request.user)
    paid = request.GET.get("paid", "")
    if paid not in ("yes", "no"):
        paid = ""
    if paid:
        rewards = rewards.filter(paid_at__isnull=paid == "no")
    totals = rewards.aggregate(
        count=Count("pk"),
        total=Sum("amount"),
        paid=Sum("amount", filter=Q(paid_at__isnull=False)),
    )
    total, paid_total = totals["total"] or Decimal(0), totals["paid"] or Decimal(0)
    rows = rewards.select_related("lead__community", "lead__establishment", "reporter")
    return render(
        request,
        "patrols/reward_list.html",
        {
            **paginate(request, rows, PAGE_SIZE),
            "paid": paid,
            "count": totals["count"],
            "total": total,
            "paid_total": paid_total,
            "unpaid_total": total - paid_total,
            "can_pay": request.user.role in DISTRICT_ROLES,
        },
    )


@login_required
@require_POST
def reward_paid(request, pk: int):
    reward = get_object_or_404(Reward.objects.visible_to(request.user), pk=pk)
    try:
        reward_mark_paid(user=request.user, reward=reward)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Reward marked as paid."))
    return redirect("patrols:reward_list")


urlpatterns = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/<int:pk>/", lead_detail, name="lead_detail"),
    *(
        path(f"leads/<int:pk>/{action}/", lead_act, {"action": action}, name=f"lead_{action}")
        for action in LeadAction
    ),
    path("rewards/", reward_list, name="reward_list"),
    path("rewards/<int:pk>/paid/", reward_paid, name="reward_mark_paid"),
]
