"""Kinds of patrol records the plans count apart (夜查, 专项整治, 联合检查, 节假日检查), the district's
special campaigns, and its monthly minimum of records per kind for each community."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, scope_q


class PatrolKind(models.TextChoices):
    DAILY = "daily", _("Daily patrol")
    NIGHT = "night", _("Night check")
    CAMPAIGN = "campaign", _("Special campaign")
    JOINT = "joint", _("Joint check")
    HOLIDAY = "holiday", _("Holiday check")


# Bounds of what a district writes about a campaign and a joint check.
CAMPAIGN_NAME_MAX_LENGTH = 100
CAMPAIGN_MAX_DAYS = 366
CAMPAIGN_ITEMS_MAX = 30
CHECKLIST_ITEM_MAX_LENGTH = 200
DEPARTMENTS_MAX_LENGTH = 200
# A community cannot be asked for more records of a kind a month than there are days.
TARGET_MAX = 31


def district_rows(queryset: QuerySet, user) -> QuerySet:
    """A district's own rows (campaigns, targets): its people and the city see them, and the
    people of its communities; nobody else."""
    if not user.is_authenticated or (user.org_unit_id is None and not user.is_superuser):
        return queryset.none()
    if user.is_superuser or user.org_unit.kind != OrgUnitKind.COMMUNITY:
        return queryset.filter(scope_q(user, "district"))
    return queryset.filter(district_id=user.org_unit.parent_id)


class SpecialCampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[SpecialCampaign]:
        return district_rows(self, user)

    def holding(self, day: dt.date) -> QuerySet[SpecialCampaign]:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class SpecialCampaign(models.Model):
    """A special campaign (专项整治) a district runs over a period, with its own checks if it has any."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="special_campaigns",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    name = models.CharField(_("name"), max_length=CAMPAIGN_NAME_MAX_LENGTH)
    starts_on = models.DateField(_("starts on"), validators=[bounds.validate_day])
    ends_on = models.DateField(_("ends on"), validators=[bounds.validate_day])
    checklist_items = models.JSONField(
        _("campaign checks"),
        default=list,
        blank=True,
        help_text=_("Checks added to every visit of the campaign, besides the category's list."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SpecialCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="special_campaign_ends_after_start"
            ),
            bounds.stored_range_constraint(
                "starts_on", moment=False, name="special_campaign_starts_on_stored_range"
            ),
            bounds.stored_range_constraint(
                "ends_on", moment=False, name="special_campaign_ends_on_stored_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}）"

    def holds(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class PatrolTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[PatrolTarget]:
        return district_rows(self, user)


class PatrolTarget(models.Model):
    """The records of a kind a district asks of each of its communities a month (e.g. 夜查 ≥ 2)."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="patrol_targets",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PatrolKind.choices)
    monthly_minimum = models.PositiveSmallIntegerField(
        _("at least, a month per community"),
        validators=[MinValueValidator(1), MaxValueValidator(TARGET_MAX)],
    )

    objects = PatrolTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol target")
        verbose_name_plural = _("patrol targets")
        ordering = ["district", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["district", "kind"], name="patrol_target_once_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=PatrolKind.values), name="patrol_target_kind_valid"),
            models.CheckConstraint(
                condition=Q(monthly_minimum__range=(1, TARGET_MAX)), name="patrol_target_minimum_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.get_kind_display()} ≥ {self.monthly_minimum}"
