"""Model units (示范创建, §8): the plan's yearly targets, their candidates and the progress towards them.

Each district creates, every year, the model communities and model units of
the plan (seed 001 四), each category answered for by one department. A
candidate works towards a target; once accepted it counts, and an
establishment of the registry that is accepted becomes a model unit there too.

Who may write: the district's own officers and liaison, and the city
(officers, administrators). Everyone else reads what `visible_to` shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols.models import Establishment
from patrols.models.establishments import Category, ModelStatus
from publicity.models import CandidateStatus, ModelCandidate, ModelCategory, ModelTarget


@dataclass(frozen=True)
class PlanTarget:
    category: str
    department: str  # the responsible department, as the plan names it
    target: int


# The plan's yearly targets per district (seed 001 四): 2 model communities and 25 model units.
PLAN_TARGETS: tuple[PlanTarget, ...] = (
    PlanTarget(ModelCategory.COMMUNITY, "农村工作局", 2),
    PlanTarget(ModelCategory.FOOD_SERVICE, "区食品药品监督所", 4),
    PlanTarget(ModelCategory.PHARMACY, "区食品药品监督所", 2),
    PlanTarget(ModelCategory.MEDICAL, "区食品药品监督所", 2),
    PlanTarget(ModelCategory.MIDDLE_SCHOOL, "文体教育局", 2),
    PlanTarget(ModelCategory.PRIMARY_SCHOOL, "文体教育局", 2),
    PlanTarget(ModelCategory.KINDERGARTEN, "文体教育局", 4),
    PlanTarget(ModelCategory.FACTORY, "经信局", 4),
    PlanTarget(ModelCategory.RESIDENTIAL, "住建局", 2),
    PlanTarget(ModelCategory.MALL, "工商分局", 3),
)

# The registry categories an establishment put forward under each model category may have.
# A category not named here (a model community, a residential compound) takes no establishment.
ESTABLISHMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    ModelCategory.FOOD_SERVICE: (Category.FOOD_SERVICE, Category.WORKPLACE_CANTEEN),
    ModelCategory.PHARMACY: (Category.PHARMACY,),
    ModelCategory.MEDICAL: (Category.CLINIC,),
    ModelCategory.MIDDLE_SCHOOL: (Category.SCHOOL_CANTEEN,),
    ModelCategory.PRIMARY_SCHOOL: (Category.SCHOOL_CANTEEN,),
    ModelCategory.KINDERGARTEN: (Category.SCHOOL_CANTEEN,),
    ModelCategory.FACTORY: (Category.WORKPLACE_CANTEEN, Category.SMALL_WORKSHOP),
    ModelCategory.MALL: (Category.FOOD_RETAIL, Category.FOOD_SERVICE),
}

# The years a target may be set for: the system's first plan year to well ahead.
FIRST_YEAR = 2000
LAST_YEAR = 2100

DISTRICT_WRITERS = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON})
CITY_WRITERS = frozenset({Role.CITY_OFFICER, Role.ADMIN})
ACTIVE_STATUSES = (CandidateStatus.CANDIDATE, CandidateStatus.ASSESSING)


def may_manage_model_units(user: User, district: OrgUnit) -> bool:
    """Whether the user may set the district's targets and handle its candidates."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = user.org_unit
    if unit is None:
        return False
    if user.role in DISTRICT_WRITERS:
        return unit.pk == district.pk
    return user.role in CITY_WRITERS and district.is_within(unit)


def _require_manager(user: User, district: OrgUnit) -> None:
    if not may_manage_model_units(user, district):
        raise PermissionDenied(_("Only the district office or the city may change model-unit targets."))


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


# ---------------------------------------------------------------- services


@transaction.atomic
def model_targets_from_plan(*, user: User, district: OrgUnit, year: int) -> int:
    """Create the plan's targets the district does not have yet for the year; return how many."""
    if district.kind != OrgUnitKind.DISTRICT:
        raise ValidationError(_("Model-unit targets belong to a district."))
    _require_manager(user, district)
    check_year(year)
    existing = set(
        ModelTarget.objects.filter(district=district, year=year).values_list("category", flat=True)
    )
    missing = [
        ModelTarget(
            district=district,
            year=year,
            category=plan.category,
            department=plan.department,
            target=plan.target,
        )
        for plan in PLAN_TARGETS
        if plan.category not in existing
    ]
    # Two clicks at once must not fail on the unique constraint: the second one finds nothing to add.
    ModelTarget.objects.bulk_create(missing, ignore_conflicts=True)
    return ModelTarget.objects.filter(district=district, year=year).count() - len(existing)


@transaction.atomic
def model_target_save(*, user: User, target: ModelTarget, department: str, target_count: int) -> ModelTarget:
    """Change who answers for a target and how many model units it asks for."""
    _require_manager(user, target.district)
    target.department = department.strip()
    target.target = target_count
    target.full_clean()
    target.save(update_fields=["department", "target"])
    return target


@transaction.atomic
def model_candidate_add(
    *,
    user: User,
    target: ModelTarget,
    name: str,
    community: OrgUnit | None = None,
    establishment: Establishment | None = None,
    notes: str = "",
) -> ModelCandidate:
    """Put a unit forward under a target.

    1. The community and the establishment, if given, must be in the target's
       district, and the establishment in the community.
    2. The establishment's registry category must fit the target's category
       (ESTABLISHMENT_CATEGORIES), as on the page.
    3. A model community names its community; a unit is put forward once per target.
    4. An establishment of the registry becomes a candidate there too.
    """
    _require_manager(user, target.district)
    if establishment is not None and community is None:
        community = establishment.community
    _check_in_district(target, community, establishment)
    _check_category(target, establishment)
    if target.category == ModelCategory.COMMUNITY and community is None:
        raise ValidationError({"community": _("Name the community put forward as a model community.")})
    _check_not_twice(target, community, establishment)
    candidate = ModelCandidate(
        target=target, name=name.strip(), community=community, establishment=establishment, notes=notes
    )
    candidate.full_clean()
    candidate.save()
    if establishment is not None:
        _sync_establishment(establishment, user)
    return candidate


@transaction.atomic
def model_candidate_set_status(
    *, user: User, candidate: ModelCandidate, status: str, notes: str = ""
) -> ModelCandidate:
    """Move a candidate on (being assessed, accepted, withdrawn, or back); its establishment follows."""
    _require_manager(user, candidate.target.district)
    if status not in CandidateStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    candidate.status = status
    if notes.strip():
        candidate.notes = notes.strip()
    candidate.save(update_fields=["status", "notes", "updated_at"])
    if candidate.establishment_id:
        _sync_establishment(candidate.establishment, user)
    return candidate


def _check_in_district(
    target: ModelTarget, community: OrgUnit | None, establishment: Establishment | None
) -> None:
    if community is not None and (
        community.kind != OrgUnitKind.COMMUNITY or community.parent_id != target.district_id
    ):
        message = _("%(community)s is not a community of %(district)s.") % {
            "community": community.name,
            "district": target.district.name,
        }
        raise ValidationError({"community": message})
    if establishment is not None and establishment.community_id != getattr(community, "pk", None):
        raise ValidationError({"establishment": _("The establishment is not in the chosen community.")})


def _check_category(target: ModelTarget, establishment: Establishment | None) -> None:
    if establishment is None:
        return
    allowed = ESTABLISHMENT_CATEGORIES.get(target.category, ())
    if establishment.category in allowed:
        return
    if not allowed:
        message = _(
            "A candidate for %(category)s is not an establishment of the registry; "
            "leave the establishment empty."
        ) % {"category": target.get_category_display()}
    else:
        message = _(
            "%(establishment)s is registered as %(kind)s and cannot be put forward for %(category)s "
            "(allowed: %(allowed)s)."
        ) % {
            "establishment": establishment.name,
            "kind": establishment.get_category_display(),
            "category": target.get_category_display(),
            "allowed": pgettext("between the items of a list", ", ").join(
                str(Category(value).label) for value in allowed
            ),
        }
    raise ValidationError({"establishment": message})


def _check_not_twice(
    target: ModelTarget, community: OrgUnit | None, establishment: Establishment | None
) -> None:
    active = target.candidates.exclude(status=CandidateStatus.WITHDRAWN)
    if establishment is not None and active.filter(establishment=establishment).exists():
        raise ValidationError(
            {"establishment": _("This establishment is already a candidate for this target.")}
        )
    if (
        target.category == ModelCategory.COMMUNITY
        and community is not None
        and active.filter(community=community).exists()
    ):
        raise ValidationError({"community": _("This community is already a candidate for this target.")})


def _sync_establishment(establishment: Establishment, user: User) -> None:
    """The registry's model-unit status follows the establishment's candidacies, of any year.

    Accepted once → a model unit; else still being worked on → a candidate; else none.
    """
    statuses = set(establishment.model_candidacies.values_list("status", flat=True))
    if CandidateStatus.ACCEPTED in statuses:
        new = ModelStatus.MODEL
    elif statuses & set(ACTIVE_STATUSES):
        new = ModelStatus.CANDIDATE
    else:
        new = ModelStatus.NONE
    if establishment.model_status != new:
        establishment.model_status = new
        establishment._history_user = user  # who made this change, for the audit history
        establishment.save(update_fields=["model_status"])


# ---------------------------------------------------------------- selectors


def with_progress(targets: QuerySet[ModelTarget]) -> QuerySet[ModelTarget]:
    """Targets with `accepted` and `in_progress` counts of their candidates, in the same query."""
    return targets.annotate(
        accepted=Count("candidates", filter=Q(candidates__status=CandidateStatus.ACCEPTED)),
        in_progress=Count("candidates", filter=Q(candidates__status__in=ACTIVE_STATUSES)),
    )


def progress_percent(accepted: int, target: int) -> int:
    """Accepted as a percentage of the target; over 100 when the district does more than asked."""
    return round(100 * accepted / target) if target else 0


def _figures(accepted: int, target: int) -> dict:
    percent = progress_percent(accepted, target)
    return {
        "accepted": accepted,
        "target": target,
        "remaining": max(target - accepted, 0),
        "percent": percent,
        "bar": min(percent, 100),  # the bar stops at full; the figure does not
    }


def model_progress(targets: QuerySet[ModelTarget]) -> list[dict]:
    """One row per target with its progress: one query whatever the number of targets and candidates."""
    rows = with_progress(targets).select_related("district").order_by("district__path", "year", "category")
    order = {category: index for index, category in enumerate(ModelCategory.values)}
    progress = [
        {
            "object": row,
            "district": row.district,
            "year": row.year,
            "category": row.category,
            "category_display": row.get_category_display(),
            "department": row.department,
            "in_progress": row.in_progress,
            **_figures(row.accepted, row.target),
        }
        for row in rows
    ]
    progress.sort(key=lambda row: (row["district"].path, row["year"], order.get(row["category"], 0)))
    return progress


def _sum(rows: Iterable[dict]) -> dict:
    rows = list(rows)
    figures = _figures(sum(row["accepted"] for row in rows), sum(row["target"] for row in rows))
    return {**figures, "in_progress": sum(row["in_progress"] for row in rows)}


def model_totals(progress: list[dict]) -> dict:
    """Model communities and model units apart, as the plan counts them (2 + 25)."""
    communities = [row for row in progress if row["category"] == ModelCategory.COMMUNITY]
    units = [row for row in progress if row["category"] != ModelCategory.COMMUNITY]
    return {"communities": _sum(communities), "units": _sum(units), "all": _sum(progress)}


def model_rollup(progress: list[dict], districts: Iterable[OrgUnit]) -> dict:
    """For the city: one row per district with accepted/target per category, and the city's totals.

    Every district is listed, also one that has set no targets yet (its cells are empty).
    """
    categories = [{"value": value, "label": label} for value, label in ModelCategory.choices]
    cells: dict[tuple[int, str], dict] = {}
    for row in progress:
        key = (row["district"].pk, row["category"])
        cells[key] = _sum([cells[key], row]) if key in cells else row
    rows = []
    for district in districts:
        own = [row for row in progress if row["district"].pk == district.pk]
        rows.append(
            {
                "district": district,
                "cells": [cells.get((district.pk, c["value"])) for c in categories],
                "totals": model_totals(own),
                "has_targets": bool(own),
            }
        )
    by_category = [_sum(row for row in progress if row["category"] == c["value"]) for c in categories]
    return {
        "categories": categories,
        "rows": rows,
        "by_category": by_category,
        "totals": model_totals(progress),
    }
