"""A community proposes, the district decides (§3, patrols.governance): changes to the district's fields
of the register, with a reason, both sides told through the notification centre."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from orgs.models import User
from patrols import governance
from patrols.models import Establishment, EstablishmentChangeProposal, ProposalStatus
from patrols.services.establishments import establishment_save
from patrols.services.leads import district_staff


def _link(establishment: Establishment) -> str:
    return reverse("patrols:establishment_detail", args=[establishment.pk])


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    return reason


@transaction.atomic
def establishment_change_propose(
    *, user: User, establishment: Establishment, changes: dict[str, Any], reason: str
) -> EstablishmentChangeProposal:
    """Propose new values for the district's fields of an establishment.

    1. Only community staff who keep the registry propose; the district changes the fields itself.
    2. Only the fields the district sets; values equal to the register's are dropped, and nothing
       left to change is an error.
    3. The new values must make a valid establishment (a grade needs its date, only food service
       is graded), checked on a copy: the register itself is untouched until the district accepts.
    4. The district's staff are told.
    """
    if not governance.may_propose(user):
        raise PermissionDenied
    reason = _clean_reason(reason)
    unknown = set(changes) - set(governance.PROPOSABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field is not decided by the district.") for name in sorted(unknown)}
        )
    typed = {name: Establishment._meta.get_field(name).to_python(value) for name, value in changes.items()}
    changes = {name: value for name, value in typed.items() if getattr(establishment, name) != value}
    if not changes:
        raise ValidationError(_("The proposal changes nothing."))
    proposed = copy.copy(establishment)
    for name, value in changes.items():
        setattr(proposed, name, value)
    proposed.full_clean()
    proposal = EstablishmentChangeProposal.objects.create(
        establishment=establishment, changes=changes, reason=reason, proposed_by=user
    )
    notify(
        recipients=district_staff(establishment.community),
        title=_("%(community)s proposes a change to %(name)s")
        % {"community": establishment.community.name, "name": establishment.name},
        body=reason,
        link=_link(establishment),
    )
    return proposal


def _decidable(user: User, proposal_id: int) -> EstablishmentChangeProposal:
    """The pending proposal, locked; only the district and the city of its establishment decide."""
    proposal = (
        EstablishmentChangeProposal.objects.select_for_update()
        .select_related("establishment__community", "proposed_by")
        .get(pk=proposal_id)
    )
    visible = Establishment.objects.visible_to(user).filter(pk=proposal.establishment_id).exists()
    if not (governance.decides_for_district(user) and visible):
        raise PermissionDenied
    if not proposal.is_pending:
        raise ValidationError(_("This proposal has already been decided."))
    return proposal


def _decided(*, proposal: EstablishmentChangeProposal, user: User, status: str, note: str) -> None:
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def establishment_change_accept(
    *, user: User, proposal: EstablishmentChangeProposal, note: str = ""
) -> EstablishmentChangeProposal:
    """Apply the proposed values through establishment_save (its history says who, when and the
    proposal's reason) and tell the proposer."""
    proposal = _decidable(user, proposal.pk)
    establishment = (
        Establishment.objects.select_for_update()
        .select_related("community")
        .get(pk=proposal.establishment_id)
    )
    for name, value in proposal.changes.items():
        setattr(establishment, name, Establishment._meta.get_field(name).to_python(value))
    establishment_save(establishment=establishment, user=user, reason=proposal.reason)
    _decided(proposal=proposal, user=user, status=ProposalStatus.ACCEPTED, note=note.strip())
    notify(
        recipients=[proposal.proposed_by],
        title=_("Your proposed change to %(name)s was accepted") % {"name": establishment.name},
        body=note.strip(),
        link=_link(establishment),
    )
    return proposal


@transaction.atomic
def establishment_change_refuse(
    *, user: User, proposal: EstablishmentChangeProposal, note: str
) -> EstablishmentChangeProposal:
    """Refuse with a reason; the register is unchanged and the proposer is told why."""
    proposal = _decidable(user, proposal.pk)
    note = _clean_reason(note, "note")
    _decided(proposal=proposal, user=user, status=ProposalStatus.REFUSED, note=note)
    notify(
        recipients=[proposal.proposed_by],
        title=_("Your proposed change to %(name)s was refused") % {"name": proposal.establishment.name},
        body=note,
        link=_link(proposal.establishment),
    )
    return proposal
