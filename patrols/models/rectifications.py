"""Rectification of a safety risk (整改, §4): the district's rules, the evidence and the time-stamped steps.

The rectification itself is the safety-risk Finding (its owner, deadline, severity and escalation
are columns of it); these models hold what hangs on it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, record_scope_q
from patrols.models.records import Finding, Severity

# Days to put a risk right, per severity (隐患分级), where the district keeps no rule of its own.
SEVERITY_DAYS: dict[int, int] = {Severity.MINOR: 7, Severity.MAJOR: 3, Severity.SERIOUS: 1}
# Days after the community head was told of an overdue rectification before the district office is.
DISTRICT_ESCALATION_DAYS = 3
# What a district may set: a deadline within a quarter, an escalation within a month.
MAX_RECTIFICATION_DAYS = 90
MAX_ESCALATION_DAYS = 30


def _days_field(label, default: int, maximum: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(maximum)]
    )


class RectificationPolicy(models.Model):
    """A district's own rectification rules; a district without a row follows the defaults above."""

    district = models.OneToOneField(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="rectification_policy",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    minor_days = _days_field(_("days to rectify a minor risk"), SEVERITY_DAYS[Severity.MINOR], 90)
    major_days = _days_field(_("days to rectify a major risk"), SEVERITY_DAYS[Severity.MAJOR], 90)
    serious_days = _days_field(_("days to rectify a serious risk"), SEVERITY_DAYS[Severity.SERIOUS], 90)
    district_after_days = _days_field(
        _("days before the district office is told"), DISTRICT_ESCALATION_DAYS, MAX_ESCALATION_DAYS
    )

    class Meta:
        verbose_name = _("rectification rules")
        verbose_name_plural = _("rectification rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(minor_days__range=(1, MAX_RECTIFICATION_DAYS))
                & Q(major_days__range=(1, MAX_RECTIFICATION_DAYS))
                & Q(serious_days__range=(1, MAX_RECTIFICATION_DAYS)),
                name="rectification_policy_days_range",
            ),
            models.CheckConstraint(
                condition=Q(district_after_days__range=(1, MAX_ESCALATION_DAYS)),
                name="rectification_policy_escalation_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.district)

    @classmethod
    def for_district(cls, district_id: int | None) -> RectificationPolicy:
        """The district's rules: its saved row, or the defaults (unsaved)."""
        found = cls.objects.filter(district_id=district_id).first() if district_id else None
        return found or cls(district_id=district_id)

    def days_for(self, severity: int) -> int:
        return {
            Severity.MINOR: self.minor_days,
            Severity.MAJOR: self.major_days,
            Severity.SERIOUS: self.serious_days,
        }[Severity(severity)]


class StepKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    EVIDENCE = "evidence", _("Evidence added")
    PASSED = "passed", _("Follow-up passed")
    FAILED = "failed", _("Follow-up failed")
    ESCALATED_HEAD = "escalated_head", _("Escalated to the community head")
    ESCALATED_DISTRICT = "escalated_district", _("Escalated to the district office")
    CLOSED = "closed", pgettext_lazy("rectification step", "Closed")


class RectificationStepQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[RectificationStep]:
        return self.filter(record_scope_q(user, "finding__community"))


class RectificationStep(models.Model):
    """One time-stamped step of a rectification, with who took it (nobody for the beat's escalations)."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A follow-up by the one who found the risk: allowed only to a community's only inspector.
    by_finder = models.BooleanField(_("by the finder"), default=False)
    # Given by the service that takes the step (a time it reads once for several steps).
    at = models.DateTimeField(_("time"))

    objects = RectificationStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["finding", "at"])]
        constraints = [bounds.stored_range_constraint("at", moment=True, name="rectification_step_at_range")]

    def __str__(self) -> str:
        return f"{self.finding}{gettext(': ')}{self.get_kind_display()}"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    """The server chooses the name: never trust the phone's file name."""
    return f"rectifications/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.jpg"


class RectificationEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[RectificationEvidence]:
        return self.filter(record_scope_q(user, "finding__community"))


class RectificationEvidence(models.Model):
    """A photo showing the risk put right: a rectification is not closed without one."""

    client_id = models.UUIDField(_("record id"), unique=True, default=uuid.uuid4)
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="evidence"
    )
    image = models.ImageField(_("photo"), upload_to=evidence_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = RectificationEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            bounds.stored_range_constraint(
                "taken_at", moment=True, name="rectification_evidence_taken_at_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.finding} #{self.pk}"
