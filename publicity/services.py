"""Logging publicity work, and the campaign calendar of a year."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols.models import Category
from patrols.photos import read_photo
from publicity import rules
from publicity.models import BoxCollection, Campaign, CampaignKind, CollectionBox

# Community people who log publicity work; volunteers hand out brochures and run stands.
PUBLICITY_ROLES = frozenset(
    {Role.INSPECTOR, Role.INFO_OFFICER, Role.VOLUNTEER, Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER}
)
CAMPAIGN_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON, Role.CITY_OFFICER, Role.ADMIN})


def can_log_publicity(user: User) -> bool:
    unit = user.org_unit
    return unit is not None and unit.kind == OrgUnitKind.COMMUNITY and user.role in PUBLICITY_ROLES


def _require_past_or_today(day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})


@transaction.atomic
def publicity_record_add(*, user: User, record: models.Model, photo=None) -> models.Model:
    """Save a board update, activity, brochure hand-out or training for the user's community.

    The record comes unsaved from a form; its photo, if any, is checked and
    re-encoded like a patrol photo before it is stored.
    """
    if not can_log_publicity(user):
        raise PermissionDenied
    record.community = user.org_unit
    record.created_by = user
    _require_past_or_today(record.date)
    if photo is not None:
        try:
            data = read_photo(photo)
        except ValidationError as error:
            # Shown on the form's photo field, which read_photo calls "image".
            raise ValidationError({"photo": error.messages}) from None
        record.photo.save("photo.jpg", data.content, save=False)
    elif getattr(record, "kind", None) in rules.PERIOD_MONTHS:
        raise ValidationError({"photo": _("Add a photo of the board or slogan as evidence.")})
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def collection_box_add(*, user: User, box: CollectionBox) -> CollectionBox:
    """A new box for the user's community; at a pharmacy, one of the community's registered pharmacies."""
    if not can_log_publicity(user):
        raise PermissionDenied
    box.community = user.org_unit
    if box.pharmacy_id and box.pharmacy.community_id != box.community.pk:
        raise ValidationError({"pharmacy": _("This pharmacy is not in your community.")})
    if box.pharmacy_id and box.pharmacy.category != Category.PHARMACY:
        raise ValidationError(
            {"pharmacy": _("%(name)s is not registered as a pharmacy.") % {"name": box.pharmacy.name}}
        )
    box.full_clean()
    box.save()
    return box


@transaction.atomic
def box_collection_add(*, user: User, collection: BoxCollection) -> BoxCollection:
    """What came out of one of the community's boxes; a removed box takes no more collections."""
    if not can_log_publicity(user) or collection.box.community_id != user.org_unit_id:
        raise PermissionDenied
    if collection.box.removed_on is not None:
        raise ValidationError(
            {
                "box": _("This box was removed on %(day)s and takes no more collections.")
                % {"day": collection.box.removed_on.isoformat()}
            }
        )
    _require_past_or_today(collection.date)
    if collection.date < collection.box.installed_on:
        raise ValidationError({"date": _("The box was not installed yet on this day.")})
    collection.created_by = user
    collection.full_clean()
    collection.save()
    return collection


def _national_calendar(year: int) -> list[tuple[str, str, dt.date, dt.date]]:
    (week_from, week_to) = rules.FOOD_SAFETY_WEEK
    september_end = dt.date(year, rules.DRUG_SAFETY_MONTH, 30)
    return [
        (CampaignKind.CONSUMER_DAY, "3·15国际消费者权益日", dt.date(year, 3, 15), dt.date(year, 3, 15)),
        (CampaignKind.FOOD_SAFETY_WEEK, "食品安全宣传周", dt.date(year, *week_from), dt.date(year, *week_to)),
        (
            CampaignKind.DRUG_SAFETY_MONTH,
            "全国安全用药月",
            dt.date(year, rules.DRUG_SAFETY_MONTH, 1),
            september_end,
        ),
        (CampaignKind.LEGAL_DAY, "12·4国家宪法日法制宣传", dt.date(year, 12, 4), dt.date(year, 12, 4)),
    ]


@transaction.atomic
def campaign_calendar(*, year: int) -> list[Campaign]:
    """The year's national campaigns, created the first time the year is asked for.

    The food safety week's dates change every year: the city edits them in the
    admin once they are announced; the rest are fixed by the calendar.
    """
    for kind, name, starts_on, ends_on in _national_calendar(year):
        Campaign.objects.get_or_create(
            year=year,
            kind=kind,
            district=None,
            defaults={"name": name, "starts_on": starts_on, "ends_on": ends_on},
        )
    return list(Campaign.objects.filter(year=year, district__isnull=True))


@transaction.atomic
def campaign_add(*, user: User, campaign: Campaign) -> Campaign:
    """A district's own campaign (or the city's, with no district)."""
    if user.role not in CAMPAIGN_ROLES and not user.is_superuser:
        raise PermissionDenied
    unit: OrgUnit | None = user.org_unit
    campaign.kind = CampaignKind.CUSTOM
    campaign.district = unit if unit is not None and unit.kind == OrgUnitKind.DISTRICT else None
    campaign.year = campaign.starts_on.year
    campaign.full_clean()
    campaign.save()
    return campaign
