"""Training and drills against a district's yearly targets (§7), for the training page.

Each target of a district's year is compared with the sessions the user may see:
- sessions: training sessions (not meetings or drills) for the audience held in the
  district in the year, whoever organised them (the district office's own shown apart);
- hours: each person of the audience and the hours of the sessions they were named
  at in the year (any kind, drills too): the district's people of the product whose
  role belongs to the audience, and the outsiders named at sessions for the audience,
  told apart by name and workplace;
- drills: each community of the district and the emergency drills held there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from orgs.models import OrgUnit, OrgUnitKind, User
from publicity.models import (
    ROLE_AUDIENCE,
    TrainingKind,
    TrainingMeasure,
    TrainingOutsider,
    TrainingSession,
    TrainingTarget,
)


@dataclass
class PersonHours:
    name: str
    unit: str
    hours: Decimal
    short: bool


@dataclass
class TargetProgress:
    target: TrainingTarget
    done: int | Decimal = 0
    by_district_office: int = 0
    met: bool = False
    # For hours: each person; for drills: each community (name, drills held, short).
    people: list[PersonHours] = field(default_factory=list)
    communities: list[tuple[OrgUnit, int, bool]] = field(default_factory=list)

    @property
    def short(self) -> list:
        if self.target.measure == TrainingMeasure.DRILLS:
            return [row for row in self.communities if row[2]]
        return [person for person in self.people if person.short]


def district_year(user, district: OrgUnit, year: int) -> list[TargetProgress]:
    """Each of the district's targets for the year, with what the user may see was done."""
    targets = list(TrainingTarget.objects.visible_to(user).filter(district=district, year=year))
    sessions = TrainingSession.objects.visible_to(user).filter(community__parent=district, date__year=year)
    counts = {
        row["audience"]: row
        for row in sessions.filter(kind=TrainingKind.TRAINING)
        .values("audience")
        .annotate(n=Count("pk"), office=Count("pk", filter=Q(organiser__kind=OrgUnitKind.DISTRICT)))
    }
    result = []
    hours_targets = [t for t in targets if t.measure == TrainingMeasure.HOURS]
    people = _people_hours(user, district, sessions, {t.audience for t in hours_targets})
    communities = None
    for target in targets:
        progress = TargetProgress(target)
        if target.measure == TrainingMeasure.SESSIONS:
            row = counts.get(target.audience, {})
            progress.done, progress.by_district_office = row.get("n", 0), row.get("office", 0)
            progress.met = progress.done >= target.target
        elif target.measure == TrainingMeasure.HOURS:
            progress.people = [
                PersonHours(name, unit, hours, hours < target.target)
                for name, unit, hours in people.get(target.audience, [])
            ]
            progress.done = sum(not p.short for p in progress.people)
            progress.met = not progress.short
        else:
            if communities is None:
                communities = _drills(user, district, sessions)
            progress.communities = [(c, n, n < target.target) for c, n in communities]
            progress.done = sum(not short for _c, _n, short in progress.communities)
            progress.met = not progress.short
        result.append(progress)
    return result


def _people_hours(user, district, sessions, audiences: set[str]) -> dict[str, list[tuple[str, str, Decimal]]]:
    if not audiences:
        return {}
    roles = [role for role, audience in ROLE_AUDIENCE.items() if audience in audiences]
    people = list(
        User.objects.visible_to(user)
        .filter(is_active=True, role__in=roles)
        .filter(Q(org_unit=district) | Q(org_unit__parent=district))
        .select_related("org_unit")
        .order_by("org_unit__name", "full_name", "pk")
    )
    attended = attended_by([p.pk for p in people], sessions)
    result: dict[str, list] = defaultdict(list)
    for person in people:
        hours = attended.get(person.pk, NOTHING_ATTENDED).hours
        result[ROLE_AUDIENCE[person.role]].append((str(person), person.org_unit.name, hours))
    outsiders = (
        TrainingOutsider.objects.filter(session__in=sessions.filter(audience__in=audiences))
        .values("session__audience", "name", "workplace")
        .annotate(h=Sum("session__hours"))
        .order_by("workplace", "name")
    )
    for row in outsiders:
        result[row["session__audience"]].append((row["name"], row["workplace"], row["h"] or Decimal(0)))
    return result


@dataclass(frozen=True)
class Attended:
    sessions: int
    hours: Decimal


NOTHING_ATTENDED = Attended(0, Decimal(0))


def attended_by(user_ids: list[int], sessions) -> dict[int, Attended]:
    """Per user id, the sessions among `sessions` the person was named at and their hours: the one
    rule of a person's training (the training page's and the year-end assessment's). One query."""
    through = TrainingSession.attendees.through
    rows = (
        through.objects.filter(trainingsession__in=sessions, user__in=user_ids)
        .values("user_id")
        .annotate(n=Count("trainingsession"), h=Sum("trainingsession__hours"))
    )
    return {row["user_id"]: Attended(row["n"], row["h"] or Decimal(0)) for row in rows}


def hours_target(person: User, year: int) -> int | None:
    """The yearly hours per person that the person's district sets for their audience, if any."""
    unit = person.org_unit
    district = unit.parent if unit is not None and unit.kind == OrgUnitKind.COMMUNITY else unit
    return (
        TrainingTarget.objects.filter(
            district=district,
            year=year,
            measure=TrainingMeasure.HOURS,
            audience=ROLE_AUDIENCE.get(person.role),
        )
        .values_list("target", flat=True)
        .first()
    )


def _drills(user, district, sessions) -> list[tuple[OrgUnit, int]]:
    held = dict(
        sessions.filter(kind=TrainingKind.DRILL)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    communities = OrgUnit.objects.visible_to(user).filter(parent=district).communities().active()
    return [(c, held.get(c.pk, 0)) for c in communities.order_by("name")]
