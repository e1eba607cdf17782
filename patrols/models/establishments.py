"""The establishment registry (§3): every shop, pharmacy and canteen a community watches."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, record_scope_q
from patrols import schedule


class Category(models.TextChoices):
    FOOD_SERVICE = "food_service", _("Food service")
    FOOD_RETAIL = "food_retail", _("Food retail")
    PHARMACY = "pharmacy", _("Pharmacy")
    HEALTH_FOOD = "health_food", _("Health food")
    COSMETICS = "cosmetics", _("Cosmetics")
    MEDICAL_DEVICES = "medical_devices", _("Medical devices")
    CLINIC = "clinic", _("Clinic")
    SCHOOL_CANTEEN = "school_canteen", _("School or kindergarten canteen")
    WORKPLACE_CANTEEN = "workplace_canteen", _("Workplace canteen")
    SMALL_WORKSHOP = "small_workshop", _("Small workshop or street vendor")


# Categories that fall under food-service quantified grading (餐饮服务量化分级).
FOOD_SERVICE_CATEGORIES = frozenset(
    {Category.FOOD_SERVICE, Category.SCHOOL_CANTEEN, Category.WORKPLACE_CANTEEN}
)


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class RiskClass(models.TextChoices):
    A = "A", _("A (monthly)")
    B = "B", _("B (quarterly)")
    C = "C", _("C (half-yearly)")


class WatchList(models.TextChoices):
    NONE = "", _("None")
    RED = "red", _("Red list (trusted)")
    BLACK = "black", _("Black list (warning)")


class FoodGrade(models.TextChoices):
    NONE = "", _("Not graded")
    A = "A", _("A (excellent)")
    B = "B", _("B (good)")
    C = "C", _("C (fair)")


class ModelStatus(models.TextChoices):
    NONE = "", _("None")
    CANDIDATE = "candidate", _("Candidate")
    MODEL = "model", _("Model unit")


class VisitState(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE = "due", _("Due")
    OK = "ok", _("Up to date")


def visit_state_q(state: str, *, on: dt.date) -> Q:
    """The open establishments in a visit state on `on`, as a filter on their next due date:
    schedule.visit_state's rule, for the database. The registry's filters, its due lists and its
    figures all take it from here."""
    horizon = schedule.due_soon_horizon(on)
    return {
        VisitState.OVERDUE: Q(next_visit_due__lt=on),
        VisitState.DUE: Q(next_visit_due__gte=on, next_visit_due__lte=horizon),
        VisitState.OK: Q(next_visit_due__gt=horizon),
    }[state]


def registry_scope_q(user) -> Q:
    """The establishments `user` may see, as a filter."""
    return record_scope_q(user, "community")


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Establishment]:
        return self.filter(registry_scope_q(user))

    def open(self) -> QuerySet[Establishment]:
        return self.filter(status=Status.OPEN)

    def overdue(self, *, on: dt.date) -> QuerySet[Establishment]:
        return self.open().filter(visit_state_q(VisitState.OVERDUE, on=on))

    def due(self, *, on: dt.date) -> QuerySet[Establishment]:
        """Due within DUE_SOON_DAYS, overdue ones included."""
        overdue, due = visit_state_q(VisitState.OVERDUE, on=on), visit_state_q(VisitState.DUE, on=on)
        return self.open().filter(overdue | due)

    def in_visit_state(self, state: str, *, on: dt.date) -> QuerySet[Establishment]:
        if state in VisitState.values:
            return self.open().filter(visit_state_q(state, on=on))
        return self

    def search(self, text: str) -> QuerySet[Establishment]:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(address__icontains=text)
            | Q(licence_no__icontains=text)
            | Q(legal_representative__icontains=text)
        )


# Blank is allowed (the field is optional), and said so in the pattern, which the API schema shows.
phone_validator = RegexValidator(r"^(?:[0-9+\- ]{5,20})?$", _("Enter a valid phone number."))


def latitude_field() -> models.DecimalField:
    return models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-bounds.LATITUDE_MAX), MaxValueValidator(bounds.LATITUDE_MAX)],
    )


def longitude_field() -> models.DecimalField:
    return models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-bounds.LONGITUDE_MAX), MaxValueValidator(bounds.LONGITUDE_MAX)],
    )


class Establishment(models.Model):
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    licence_no = models.CharField(_("licence no."), max_length=50, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="establishments",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    grid = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_establishments",
        limit_choices_to={"kind": OrgUnitKind.GRID},
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    risk_class = models.CharField(
        _("risk class"), max_length=1, choices=RiskClass.choices, default=RiskClass.B
    )
    tightened_interval_months = models.PositiveSmallIntegerField(
        _("tightened visit interval (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("Optional: visit more often than the risk class requires."),
    )
    watch_list = models.CharField(
        _("watch list"), max_length=8, choices=WatchList.choices, default=WatchList.NONE, blank=True
    )
    # When and why the district put the establishment on its list: stamped with the list
    # (governance.stamp_watch_list), kept in the audit history like the list itself.
    watch_listed_on = models.DateField(
        _("listed on"), null=True, blank=True, editable=False, validators=[bounds.validate_past_day]
    )
    watch_list_reason = models.CharField(_("reason for listing"), max_length=100, blank=True, editable=False)
    food_grade = models.CharField(
        _("quantified grade"), max_length=1, choices=FoodGrade.choices, default=FoodGrade.NONE, blank=True
    )
    food_graded_on = models.DateField(
        _("graded on"), null=True, blank=True, validators=[bounds.validate_past_day]
    )
    model_status = models.CharField(
        _("model-unit status"),
        max_length=12,
        choices=ModelStatus.choices,
        default=ModelStatus.NONE,
        blank=True,
    )
    registered_on = models.DateField(
        _("registered on"), default=timezone.localdate, validators=[bounds.validate_past_day]
    )
    last_visited_on = models.DateField(
        _("last visited on"), null=True, blank=True, validators=[bounds.validate_past_day]
    )
    # Where the shop stands, set by the district office: visits saved far from it are marked.
    latitude = latitude_field()
    longitude = longitude_field()
    # Derived from the fields above by refresh_visit_due(); kept in a column so
    # that "due / overdue" is an indexed filter, not a computation per row.
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        verbose_name=_("establishment history"), verbose_name_plural=_("establishment history")
    )
    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_no"],
                condition=~Q(licence_no=""),
                name="establishment_licence_unique",
                violation_error_message=_("An establishment with this licence number is already registered."),
            ),
            models.CheckConstraint(condition=bounds.position_q(), name="establishment_position_in_range"),
            bounds.stored_range_constraint(
                "watch_listed_on", moment=False, name="establishment_watch_listed_on_stored_range"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "next_visit_due"]),
            models.Index(fields=["community", "category"]),
            # The registry's order: a district's or the city's first page reads it instead of sorting.
            models.Index(fields=["name", "id"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.community_id and self.community.kind != OrgUnitKind.COMMUNITY:
            errors["community"] = _("Choose a community.")
        if self.grid_id and self.grid.parent_id != self.community_id:
            errors["grid"] = _("The grid must belong to the establishment's community.")
        if self.food_grade and not self.takes_food_grade:
            errors["food_grade"] = _("Only food-service establishments are graded.")
        if self.food_grade and not self.food_graded_on:
            errors["food_graded_on"] = _("Enter the date the grade was given.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Enter both the latitude and the longitude, or neither."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def takes_food_grade(self) -> bool:
        return self.category in FOOD_SERVICE_CATEGORIES

    def compute_next_visit_due(self) -> dt.date | None:
        if self.status != Status.OPEN:
            return None
        return schedule.next_visit_due(
            last_visited=self.last_visited_on,
            registered=self.registered_on,
            risk_class=self.risk_class,
            tightened_months=self.tightened_interval_months,
            black_listed=self.watch_list == WatchList.BLACK,
        )

    def refresh_visit_due(self) -> None:
        self.next_visit_due = self.compute_next_visit_due()

    def visit_state(self, on: dt.date | None = None) -> str:
        return schedule.visit_state(self.next_visit_due, on or timezone.localdate())

    def get_visit_state_display(self) -> str:
        state = self.visit_state()
        return str(VisitState(state).label) if state else ""
