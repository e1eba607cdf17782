"""Reads for the assessment pages: what a user assesses, the district ranking, an inspector's own results."""

from __future__ import annotations

import math
from dataclasses import dataclass

from assessment.models import (
    ADVANCED_MINIMUM,
    ADVANCED_SHARE,
    ASSESSEE_KIND,
    PERSON_TIERS,
    Assessment,
    SampleCheck,
    Tier,
    assessed_people,
)
from orgs.models import OrgUnit, User


@dataclass
class Assessee:
    """One unit or inspector the user assesses, with this year's assessment if it has started."""

    tier: str
    unit: OrgUnit
    user: User | None
    assessment: Assessment | None

    @property
    def name(self) -> str:
        return f"{self.user}" if self.user else str(self.unit)


def assessees(user: User, tier: str, year: int) -> list[Assessee]:
    """Everyone the user's unit assesses at `tier`, in two queries."""
    unit = user.org_unit
    if tier in PERSON_TIERS:
        people = list(assessed_people(tier).filter(org_unit=unit).order_by("username"))
        started = {
            a.assessee_user_id: a for a in Assessment.objects.filter(year=year, tier=tier, assessee_unit=unit)
        }
        return [Assessee(tier, unit, person, started.get(person.pk)) for person in people]
    units = list(OrgUnit.objects.filter(parent=unit, kind=ASSESSEE_KIND[tier]).active().order_by("path"))
    started = {
        a.assessee_unit_id: a
        for a in Assessment.objects.filter(year=year, tier=tier, assessee_unit__in=units)
    }
    return [Assessee(tier, child, None, started.get(child.pk)) for child in units]


def advanced_count(ranked: int) -> int:
    """How many of `ranked` communities are named advanced: ADVANCED_SHARE, rounded up, at least one."""
    if ranked <= 0:
        return 0
    return min(ranked, max(ADVANCED_MINIMUM, math.ceil(ADVANCED_SHARE * ranked)))


@dataclass
class RankRow:
    rank: int | None
    community: OrgUnit
    assessment: Assessment | None
    advanced: bool = False

    @property
    def total(self):
        return self.assessment.total if self.assessment else None


def district_ranking(district: OrgUnit, year: int) -> list[RankRow]:
    """The district's communities by their submitted total, best first; the top ones are advanced (先进社区).

    Communities without a submitted assessment follow, unranked. Two queries.
    """
    communities = list(OrgUnit.objects.communities().filter(parent=district).order_by("path"))
    submitted = {
        a.assessee_unit_id: a
        for a in Assessment.objects.filter(
            year=year, tier=Tier.COMMUNITY, assessee_unit__in=communities
        ).submitted()
    }
    done = sorted(
        (c for c in communities if c.pk in submitted), key=lambda c: (-submitted[c.pk].total, c.code)
    )
    best = advanced_count(len(done))
    rows, previous, rank = [], None, 0
    for index, community in enumerate(done, start=1):
        total = submitted[community.pk].total
        if total != previous:
            rank, previous = index, total
        rows.append(RankRow(rank, community, submitted[community.pk], advanced=index <= best))
    rows += [RankRow(None, c, None) for c in communities if c.pk not in submitted]
    return rows


def own_results(user: User, year: int) -> dict:
    """A person's own year-end assessment and, if the district sampled them, its check."""
    assessment = (
        Assessment.objects.visible_to(user)
        .filter(year=year, tier__in=list(PERSON_TIERS), assessee_user=user)
        .select_related("assessee_unit")
        .first()
    )
    checks = list(
        SampleCheck.objects.filter(
            inspector=user, assessment__year=year, assessment__submitted_at__isnull=False
        ).select_related("assessment__assessor_unit")
    )
    return {"assessment": assessment if assessment and assessment.is_frozen else None, "checks": checks}


def person_results(user: User, district: OrgUnit, year: int) -> list[Assessment]:
    """The submitted assessments of the district's inspectors and volunteers, in one query."""
    return list(
        Assessment.objects.visible_to(user)
        .for_year(year)
        .submitted()
        .filter(tier__in=list(PERSON_TIERS), assessee_unit__parent=district)
        .select_related("assessee_unit", "assessee_user")
        .order_by("tier", "assessee_unit__path", "-total", "assessee_user__username")
    )
