"""Logging publicity work, and the campaign calendar of a year."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols.models import Category
from patrols.photos import read_photo
from publicity import rules
from publicity.models import (
    OUTSIDERS_MAX,
    BoxCollection,
    Campaign,
    CampaignKind,
    CollectionBox,
    TrainingMeasure,
    TrainingOutsider,
    TrainingSession,
    TrainingTarget,
)

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
    if isinstance(record, TrainingSession):
        record.organiser = user.org_unit
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


# The district office records its own sessions (for staff, information officers, food workers).
TRAINING_OFFICE_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON})


def can_log_training(user: User) -> bool:
    """A community's publicity people, and the district office for a community of its district."""
    if can_log_publicity(user):
        return True
    unit = user.org_unit
    return unit is not None and unit.kind == OrgUnitKind.DISTRICT and user.role in TRAINING_OFFICE_ROLES


def training_communities(user: User):
    """Where the user may record a session: their own community, or the communities of their district."""
    if not can_log_training(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.visible_to(user).communities().active().order_by("name")


def training_attendees(user: User):
    """Whom the user may name as attendees: the active people they may see (community or district)."""
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, org_unit__isnull=False)
        .order_by("full_name", "pk")
    )


@transaction.atomic
def training_session_add(
    *,
    user: User,
    session: TrainingSession,
    attendees=(),
    outsiders: list[tuple[str, str]] | tuple = (),
    community: OrgUnit | None = None,
) -> TrainingSession:
    """Save a session with its hours and named attendees.

    A community's people record for their community; the district office names
    the community of its district the session was held in, and is the organiser.
    Attendees must be people the recorder may see; the head count is at least
    the number of people named (the rest came unnamed).
    """
    if not can_log_training(user):
        raise PermissionDenied
    unit = user.org_unit
    if unit.kind == OrgUnitKind.COMMUNITY:
        if community is not None and community.pk != unit.pk:
            raise ValidationError({"community": _("You record sessions for your own community only.")})
        community = unit
    elif community is None or not training_communities(user).filter(pk=community.pk).exists():
        raise ValidationError({"community": _("Choose a community of your district.")})
    session.community = community
    session.organiser = unit
    session.created_by = user
    if session.hours is None:
        raise ValidationError({"hours": _("Enter how many hours the session lasted.")})
    bounds.check_event(session.date, unit=community, field="date")
    attendees = list(attendees)
    allowed = set(
        training_attendees(user).filter(pk__in=[a.pk for a in attendees]).values_list("pk", flat=True)
    )
    if any(a.pk not in allowed for a in attendees):
        raise ValidationError({"attendees": _("One of the attendees is not among your people.")})
    outsiders = list(outsiders)
    if len(outsiders) > OUTSIDERS_MAX:
        raise ValidationError(
            {"outsiders": _("Name at most %(max)d outside attendees.") % {"max": OUTSIDERS_MAX}}
        )
    named = len({a.pk for a in attendees}) + len(outsiders)
    if session.attendance is not None and session.attendance < named:
        raise ValidationError(
            {
                "attendance": _("The head count (%(count)d) is less than the %(named)d people named.")
                % {"count": session.attendance, "named": named}
            }
        )
    session.full_clean()
    session.save()
    session.attendees.set(attendees)
    rows = [
        TrainingOutsider(session=session, name=name, workplace=workplace) for name, workplace in outsiders
    ]
    for row in rows:
        row.full_clean(exclude=["session"])
    TrainingOutsider.objects.bulk_create(rows)
    return session


@transaction.atomic
def training_target_set(
    *, user: User, district: OrgUnit, year: int, measure: str, audience: str, target: int
):
    """The district office (or the city, or an administrator) sets one of a district's yearly targets."""
    if not may_set_training_targets(user, district):
        raise PermissionDenied
    if measure == TrainingMeasure.DRILLS:
        audience = ""
    elif not audience:
        raise ValidationError({"audience": _("Choose who the target is for.")})
    row = TrainingTarget.objects.filter(
        district=district, year=year, measure=measure, audience=audience
    ).first()
    row = row or TrainingTarget(district=district, year=year, measure=measure, audience=audience)
    row.target = target
    row.full_clean()
    row.save()
    return row


def may_set_training_targets(user: User, district: OrgUnit) -> bool:
    """The district office for its district; the city office and administrators for any."""
    if not user.is_authenticated or district.kind != OrgUnitKind.DISTRICT:
        return False
    if user.is_superuser or user.role in {Role.CITY_OFFICER, Role.ADMIN}:
        return OrgUnit.objects.visible_to(user).filter(pk=district.pk).exists()
    return user.role in TRAINING_OFFICE_ROLES and user.org_unit_id == district.pk
