"""Daily patrol records (§4): a patrol, its team, its visits, their photos and findings."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, Role, record_scope_q
from patrols import geo
from patrols.models.campaigns import DEPARTMENTS_MAX_LENGTH, PatrolKind
from patrols.models.establishments import (
    Category,
    Establishment,
    latitude_field,
    longitude_field,
    phone_validator,
)


class ChecklistTemplate(models.Model):
    """The checks an inspector ticks at a visit, per category.

    A row without a district is the city-wide default; a district may keep
    its own version of a category's list.
    """

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
        related_name="checklists",
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    items = models.JSONField(_("items"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        verbose_name=_("checklist history"), verbose_name_plural=_("checklist history")
    )

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["district", "category"], name="checklist_district_category"),
            models.UniqueConstraint(
                fields=["category"], condition=Q(district__isnull=True), name="checklist_default_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.district or _('default')})"


class PatrolStatus(models.TextChoices):
    DRAFT = "draft", _("Being logged")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Sent back")
    ARCHIVED = "archived", _("Archived")


# Records in these states can still be changed by their team.
EDITABLE_STATUSES = frozenset({PatrolStatus.DRAFT, PatrolStatus.RETURNED})
# A patrolled day (§4) is a day with a submitted record holding at least one visit: records awaiting
# review or archived count; a draft, a record sent back or an empty record counts for nothing, in
# every figure, calendar, reminder and score. Patrol.objects.counted() is that rule.
COUNTED_STATUSES = (PatrolStatus.SUBMITTED, PatrolStatus.ARCHIVED)


def counted_q(prefix: str = "") -> Q:
    """Rows whose patrol record counts, `prefix` leading from them to the patrol ("patrol__", ...).

    A visit or a finding hangs on a record that holds at least that visit, so for them the
    record's status is the whole rule.
    """
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES})


class PatrolQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Patrol]:
        return self.filter(record_scope_q(user, "community"))

    def awaiting_review_by(self, user) -> QuerySet[Patrol]:
        pending = self.filter(status=PatrolStatus.SUBMITTED)
        if user.role == Role.COMMUNITY_HEAD:
            return pending.filter(head_approved_at__isnull=True)
        if user.role == Role.SUPERVISING_LEADER:
            return pending.filter(leader_approved_at__isnull=True)
        return pending.none()

    def between(self, first: dt.date, last: dt.date) -> QuerySet[Patrol]:
        return self.filter(date__gte=first, date__lte=last)

    def counted(self) -> QuerySet[Patrol]:
        """The records that count (COUNTED_STATUSES): submitted, holding at least one visit."""
        return self.filter(counted_q(), Exists(Visit.objects.filter(patrol=OuterRef("pk"))))


class Patrol(models.Model):
    client_id = models.UUIDField(
        _("record id"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Made on the phone; a resent record is stored once."),
    )
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="patrols",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    date = models.DateField(_("date"), validators=[bounds.validate_past_day])
    # The plans count night checks, campaigns, joint and holiday checks apart from daily patrols.
    kind = models.CharField(_("kind"), max_length=12, choices=PatrolKind.choices, default=PatrolKind.DAILY)
    campaign = models.ForeignKey(
        "patrols.SpecialCampaign",
        verbose_name=_("special campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrols",
    )
    joint_departments = models.CharField(
        _("departments taking part"),
        max_length=DEPARTMENTS_MAX_LENGTH,
        blank=True,
        help_text=_("For a joint check, e.g. market regulation, health, urban management, police."),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PatrolMember", related_name="patrols", verbose_name=_("team")
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PatrolStatus.choices, default=PatrolStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    head_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by the head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    head_approved_at = models.DateTimeField(_("approved by the head at"), null=True, blank=True)
    leader_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by the leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    leader_approved_at = models.DateTimeField(_("approved by the leader at"), null=True, blank=True)
    returned_reason = models.TextField(_("reason for sending back"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    history = HistoricalRecords(
        verbose_name=_("patrol record history"), verbose_name_plural=_("patrol record history")
    )
    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol record")
        verbose_name_plural = _("patrol records")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["community", "date"]),
            models.Index(fields=["community", "status"]),
            # A month's records of many communities (the roll-up) without reading the whole history.
            models.Index(fields=["date"], name="patrol_date_idx"),
        ]
        # One record per community, day and kind (SPEC §4: a night check is a record of its own
        # beside the day's patrol); a record is never deleted, so every row counts. A patrolled day
        # is a day with any counted record, whatever its kind.
        constraints = [
            models.UniqueConstraint(
                fields=["community", "date", "kind"], name="patrol_once_per_community_day_kind"
            ),
            models.CheckConstraint(condition=Q(kind__in=PatrolKind.values), name="patrol_kind_valid"),
            # A campaign record names its campaign; no other kind does.
            models.CheckConstraint(
                condition=Q(kind=PatrolKind.CAMPAIGN, campaign__isnull=False)
                | (~Q(kind=PatrolKind.CAMPAIGN) & Q(campaign__isnull=True)),
                name="patrol_campaign_only_for_campaigns",
            ),
            # A joint check names the departments taking part; no other kind does.
            models.CheckConstraint(
                condition=(Q(kind=PatrolKind.JOINT) & ~Q(joint_departments=""))
                | (~Q(kind=PatrolKind.JOINT) & Q(joint_departments="")),
                name="patrol_departments_only_for_joint",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == PatrolKind.DAILY:
            return f"{self.community} {self.date:%Y-%m-%d}"
        return f"{self.community} {self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_archived(self) -> bool:
        return self.status == PatrolStatus.ARCHIVED


class PatrolMember(models.Model):
    """An inspector on a patrol, with the certificate number shown that day."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="members"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_no = models.CharField(_("inspector certificate no."), max_length=30)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["patrol", "inspector"], name="patrol_member_once")]

    def __str__(self) -> str:
        return f"{self.inspector} ({self.certificate_no})"


# Bounds of what the shop's side writes on the visit record.
SIGNER_NAME_MAX_LENGTH = 50
REFUSAL_REASON_MAX_LENGTH = 200


class VisitResult(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    ISSUES = "issues", _("Problems found")


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Visit]:
        return self.filter(patrol__in=Patrol.objects.visible_to(user))

    def counted(self) -> QuerySet[Visit]:
        return self.filter(counted_q("patrol__"))

    def shown_to_shop(self, establishment: Establishment, *, on: dt.date) -> QuerySet[Visit]:
        """The visit records a shop reaches from its public page on `on`: its own, for
        VISIT_RECORD_PUBLIC_DAYS after the day of the visit (Visit.public_record_until)."""
        first_day = on - dt.timedelta(days=settings.VISIT_RECORD_PUBLIC_DAYS)
        since = timezone.make_aware(dt.datetime.combine(first_day, dt.time()))
        return self.filter(establishment=establishment, visited_at__gte=since)


class Visit(models.Model):
    client_id = models.UUIDField(_("record id"), unique=True, default=uuid.uuid4)
    # Indexed by the constraint visit_once_per_patrol (patrol, establishment), which serves every
    # lookup by patrol, and from which a month's visited shops are read without the visits' rows.
    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="visits", verbose_name=_("patrol"), db_index=False
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="visits", verbose_name=_("establishment")
    )
    visited_at = models.DateTimeField(
        _("visited at"), default=timezone.now, validators=[bounds.validate_past_moment]
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=VisitResult.choices)
    findings = models.TextField(_("findings"), blank=True)
    action_taken = models.TextField(_("action on the spot"), blank=True)
    follow_up_of = models.ForeignKey(
        "Finding",
        verbose_name=_("follow-up of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    rectified = models.BooleanField(_("rectified"), null=True, blank=True)
    # Where the phone was when the visit was saved, if it could tell and the inspector allowed it.
    latitude = latitude_field()
    longitude = longitude_field()
    accuracy_m = models.DecimalField(
        _("position accuracy (m)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(bounds.ACCURACY_MAX_METRES)],
    )
    # The visit record the shop keeps (现场巡查记录): signed by its responsible person on the
    # phone, or marked as refused with the reason. The times are the server's.
    shop_signature = models.ImageField(
        _("signature of the shop"), upload_to="signatures/%Y/%m/", blank=True, max_length=120
    )
    shop_signer_name = models.CharField(_("signed by"), max_length=SIGNER_NAME_MAX_LENGTH, blank=True)
    shop_signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    shop_refusal_reason = models.CharField(
        _("reason for refusing to sign"), max_length=REFUSAL_REASON_MAX_LENGTH, blank=True
    )
    shop_refused_at = models.DateTimeField(_("refused to sign at"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("visit history"), verbose_name_plural=_("visit history"))
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["visited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "establishment"], name="visit_once_per_patrol"),
            bounds.stored_range_constraint("visited_at", moment=True, name="visit_visited_at_stored_range"),
            models.CheckConstraint(
                condition=bounds.position_q(with_accuracy=True), name="visit_position_in_range"
            ),
            # Signed (a name, a time) or refused (a reason, a time), never both.
            models.CheckConstraint(
                condition=(
                    Q(shop_signed_at__isnull=True, shop_signer_name="", shop_signature="")
                    | (Q(shop_signed_at__isnull=False) & ~Q(shop_signer_name="") & ~Q(shop_signature=""))
                )
                & (
                    Q(shop_refused_at__isnull=True, shop_refusal_reason="")
                    | (Q(shop_refused_at__isnull=False) & ~Q(shop_refusal_reason=""))
                )
                & (Q(shop_signed_at__isnull=True) | Q(shop_refused_at__isnull=True)),
                name="visit_signed_or_refused",
            ),
            bounds.stored_range_constraint(
                "shop_signed_at", moment=True, name="visit_signed_at_stored_range"
            ),
            bounds.stored_range_constraint(
                "shop_refused_at", moment=True, name="visit_refused_at_stored_range"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.establishment} {self.visited_at:%Y-%m-%d}"

    @property
    def failed_checks(self) -> list[dict]:
        return [row for row in self.checklist if row.get("ok") is False]

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def distance_from_shop_m(self) -> float | None:
        """How far from the shop's registered position the visit was saved (needs `establishment`)."""
        shop = self.establishment
        if not (self.has_position and shop.has_position):
            return None
        return geo.distance_metres(
            float(self.latitude), float(self.longitude), float(shop.latitude), float(shop.longitude)
        )

    @property
    def is_far_from_shop(self) -> bool:
        """Marked for the reviewer: saved farther than VISIT_FAR_FROM_SHOP_METRES from the shop, beyond
        the accuracy the phone reported. Unknown (no position either side) is not far."""
        distance = self.distance_from_shop_m()
        if distance is None:
            return False
        return geo.is_far(
            distance, accuracy=float(self.accuracy_m or 0), threshold=settings.VISIT_FAR_FROM_SHOP_METRES
        )

    @property
    def is_signed_by_shop(self) -> bool:
        return self.shop_signed_at is not None

    @property
    def is_refused_by_shop(self) -> bool:
        return self.shop_refused_at is not None

    def public_record_until(self) -> dt.date:
        """The last day the shop reaches this visit's record from its public page."""
        return timezone.localdate(self.visited_at) + dt.timedelta(days=settings.VISIT_RECORD_PUBLIC_DAYS)


def photo_path(instance: Photo, filename: str) -> str:
    """The server chooses the name: never trust the phone's file name."""
    return f"photos/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.jpg"


class PhotoQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Photo]:
        return self.filter(visit__in=Visit.objects.visible_to(user))


class Photo(models.Model):
    client_id = models.UUIDField(_("record id"), unique=True, default=uuid.uuid4)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    image = models.ImageField(_("photo"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            bounds.stored_range_constraint("taken_at", moment=True, name="photo_taken_at_stored_range")
        ]

    def __str__(self) -> str:
        return f"{self.visit} #{self.pk}"


class FindingKind(models.TextChoices):
    SAFETY_RISK = "safety_risk", _("Safety risk")
    SUSPECTED_VIOLATION = "suspected_violation", _("Suspected violation")


class FindingCategory(models.TextChoices):
    HYGIENE = "hygiene", _("Hygiene")
    EXPIRED = "expired", _("Expired or spoiled goods")
    LICENCE = "licence", _("Licence or permits")
    STORAGE = "storage", _("Storage and temperature")
    LABELLING = "labelling", _("Labelling")
    STAFF_HEALTH = "staff_health", _("Staff health certificates")
    UNLICENSED_SALES = "unlicensed_sales", _("Unlicensed or prescription-only sales")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "Open")
    CLOSED = "closed", _("Rectified")
    REPORTED = "reported", _("Reported to the district")


class Severity(models.IntegerChoices):
    """How grave a safety risk is (隐患分级): the graver, the sooner it must be put right."""

    MINOR = 1, _("Minor")
    MAJOR = 2, _("Major")
    SERIOUS = 3, _("Serious")


class Escalation(models.IntegerChoices):
    """How far up an overdue rectification has been reported (the escalation ladder)."""

    NONE = 0, _("Not escalated")
    COMMUNITY_HEAD = 1, _("Community head notified")
    DISTRICT = 2, _("District office notified")


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Finding]:
        return self.filter(record_scope_q(user, "community"))

    def open_risks(self) -> QuerySet[Finding]:
        return self.filter(kind=FindingKind.SAFETY_RISK, status=FindingStatus.OPEN)

    def overdue(self, *, on: dt.date) -> QuerySet[Finding]:
        return self.open_risks().filter(rectification_deadline__lt=on)

    def most_urgent_first(self) -> QuerySet[Finding]:
        """The rectification order: the most severe first, then the nearest deadline."""
        return self.select_related("establishment", "visit").order_by(
            "-severity", models.F("rectification_deadline").asc(nulls_last=True), "visit__visited_at", "pk"
        )


class Finding(models.Model):
    """A problem found at a visit: a risk to rectify, or a suspected violation for the district."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="finding_set", verbose_name=_("visit")
    )
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.PROTECT, related_name="findings"
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=FindingKind.choices)
    category = models.CharField(_("category"), max_length=24, choices=FindingCategory.choices)
    description = models.TextField(_("description"))
    rectification_deadline = models.DateField(
        _("rectify by"), null=True, blank=True, validators=[bounds.validate_day]
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MINOR
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The rectification's owner: the shop's responsible person, taken from the register when found.
    owner_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    owner_phone = models.CharField(
        _("responsible person's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE, editable=False
    )

    history = HistoricalRecords(verbose_name=_("finding history"), verbose_name_plural=_("finding history"))
    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "kind", "status"]),
            models.Index(fields=["status", "rectification_deadline"]),
            # The dashboards count open risks and the overdue among them per community: the count
            # is read from this small index alone, without visiting the findings themselves.
            models.Index(
                fields=["community", "rectification_deadline"],
                condition=Q(kind=FindingKind.SAFETY_RISK, status=FindingStatus.OPEN),
                name="finding_open_risk_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="finding_severity_valid"),
            models.CheckConstraint(
                condition=Q(escalation__in=Escalation.values), name="finding_escalation_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment}{gettext(': ')}{self.get_category_display()}"

    def choice_label(self, on: dt.date | None = None) -> str:
        """How a finding is told apart from its neighbours where one is chosen (needs `visit` loaded)."""
        label = _("%(shop)s · %(category)s · found %(found)s · rectify by %(deadline)s") % {
            "shop": self.establishment.name,
            "category": self.get_category_display(),
            "found": f"{timezone.localdate(self.visit.visited_at):%Y-%m-%d}",
            "deadline": f"{self.rectification_deadline:%Y-%m-%d}" if self.rectification_deadline else "—",
        }
        if self.is_overdue(on):
            label = _("%(label)s (overdue)") % {"label": label}
        return label

    @property
    def is_rectification(self) -> bool:
        """A safety risk is a rectification (整改) with an owner, a deadline and a follow-up."""
        return self.kind == FindingKind.SAFETY_RISK

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN

    def is_overdue(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.status == FindingStatus.OPEN
            and self.rectification_deadline is not None
            and self.rectification_deadline < on
        )


class Amendment(models.Model):
    """A correction to an archived record; the record itself keeps its original text."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="amendments"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
    )
    field = models.CharField(_("field"), max_length=40)
    original = models.TextField(_("original"), blank=True)
    corrected = models.TextField(_("correction"))
    reason = models.TextField(_("reason"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"{self.patrol}{gettext(': ')}{self.field}"
