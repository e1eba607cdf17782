"""The district's patrol plans: special campaigns (专项整治) and monthly targets per kind of record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from config import bounds
from orgs.models import OrgUnit, User
from patrols import governance
from patrols.models import (
    CAMPAIGN_ITEMS_MAX,
    CAMPAIGN_MAX_DAYS,
    CHECKLIST_ITEM_MAX_LENGTH,
    Patrol,
    PatrolKind,
    PatrolTarget,
    SpecialCampaign,
)


def _require_planner(user: User) -> None:
    if not governance.sets_patrol_plans(user):
        raise PermissionDenied


def clean_campaign_items(items: Iterable[str]) -> list[str]:
    """The campaign's own checks: trimmed, without blanks or repeats, bounded in number and length."""
    cleaned: list[str] = []
    for item in items:
        item = " ".join(str(item).split())
        if item and item not in cleaned:
            cleaned.append(item)
    if len(cleaned) > CAMPAIGN_ITEMS_MAX:
        raise ValidationError(
            {"checklist_items": _("A campaign has at most %(max)d checks.") % {"max": CAMPAIGN_ITEMS_MAX}}
        )
    if any(len(item) > CHECKLIST_ITEM_MAX_LENGTH for item in cleaned):
        raise ValidationError(
            {
                "checklist_items": _("Keep each check under %(max)d characters.")
                % {"max": CHECKLIST_ITEM_MAX_LENGTH}
            }
        )
    return cleaned


def check_campaign_period(starts_on: dt.date, ends_on: dt.date) -> None:
    bounds.check_day(starts_on, field="starts_on")
    bounds.check_day(ends_on, field="ends_on")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})
    if (ends_on - starts_on).days >= CAMPAIGN_MAX_DAYS:
        raise ValidationError(
            {"ends_on": _("A campaign runs at most %(max)d days.") % {"max": CAMPAIGN_MAX_DAYS}}
        )


@transaction.atomic
def campaign_save(
    *,
    user: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    checklist_items: Sequence[str] = (),
    campaign: SpecialCampaign | None = None,
) -> SpecialCampaign:
    """Create (or, given `campaign`, change) a special campaign of the user's district.

    A campaign's period cannot be changed to leave out a record already filed under it.
    """
    _require_planner(user)
    if campaign is not None and campaign.district_id != user.org_unit_id:
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the campaign.")})
    check_campaign_period(starts_on, ends_on)
    items = clean_campaign_items(checklist_items)
    if campaign is not None:
        outside = campaign.patrols.exclude(date__range=(starts_on, ends_on))
        if outside.exists():
            raise ValidationError(
                {
                    "starts_on": _(
                        "Records of this campaign fall outside the new period; keep their days in it."
                    )
                }
            )
    else:
        campaign = SpecialCampaign(district_id=user.org_unit_id, created_by=user)
    campaign.name, campaign.starts_on, campaign.ends_on, campaign.checklist_items = (
        name,
        starts_on,
        ends_on,
        items,
    )
    campaign.full_clean(exclude=["created_by", "district"])
    campaign.save()
    return campaign


@transaction.atomic
def target_set(*, user: User, kind: str, monthly_minimum: int | None) -> PatrolTarget | None:
    """Set (or, with no minimum, drop) the district's monthly minimum of records of `kind`."""
    _require_planner(user)
    if kind not in PatrolKind.values:
        raise ValidationError({"kind": _("Choose the kind of patrol.")})
    if monthly_minimum is None:
        PatrolTarget.objects.filter(district_id=user.org_unit_id, kind=kind).delete()
        return None
    target = PatrolTarget(district_id=user.org_unit_id, kind=kind, monthly_minimum=monthly_minimum)
    target.full_clean(exclude=["district"], validate_unique=False, validate_constraints=False)
    target, _created = PatrolTarget.objects.update_or_create(
        district_id=user.org_unit_id, kind=kind, defaults={"monthly_minimum": monthly_minimum}
    )
    return target


@dataclass(frozen=True)
class Shortfall:
    community: OrgUnit
    kind: str
    label: str
    target: int
    count: int

    @property
    def missing(self) -> int:
        return max(self.target - self.count, 0)

    @property
    def short(self) -> bool:
        return self.count < self.target


def kind_counts(community_ids: Sequence[int], first: dt.date, last: dt.date) -> dict[tuple[int, str], int]:
    """Counted records per (community, kind) dated first..last."""
    rows = (
        Patrol.objects.counted()
        .filter(community_id__in=community_ids, date__range=(first, last))
        .values("community_id", "kind")
        .annotate(n=Count("pk"))
    )
    return {(row["community_id"], row["kind"]): row["n"] for row in rows}


def target_rows(communities: Sequence[OrgUnit], first: dt.date, last: dt.date) -> list[Shortfall]:
    """For each community and each kind its district sets a target for: the month's count against it.

    Three queries whatever the number of communities: the targets, the counts, nothing per row.
    """
    communities = list(communities)
    district_ids = {c.parent_id for c in communities}
    targets: dict[int, list[PatrolTarget]] = {}
    for target in PatrolTarget.objects.filter(district_id__in=district_ids).order_by("kind"):
        targets.setdefault(target.district_id, []).append(target)
    counts = kind_counts([c.pk for c in communities], first, last)
    labels = dict(PatrolKind.choices)
    return [
        Shortfall(
            community=community,
            kind=target.kind,
            label=str(labels[target.kind]),
            target=target.monthly_minimum,
            count=counts.get((community.pk, target.kind), 0),
        )
        for community in communities
        for target in targets.get(community.parent_id, [])
    ]
