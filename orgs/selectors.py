"""Read-side figures about org units and their people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from orgs.models import MIN_TEAM_SIZE, OrgUnit, Role, User


def team_warnings(communities: Iterable[OrgUnit]) -> dict[int, list[str]]:
    """Per community id, what is wrong with its patrol team (§2), in one query."""
    communities = list(communities)
    rows = (
        User.objects.filter(org_unit__in=communities, is_active=True)
        .values("org_unit")
        .annotate(
            inspectors=Count("pk", filter=Q(role=Role.INSPECTOR)),
            leaders=Count("pk", filter=Q(role=Role.SUPERVISING_LEADER)),
        )
    )
    counts = {row["org_unit"]: row for row in rows}
    warnings: dict[int, list[str]] = {}
    for community in communities:
        row = counts.get(community.pk, {"inspectors": 0, "leaders": 0})
        problems = []
        if row["inspectors"] < MIN_TEAM_SIZE:
            problems.append(
                _("only %(count)d inspector(s); a team needs at least %(min)d")
                % {"count": row["inspectors"], "min": MIN_TEAM_SIZE}
            )
        if row["leaders"] != 1:
            problems.append(
                _("%(count)d supervising leaders; there must be exactly one") % {"count": row["leaders"]}
            )
        if problems:
            warnings[community.pk] = problems
    return warnings


def people_by_unit(units: Iterable[OrgUnit | int], roles: Iterable[str]) -> dict[int, list[User]]:
    """The active users with one of `roles` in each of `units`, by unit id, in one query.

    A unit without such people maps to an empty list.
    """
    people: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(org_unit__in=list(units), role__in=list(roles), is_active=True):
        people[user.org_unit_id].append(user)
    return people
