"""Who may set each field of an establishment (§3), written once.

The register is what the district supervises: the district office (and the
city above it) sets the risk class, the red and black lists, the quantified
grade and its date, and the model-unit status; a community proposes such a
change with a reason (EstablishmentChangeProposal), which the district accepts
or refuses. Nobody sets the last-visit date by hand: it follows from recorded
visits, and the next-due date from it. Everything else in the register is kept
by whoever edits the registry in the establishment's area.

The form, the API serializer, the Excel import and the admin all ask
`may_set()` / `refused_changes()`; establishment_save() checks again, so no
path can write past the rule.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnitKind, User


class Setter(StrEnum):
    REGISTRY = "registry"  # whoever may edit the registry in the establishment's area
    DISTRICT = "district"  # the district office and the city; a community proposes
    OFFICE = "office"  # the district office and the city, nothing to propose (a shop's position)
    VISITS = "visits"  # nobody by hand: recorded visits set it


FIELD_SETTERS: dict[str, Setter] = {
    "risk_class": Setter.DISTRICT,
    "watch_list": Setter.DISTRICT,
    "food_grade": Setter.DISTRICT,
    "food_graded_on": Setter.DISTRICT,
    "model_status": Setter.DISTRICT,
    "last_visited_on": Setter.VISITS,
    "latitude": Setter.OFFICE,
    "longitude": Setter.OFFICE,
}

# What a community may propose for the district to decide.
PROPOSABLE_FIELDS: tuple[str, ...] = tuple(f for f, s in FIELD_SETTERS.items() if s == Setter.DISTRICT)

# The audit history keeps the reason in simple-history's history_change_reason, 100 characters.
CHANGE_REASON_MAX_LENGTH = 100

REFUSED = {
    Setter.DISTRICT: _("Only the district office sets this; propose a change with a reason instead."),
    Setter.VISITS: _("This follows from recorded visits and cannot be set by hand."),
    Setter.OFFICE: _("Only the district office sets this."),
}


def office_district(user: User):
    """The district whose office the user works in (a district officer or liaison), else None.
    What only the district office does (publishing its lists, setting its grading deadline) asks this."""
    from patrols.services.leads import DISTRICT_ROLES

    unit = user.org_unit
    if (
        not user.is_active
        or user.role not in DISTRICT_ROLES
        or unit is None
        or unit.kind != OrgUnitKind.DISTRICT
    ):
        return None
    return unit


def setter_of(field: str) -> Setter:
    return FIELD_SETTERS.get(field, Setter.REGISTRY)


def decides_for_district(user: User) -> bool:
    """The district office and the city: they set the district's fields and decide proposals."""
    above_community = user.is_superuser or user.tier != OrgUnitKind.COMMUNITY
    return user.is_active and user.can_edit_registry and above_community


def may_propose(user: User) -> bool:
    """Community staff who keep the registry propose what the district sets."""
    return user.is_active and user.can_edit_registry and not decides_for_district(user)


def may_set(user: User, field: str) -> bool:
    setter = setter_of(field)
    if setter == Setter.VISITS or not user.can_edit_registry:
        return False
    return setter == Setter.REGISTRY or decides_for_district(user)  # DISTRICT and OFFICE


def closed_fields(user: User) -> list[str]:
    """The governed fields this user may not set (the form shows them disabled, the admin read-only)."""
    return [field for field in FIELD_SETTERS if not may_set(user, field)]


def changed_governed_fields(before: dict[str, Any], establishment) -> list[str]:
    return [field for field in FIELD_SETTERS if getattr(establishment, field) != before[field]]


def refused_changes(user: User, before: dict[str, Any], establishment) -> dict[str, str]:
    """The fields the user changed but may not set, each with the reason, in the user's language."""
    return {
        field: str(REFUSED[setter_of(field)])
        for field in changed_governed_fields(before, establishment)
        if not may_set(user, field)
    }


def needs_reason(before: dict[str, Any], establishment) -> bool:
    """A change of a district field to an establishment already registered says why."""
    return establishment.pk is not None and any(
        setter_of(field) == Setter.DISTRICT for field in changed_governed_fields(before, establishment)
    )


def recorded_values(establishment) -> dict[str, Any]:
    """The governed fields as the register holds them: the saved row's, or a new one's defaults."""
    model = type(establishment)
    if establishment.pk is not None:
        saved = model.objects.filter(pk=establishment.pk).values(*FIELD_SETTERS).first()
        if saved is not None:
            return saved
    return {field: model._meta.get_field(field).get_default() for field in FIELD_SETTERS}


def stamp_watch_list(establishment, previous: str, reason: str) -> None:
    """The date and reason of a listing go with the list: put on (or moved between) the red and the
    black list today for the reason the district gave; taken off, neither. Called wherever the
    register is saved (establishment_save, the Excel import)."""
    if establishment.watch_list == previous:
        return
    if establishment.watch_list:
        establishment.watch_listed_on = timezone.localdate()
        establishment.watch_list_reason = reason.strip()[:CHANGE_REASON_MAX_LENGTH]
    else:
        establishment.watch_listed_on, establishment.watch_list_reason = None, ""


def sets_patrol_plans(user: User) -> bool:
    """The district office alone runs special campaigns and sets the monthly targets per kind of
    patrol for its communities (the city reads them, a community works to them)."""
    from orgs.models import Role

    return (
        user.is_active
        and user.role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON)
        and user.org_unit is not None
        and user.org_unit.kind == OrgUnitKind.DISTRICT
    )
