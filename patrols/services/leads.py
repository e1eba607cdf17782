"""Leads (线索) from inspectors, information officers and the public, and the reward ledger (§5).

A lead moves REPORTED → VERIFYING → FILED, or is DISMISSED, or is ESCALATED
to the city, which then files or dismisses it. The district staff of the
lead's district handle it until it is escalated; after that only city
officers do. Every step leaves a time-stamped LeadEvent that the reporter sees.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.services import notify
from orgs.models import OrgUnit, Role, User
from patrols.models import (
    LEAD_REWARD_YUAN,
    Establishment,
    Finding,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStatus,
    Reward,
)

DISTRICT_ROLES = (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON)

# Community roles that may report a lead, and the source it is recorded under.
REPORTER_SOURCES = {
    Role.INSPECTOR: LeadSource.INSPECTOR,
    Role.INFO_OFFICER: LeadSource.INFO_OFFICER,
    Role.COMMUNITY_HEAD: LeadSource.INFO_OFFICER,
    Role.SUPERVISING_LEADER: LeadSource.INFO_OFFICER,
}


class LeadAction(StrEnum):
    VERIFY = "verify"
    FILE = "file"
    DISMISS = "dismiss"
    ESCALATE = "escalate"


# The statuses a lead must be in for each step; a lead is filed only once verified.
ACTION_FROM = {
    LeadAction.VERIFY: frozenset({LeadStatus.REPORTED}),
    LeadAction.FILE: frozenset({LeadStatus.VERIFYING, LeadStatus.ESCALATED}),
    LeadAction.DISMISS: frozenset({LeadStatus.REPORTED, LeadStatus.VERIFYING, LeadStatus.ESCALATED}),
    LeadAction.ESCALATE: frozenset({LeadStatus.REPORTED, LeadStatus.VERIFYING}),
}

ACTION_REFUSED = {
    LeadAction.VERIFY: gettext_lazy("Only a newly reported lead can be taken up for verification."),
    LeadAction.FILE: gettext_lazy("Verify the lead before filing it as a case."),
    LeadAction.DISMISS: gettext_lazy("This lead cannot be dismissed now."),
    LeadAction.ESCALATE: gettext_lazy("This lead has already been escalated to the city."),
}


def district_staff(community: OrgUnit) -> list[User]:
    return list(User.objects.filter(org_unit_id=community.parent_id, role__in=DISTRICT_ROLES, is_active=True))


def city_officers(community: OrgUnit) -> list[User]:
    district = community.parent
    city_id = district.parent_id if district else None
    return list(User.objects.filter(org_unit_id=city_id, role=Role.CITY_OFFICER, is_active=True))


def lead_source_for(user: User) -> str | None:
    """The source a lead reported by this user is recorded under; None if they may not report one."""
    if not user.is_active or user.org_unit_id is None:
        return None
    return REPORTER_SOURCES.get(user.role)


def may_handle(user: User, lead: Lead) -> bool:
    """District staff of the lead's district handle it; once it is escalated, only city officers do."""
    if not user.is_active or user.org_unit_id is None:
        return False
    if lead.escalated_at is not None:
        return user.role == Role.CITY_OFFICER and lead.community.is_within(user.org_unit)
    return user.role in DISTRICT_ROLES and user.org_unit_id == lead.community.parent_id


def lead_actions(user: User, lead: Lead) -> list[LeadAction]:
    """The steps this user may take on the lead now."""
    if not may_handle(user, lead):
        return []
    return [action for action in LeadAction if lead.status in ACTION_FROM[action]]


@transaction.atomic
def lead_report(
    *,
    community: OrgUnit,
    description: str,
    source: str,
    reporter: User | None = None,
    establishment: Establishment | None = None,
    finding: Finding | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> Lead:
    """Record a lead and alert the district office at once."""
    if not description.strip():
        raise ValidationError({"description": _("Describe what you saw.")})
    if establishment is not None and establishment.community_id != community.pk:
        raise ValidationError({"establishment": _("This establishment is not in the lead's community.")})
    lead = Lead.objects.create(
        community=community,
        establishment=establishment,
        finding=finding,
        source=source,
        description=description.strip(),
        reporter=reporter,
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
    )
    LeadEvent.objects.create(lead=lead, status=LeadStatus.REPORTED, actor=reporter)
    subject = establishment.name if establishment else community.name
    notify(
        recipients=district_staff(community),
        title=_("New lead: %(subject)s") % {"subject": subject},
        body=lead.description,
        link=_lead_link(lead),
    )
    return lead


def _lead_link(lead: Lead) -> str:
    return reverse("patrols:lead_detail", args=[lead.pk])


def _take(*, user: User, lead: Lead, action: LeadAction) -> Lead:
    """Lock the lead and check that this user may take this step on it now."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not may_handle(user, lead):
        raise PermissionDenied
    if lead.is_closed:
        raise ValidationError(
            _("This lead is already closed (%(status)s).") % {"status": lead.get_status_display()}
        )
    if lead.status not in ACTION_FROM[action]:
        raise ValidationError(str(ACTION_REFUSED[action]))
    return lead


def _move(lead: Lead, *, status: str, actor: User, note: str = "", fields: tuple[str, ...] = ()) -> None:
    lead.status = status
    lead.save(update_fields=["status", *fields])
    LeadEvent.objects.create(lead=lead, status=status, note=note.strip(), actor=actor)


@transaction.atomic
def lead_verify(*, user: User, lead: Lead, note: str = "") -> Lead:
    """The district starts verifying a reported lead."""
    lead = _take(user=user, lead=lead, action=LeadAction.VERIFY)
    _move(lead, status=LeadStatus.VERIFYING, actor=user, note=note)
    return lead


@transaction.atomic
def lead_file(*, user: User, lead: Lead, note: str = "") -> Lead:
    """File a verified lead as a case (立案) and credit its reporter's reward.

    1. The lead is closed as FILED.
    2. One Reward of LEAD_REWARD_YUAN goes to the reporter: the user, or the
       member of the public by the name and phone they left. An anonymous
       public reporter left nobody to pay, so nothing is credited.
    3. A reporter who is a user is told.
    """
    lead = _take(user=user, lead=lead, action=LeadAction.FILE)
    lead.closed_at = timezone.now()
    _move(lead, status=LeadStatus.FILED, actor=user, note=note, fields=("closed_at",))
    reward = _reward_credit(lead)
    if lead.reporter is not None:
        notify(
            recipients=[lead.reporter],
            title=_("Your lead was filed as a case; a reward of ¥%(amount)s is credited to you")
            % {"amount": reward.amount if reward else LEAD_REWARD_YUAN},
            body=note.strip(),
            link=_lead_link(lead),
        )
    return lead


def _reward_credit(lead: Lead) -> Reward | None:
    if lead.source == LeadSource.DISTRICT:
        return None  # the district office's own lead (its rapid-test room) earns nobody a reward
    reporter = lead.reporter
    if reporter is None and not (lead.reporter_name or lead.reporter_phone):
        return None
    return Reward.objects.create(
        lead=lead,
        reporter=reporter,
        reporter_name=lead.reporter_name or (str(reporter) if reporter else ""),
        reporter_phone=lead.reporter_phone,
        amount=LEAD_REWARD_YUAN,
    )


@transaction.atomic
def lead_dismiss(*, user: User, lead: Lead, reason: str) -> Lead:
    """Close a lead without a case; the reporter is told why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for dismissing the lead.")})
    lead = _take(user=user, lead=lead, action=LeadAction.DISMISS)
    lead.closed_at = timezone.now()
    _move(lead, status=LeadStatus.DISMISSED, actor=user, note=reason, fields=("closed_at",))
    if lead.reporter is not None:
        notify(
            recipients=[lead.reporter],
            title=_("Your lead was dismissed"),
            body=reason.strip(),
            link=_lead_link(lead),
        )
    return lead


@transaction.atomic
def lead_escalate(*, user: User, lead: Lead, note: str = "") -> Lead:
    """The district hands the lead to the city, whose officers then file or dismiss it."""
    lead = _take(user=user, lead=lead, action=LeadAction.ESCALATE)
    lead.escalated_at = timezone.now()
    _move(lead, status=LeadStatus.ESCALATED, actor=user, note=note, fields=("escalated_at",))
    subject = lead.establishment.name if lead.establishment else lead.community.name
    notify(
        recipients=city_officers(lead.community),
        title=_("Lead escalated by the district: %(subject)s") % {"subject": subject},
        body=note.strip() or lead.description,
        link=_lead_link(lead),
        urgent=True,
    )
    return lead


@transaction.atomic
def reward_mark_paid(*, user: User, reward: Reward) -> Reward:
    """Record that the district has paid a reward out."""
    reward = (
        Reward.objects.select_for_update(of=("self",)).select_related("lead__community").get(pk=reward.pk)
    )
    if user.role not in DISTRICT_ROLES or user.org_unit_id != reward.lead.community.parent_id:
        raise PermissionDenied
    if reward.paid_at is not None:
        raise ValidationError(_("This reward has already been paid."))
    reward.paid_at = timezone.now()
    reward.save(update_fields=["paid_at"])
    if reward.reporter is not None:
        notify(
            recipients=[reward.reporter],
            title=_("Your reward of ¥%(amount)s has been paid") % {"amount": reward.amount},
            link=_lead_link(reward.lead),
        )
    return reward
