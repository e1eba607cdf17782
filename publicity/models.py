"""Publicity (§7) and model units (§8).

Per community: the bulletin-board column (宣传栏专版, at least monthly), slogans
in public places (宣传标语, at least quarterly), campaign activities, brochures
handed out to households, expired-medicine collection boxes and their
collections, and training sessions. Per district and year: model-unit targets
by category and responsible department, and the candidates working towards them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, Role, scope_q


def publicity_photo_path(instance, filename: str) -> str:
    """The server chooses the name: never trust the phone's file name."""
    return f"publicity/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.jpg"


class CommunityRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet:
        """Publicity is volunteers' work too, so they see their community's (scope_q, not record_scope_q)."""
        return self.filter(scope_q(user, "community"))

    def between(self, first: dt.date, last: dt.date) -> QuerySet:
        return self.filter(date__range=(first, last))


class CommunityRecord(models.Model):
    """What every publicity record has: its community, its day, who logged it."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    date = models.DateField(_("date"), validators=[bounds.validate_past_day])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date", "-pk"]


class BoardKind(models.TextChoices):
    BULLETIN = "bulletin", _("Bulletin-board column")
    SLOGAN = "slogan", _("Slogans in public places")


class BoardUpdate(CommunityRecord):
    """An update of the bulletin-board column or of the slogans, with photo evidence."""

    kind = models.CharField(_("kind"), max_length=12, choices=BoardKind.choices)
    summary = models.CharField(_("content summary"), max_length=300)
    photo = models.ImageField(_("photo"), upload_to=publicity_photo_path)

    class Meta(CommunityRecord.Meta):
        verbose_name = _("board or slogan update")
        verbose_name_plural = _("board and slogan updates")
        indexes = [models.Index(fields=["community", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


class CampaignKind(models.TextChoices):
    CONSUMER_DAY = "consumer_day", _("3·15 consumer rights day")
    FOOD_SAFETY_WEEK = "food_safety_week", _("Food safety publicity week")
    DRUG_SAFETY_MONTH = "drug_safety_month", _("National safe-drug-use month")
    LEGAL_DAY = "legal_day", _("12·4 legal publicity day")
    CUSTOM = "custom", _("Other campaign")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Campaign]:
        """City-wide campaigns for everyone; a district's own for the people in and above it."""
        if not user.is_authenticated:
            return self.none()
        own = Q(district__isnull=True)
        if user.is_superuser or (user.org_unit and user.org_unit.kind == OrgUnitKind.CITY):
            return self
        unit = user.org_unit
        if unit is None:
            return self.filter(own)
        district_id = unit.pk if unit.kind == OrgUnitKind.DISTRICT else unit.parent_id
        return self.filter(own | Q(district_id=district_id))


class Campaign(models.Model):
    """A campaign day or period of the year's calendar (§7)."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"), validators=[bounds.validate_day])
    ends_on = models.DateField(_("ends on"), validators=[bounds.validate_day])
    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="campaigns",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
        help_text=_("Empty for a city-wide campaign."),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["year", "kind"],
                condition=Q(district__isnull=True) & ~Q(kind="custom"),
                name="campaign_one_national_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Activity(CommunityRecord):
    """A publicity activity: a campaign-day stand, a consultation, a lecture."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=120)
    place = models.CharField(_("place"), max_length=200)
    attendance = models.PositiveIntegerField(_("attendance"), validators=[bounds.validate_count])
    summary = models.TextField(_("summary"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=publicity_photo_path, blank=True)

    class Meta(CommunityRecord.Meta):
        verbose_name = _("publicity activity")
        verbose_name_plural = _("publicity activities")
        indexes = [models.Index(fields=["community", "date"])]

    def __str__(self) -> str:
        return self.title


class BrochureDrop(CommunityRecord):
    """Brochures from the city bureau handed out to households (宣传册分发入户)."""

    households = models.PositiveIntegerField(
        _("households reached"), validators=[MinValueValidator(1), bounds.validate_count]
    )
    copies = models.PositiveIntegerField(
        _("copies handed out"), validators=[MinValueValidator(1), bounds.validate_count]
    )
    area = models.CharField(_("buildings or streets"), max_length=200, blank=True)

    class Meta(CommunityRecord.Meta):
        verbose_name = _("brochure hand-out")
        verbose_name_plural = _("brochure hand-outs")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.households}"


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")
    DRILL = "drill", _("Emergency drill")


class TrainingAudience(models.TextChoices):
    """Who a session is for: the level the plans set yearly targets for (seed 000 篇三)."""

    STAFF = "staff", _("District and community staff")
    INFO_OFFICERS = "info_officers", _("Information officers")
    FOOD_WORKERS = "food_workers", _("Food business workers")
    RESIDENTS = "residents", _("Residents")
    OTHER = "other", _("Other")


# The audience a person of the product belongs to, for their hours against the year's target.
ROLE_AUDIENCE = {
    Role.INSPECTOR: TrainingAudience.STAFF,
    Role.COMMUNITY_HEAD: TrainingAudience.STAFF,
    Role.SUPERVISING_LEADER: TrainingAudience.STAFF,
    Role.DISTRICT_OFFICER: TrainingAudience.STAFF,
    Role.DISTRICT_LIAISON: TrainingAudience.STAFF,
    Role.INFO_OFFICER: TrainingAudience.INFO_OFFICERS,
    Role.VOLUNTEER: TrainingAudience.RESIDENTS,
}

# A session lasts half an hour to a day, in half hours; at most this many named outsiders.
TRAINING_HOURS_MIN = Decimal("0.5")
TRAINING_HOURS_MAX = Decimal("24")
OUTSIDERS_MAX = 200
# A yearly target: sessions, hours per person or drills per community.
TRAINING_TARGET_MAX = 1000


def validate_training_hours(value: Decimal | None) -> None:
    if value is None:
        return
    if not TRAINING_HOURS_MIN <= value <= TRAINING_HOURS_MAX or (value * 2) % 1:
        raise ValidationError(
            _("Enter the hours from %(min)s to %(max)s, in half hours.")
            % {"min": TRAINING_HOURS_MIN, "max": TRAINING_HOURS_MAX},
            code="out_of_range",
        )


class TrainingSessionQuerySet(CommunityRecordQuerySet):
    def held(self) -> QuerySet[TrainingSession]:
        """Training sessions and meetings, not drills: the rows of the `trainings` figure."""
        return self.exclude(kind=TrainingKind.DRILL)


class TrainingSession(CommunityRecord):
    """A training session, meeting or emergency drill held in a community.

    The district office records its own sessions too, each held in (and so
    counted for) one community of its district; `organiser` tells a district
    session from a community's. `attendance` is the head count; the named
    attendees (people of the product and outsiders) are some of them, never
    more.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=TrainingKind.choices, default=TrainingKind.TRAINING
    )
    topic = models.CharField(_("topic"), max_length=200)
    audience = models.CharField(
        _("audience"), max_length=16, choices=TrainingAudience.choices, default=TrainingAudience.OTHER
    )
    # Empty only for sessions recorded before hours were kept.
    hours = models.DecimalField(
        _("hours"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[validate_training_hours],
    )
    attendance = models.PositiveIntegerField(_("attendance"), validators=[bounds.validate_count])
    organiser = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The community itself, or the district office for a district session."),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="training_sessions",
    )

    objects = TrainingSessionQuerySet.as_manager()

    class Meta(CommunityRecord.Meta):
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["community", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__isnull=True)
                | Q(hours__gte=TRAINING_HOURS_MIN, hours__lte=TRAINING_HOURS_MAX),
                name="training_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class TrainingOutsider(models.Model):
    """A named attendee who is not a person of the product: a food worker, a resident."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="outsiders",
    )
    name = models.CharField(_("name"), max_length=50)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("named outside attendee")
        verbose_name_plural = _("named outside attendees")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.workplace}）" if self.workplace else self.name


class TrainingMeasure(models.TextChoices):
    SESSIONS = "sessions", _("Sessions held for the audience in the year")
    HOURS = "hours", _("Hours per person in the year")
    DRILLS = "drills", _("Emergency drills per community in the year")


class TrainingTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[TrainingTarget]:
        """The district's targets for its people and the city; a community reads its district's."""
        unit = getattr(user, "org_unit", None)
        if unit is not None and unit.kind == OrgUnitKind.COMMUNITY and not user.is_superuser:
            return self.filter(district_id=unit.parent_id)
        return self.filter(scope_q(user, "district"))


class TrainingTarget(models.Model):
    """What a district asks for in a year: sessions per audience, hours per person, drills per community."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="training_targets",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    measure = models.CharField(_("measure"), max_length=10, choices=TrainingMeasure.choices)
    # Empty for drills, which every community owes whoever attends.
    audience = models.CharField(_("audience"), max_length=16, choices=TrainingAudience.choices, blank=True)
    target = models.PositiveSmallIntegerField(
        _("target"), validators=[MinValueValidator(1), MaxValueValidator(TRAINING_TARGET_MAX)]
    )

    objects = TrainingTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("training target")
        verbose_name_plural = _("training targets")
        ordering = ["district", "year", "measure", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "measure", "audience"], name="training_target_once"
            ),
            models.CheckConstraint(
                condition=Q(target__gte=1, target__lte=TRAINING_TARGET_MAX), name="training_target_in_range"
            ),
            models.CheckConstraint(
                condition=Q(measure="drills", audience="") | (~Q(measure="drills") & ~Q(audience="")),
                name="training_target_audience",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year} {self.get_measure_display()} {self.target}"


class CollectionBoxQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[CollectionBox]:
        return self.filter(scope_q(user, "community"))

    def active(self, *, on: dt.date) -> QuerySet[CollectionBox]:
        return self.filter(installed_on__lte=on).exclude(removed_on__lt=on)


class CollectionBox(models.Model):
    """An expired-medicine collection box (过期药品回收箱) at a community office or a pharmacy."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="collection_boxes",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    location = models.CharField(_("location"), max_length=200)
    pharmacy = models.ForeignKey(
        "patrols.Establishment",
        verbose_name=_("pharmacy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collection_boxes",
    )
    installed_on = models.DateField(_("installed on"), validators=[bounds.validate_past_day])
    removed_on = models.DateField(_("removed on"), null=True, blank=True, validators=[bounds.validate_day])

    objects = CollectionBoxQuerySet.as_manager()

    class Meta:
        verbose_name = _("medicine collection box")
        verbose_name_plural = _("medicine collection boxes")
        ordering = ["community", "location"]

    def __str__(self) -> str:
        return self.location


class BoxCollectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[BoxCollection]:
        return self.filter(scope_q(user, "box__community"))


class BoxCollection(models.Model):
    """One emptying of a collection box: how much expired medicine came out."""

    box = models.ForeignKey(
        CollectionBox, verbose_name=_("collection box"), on_delete=models.PROTECT, related_name="collections"
    )
    date = models.DateField(_("date"), validators=[bounds.validate_past_day])
    items = models.PositiveIntegerField(_("packs collected"), validators=[bounds.validate_count])
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BoxCollectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("box collection")
        verbose_name_plural = _("box collections")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.box} {self.date:%Y-%m-%d}"


class ModelCategory(models.TextChoices):
    """What a model unit (示范单位) can be, with the department that answers for it (seed 001 四)."""

    COMMUNITY = "community", _("Model community")
    FOOD_SERVICE = "food_service", _("Food service")
    PHARMACY = "pharmacy", _("Retail pharmacy")
    MEDICAL = "medical", _("Medical institution")
    MIDDLE_SCHOOL = "middle_school", _("Middle school")
    PRIMARY_SCHOOL = "primary_school", _("Primary school")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    FACTORY = "factory", _("Factory or enterprise")
    RESIDENTIAL = "residential", _("Residential compound")
    MALL = "mall", _("Shopping mall")


class ModelTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[ModelTarget]:
        """The district's targets for its own people and the city; a community reads its district's."""
        unit = getattr(user, "org_unit", None)
        if unit is not None and unit.kind == OrgUnitKind.COMMUNITY and not user.is_superuser:
            return self.filter(district_id=unit.parent_id)
        return self.filter(scope_q(user, "district"))


class ModelTarget(models.Model):
    """How many model units of a category a district is to create in a year, and who answers for it."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="model_targets",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=ModelCategory.choices)
    department = models.CharField(_("responsible department"), max_length=60)
    target = models.PositiveSmallIntegerField(_("target"), validators=[MinValueValidator(1)])

    objects = ModelTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("model-unit target")
        verbose_name_plural = _("model-unit targets")
        ordering = ["district", "year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "category"], name="model_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year} {self.get_category_display()} × {self.target}"


class CandidateStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ASSESSING = "assessing", _("Being assessed")
    ACCEPTED = "accepted", _("Named a model unit")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ModelCandidateQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[ModelCandidate]:
        """The district's candidates for its people and the city; in a community, only the community's
        own, as for its other records (a candidate without a community is the district's business)."""
        candidates = self.filter(target__in=ModelTarget.objects.visible_to(user))
        if getattr(user, "tier", None) == OrgUnitKind.COMMUNITY and not user.is_superuser:
            return candidates.filter(scope_q(user, "community"))
        return candidates


class ModelCandidate(models.Model):
    """A unit working towards model status under one of the district's targets."""

    target = models.ForeignKey(
        ModelTarget, verbose_name=_("model-unit target"), on_delete=models.CASCADE, related_name="candidates"
    )
    name = models.CharField(_("name"), max_length=120)
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    establishment = models.ForeignKey(
        "patrols.Establishment",
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="model_candidacies",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.CANDIDATE
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ModelCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("model-unit candidate")
        verbose_name_plural = _("model-unit candidates")
        ordering = ["target", "name"]

    def __str__(self) -> str:
        return self.name
