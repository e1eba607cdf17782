"""Proposed changes to the district's fields of the register (§3): the community proposes on the
establishment's page, the district accepts or refuses there or from its list of waiting proposals."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.pagination import paginate
from patrols import governance
from patrols.forms import ChangeProposalForm, DecisionForm
from patrols.models import Establishment, EstablishmentChangeProposal
from patrols.models.proposals import field_display
from patrols.services.proposals import (
    establishment_change_accept,
    establishment_change_propose,
    establishment_change_refuse,
)

PAGE_SIZE = 50


def establishment_page(request, establishment: Establishment, form: ChangeProposalForm | None = None) -> dict:
    """The establishment's page: its fields, its history (who, when, why), its proposals and the form
    to propose one."""
    proposals = (
        EstablishmentChangeProposal.objects.visible_to(request.user)
        .filter(establishment=establishment)
        .select_related("proposed_by", "decided_by", "establishment")
    )
    may_propose = governance.may_propose(request.user)
    if may_propose and form is None:
        form = ChangeProposalForm(instance=copy.copy(establishment))
    return {
        "establishment": establishment,
        "history": history_rows(establishment),
        "proposals": proposals,
        "proposal_form": form if may_propose else None,
        "may_decide": governance.decides_for_district(request.user),
    }


def history_rows(establishment: Establishment, limit: int = 20) -> list[dict]:
    """The latest changes, newest first: who, when, why, and which fields changed from what to what."""
    records = list(establishment.history.select_related("history_user")[: limit + 1])
    rows = []
    for record, older in zip(records[:limit], [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            for change in record.diff_against(older, excluded_fields=HISTORY_IGNORED).changes:
                field = Establishment._meta.get_field(change.field)
                changes.append(
                    {
                        "label": field.verbose_name,
                        "old": field_display(field, change.old),
                        "new": field_display(field, change.new),
                    }
                )
        rows.append({"record": record, "changes": changes})
    return rows


# Kept by the system on every save; the history shows what people changed.
HISTORY_IGNORED = ["updated_at", "created_at", "next_visit_due"]


@login_required
def proposal_list(request):
    """Proposals of the user's area, those waiting for the district first."""
    proposals = (
        EstablishmentChangeProposal.objects.visible_to(request.user)
        .select_related("establishment__community", "proposed_by", "decided_by")
        .order_by("-status", "-proposed_at", "-pk")  # "pending" sorts after "accepted" and "refused"
    )
    return render(request, "patrols/proposal_list.html", paginate(request, proposals, PAGE_SIZE))


@login_required
@require_POST
def proposal_create(request, pk: int):
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user).select_related("community", "grid"), pk=pk
    )
    if not governance.may_propose(request.user):
        raise PermissionDenied
    form = ChangeProposalForm(request.POST, instance=copy.copy(establishment))
    if form.is_valid():
        try:
            establishment_change_propose(
                user=request.user,
                establishment=establishment,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Proposal sent to the district office."))
            return redirect("patrols:establishment_detail", pk=establishment.pk)
    context = establishment_page(request, establishment, form)
    return render(request, "patrols/establishment_detail.html", context, status=400)


@login_required
@require_POST
def proposal_decide(request, pk: int, accept: bool):
    proposal = get_object_or_404(EstablishmentChangeProposal.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if accept:
            establishment_change_accept(user=request.user, proposal=proposal, note=note)
        else:
            establishment_change_refuse(user=request.user, proposal=proposal, note=note)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Proposal accepted; the register is changed.") if accept else _("Proposal refused.")
        )
    return redirect("patrols:establishment_detail", pk=proposal.establishment_id)
