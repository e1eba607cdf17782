"""Who may know who reported a lead (§5, §11): decided here for every page, export, PDF and API.

A lead's reporter, a member of the public or a staff member, is known to the
offices that verify leads and pay rewards: the district and the city. In the
community of the shop the reporter is shown only as a kind of reporter (群众,
巡查员, 信息员), since the people there know the shop and its neighbours; only a
reporter sees their own name on their own leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgs.models import OrgUnitKind, User
from patrols.models import Lead, LeadEvent, LeadSource, Reward


def may_see_reporter(viewer: User) -> bool:
    """Whether the viewer may know who reported a lead: the district and above."""
    return viewer.is_superuser or viewer.tier != OrgUnitKind.COMMUNITY


@dataclass(frozen=True)
class ShownReporter:
    name: str
    phone: str = ""
    user_id: int | None = None  # the reporter's account, for those who may see it


def _shown(viewer: User, *, reporter: User | None, name: str, phone: str, source: str) -> ShownReporter:
    kind = str(LeadSource(source).label)
    if may_see_reporter(viewer):
        if reporter is None:
            return ShownReporter(name or kind, phone)
        return ShownReporter(str(reporter), phone, reporter.pk)
    if reporter is not None and reporter.pk == viewer.pk:
        return ShownReporter(str(reporter), "", reporter.pk)
    return ShownReporter(kind)


def lead_reporter(viewer: User, lead: Lead) -> ShownReporter:
    return _shown(
        viewer, reporter=lead.reporter, name=lead.reporter_name, phone=lead.reporter_phone, source=lead.source
    )


def reward_reporter(viewer: User, reward: Reward) -> ShownReporter:
    """Reads reward.lead (select_related it) for the kind of reporter."""
    return _shown(
        viewer,
        reporter=reward.reporter,
        name=reward.reporter_name,
        phone=reward.reporter_phone,
        source=reward.lead.source,
    )


def event_actor(viewer: User, lead: Lead, event: LeadEvent) -> str:
    """Who took a step: the reporter's own step ("reported") names them only as lead_reporter() does."""
    if event.actor is None:
        return ""
    if event.actor_id == lead.reporter_id:
        return lead_reporter(viewer, lead).name
    return str(event.actor)
