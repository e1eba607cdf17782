"""Rapid tests (快筛快检): samples tested on the spot at a visit, or in the district's rapid-test room.

A positive result is never left alone: on a visit it opens a finding, in the room a lead (or it is
linked to a finding already open), in the same step (patrols.services.rapid_tests).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, record_scope_q
from patrols.models.establishments import Establishment
from patrols.models.leads import Lead
from patrols.models.records import Finding, Visit

# A measured value, whatever its unit (mg/kg, %, μg/L): more is a slip of the keyboard.
RAPID_TEST_VALUE_MAX = Decimal("999999.999")
SAMPLE_MAX_LENGTH = 60
ITEM_MAX_LENGTH = 60
UNIT_MAX_LENGTH = 20
SAMPLE_SOURCE_MAX_LENGTH = 120


class RapidTestMethod(models.TextChoices):
    TEST_STRIP = "test_strip", _("Test strip")
    ENZYME_INHIBITION = "enzyme_inhibition", _("Enzyme inhibition")
    COLLOIDAL_GOLD = "colloidal_gold", _("Colloidal gold")
    INSTRUMENT = "instrument", _("Instrument")
    OTHER = "other", _("Other method")


class RapidTestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


def rapid_test_photo_path(instance: RapidTest, filename: str) -> str:
    """The server chooses the name: never trust the phone's file name."""
    return f"rapid_tests/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.jpg"


class RapidTestQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[RapidTest]:
        """A visit's tests are its community's records; the room's tests are its district's, which
        communities do not see. Volunteers see none."""
        return self.filter(record_scope_q(user, "community") | record_scope_q(user, "district"))

    def within(self, unit: OrgUnit) -> QuerySet[RapidTest]:
        """The tests of `unit` and the units below it."""
        return self.filter(Q(community__path__startswith=unit.path) | Q(district__path__startswith=unit.path))

    def tested_between(self, first, last) -> QuerySet[RapidTest]:
        """Tested from `first` to `last` inclusive, by the day in the project's time zone."""
        return self.filter(tested_at__date__gte=first, tested_at__date__lte=last)


class RapidTest(models.Model):
    """One batch (批次) tested: one sample for one item."""

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapid_tests",
    )
    # A visit's test: the visit's community (the figures count it there). A room's test: its district.
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapid_tests",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district test room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="room_rapid_tests",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapid_tests",
    )
    sample_source = models.CharField(
        _("where the sample came from"), max_length=SAMPLE_SOURCE_MAX_LENGTH, blank=True
    )
    tested_at = models.DateTimeField(_("tested at"), validators=[bounds.validate_past_moment])
    sample = models.CharField(_("sample"), max_length=SAMPLE_MAX_LENGTH)
    item = models.CharField(_("item tested"), max_length=ITEM_MAX_LENGTH)
    method = models.CharField(_("method"), max_length=20, choices=RapidTestMethod.choices)
    result = models.CharField(_("result"), max_length=10, choices=RapidTestResult.choices)
    value = models.DecimalField(
        _("measured value"),
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(RAPID_TEST_VALUE_MAX)],
    )
    value_unit = models.CharField(_("unit of the value"), max_length=UNIT_MAX_LENGTH, blank=True)
    photo = models.ImageField(_("photo"), upload_to=rapid_test_photo_path, blank=True, max_length=120)
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapid_tests",
    )
    lead = models.OneToOneField(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapid_test",
    )
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RapidTestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapid test")
        verbose_name_plural = _("rapid tests")
        ordering = ["-tested_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "tested_at"]),
            models.Index(fields=["district", "tested_at"]),
        ]
        constraints = [
            # On a visit (with its community) or in a district's room, never neither nor both.
            models.CheckConstraint(
                condition=Q(visit__isnull=False, community__isnull=False, district__isnull=True)
                | Q(visit__isnull=True, community__isnull=True, district__isnull=False),
                name="rapid_test_on_visit_or_in_room",
            ),
            bounds.stored_range_constraint(
                "tested_at", moment=True, name="rapid_test_tested_at_stored_range"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=RAPID_TEST_VALUE_MAX),
                name="rapid_test_value_in_range",
            ),
            models.CheckConstraint(
                condition=Q(result__in=RapidTestResult.values), name="rapid_test_result_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=RapidTestMethod.values), name="rapid_test_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample} · {self.item} · {self.get_result_display()}"

    @property
    def in_room(self) -> bool:
        return self.visit_id is None

    @property
    def is_positive(self) -> bool:
        return self.result == RapidTestResult.POSITIVE
