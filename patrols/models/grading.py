"""The district's deadline for food-service quantified grading (餐饮服务量化分级): a target share of
its food-service establishments graded by a date the district sets."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind

GRADING_TARGET_DEFAULT = 100


class GradingTarget(models.Model):
    district = models.OneToOneField(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="grading_target",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    target_percent = models.PositiveSmallIntegerField(
        _("target coverage (%)"),
        default=GRADING_TARGET_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    deadline = models.DateField(_("deadline"), validators=[bounds.validate_day])
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("grading coverage target")
        verbose_name_plural = _("grading coverage targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_percent__gte=1, target_percent__lte=100),
                name="grading_target_percent_range",
            ),
            bounds.stored_range_constraint(
                "deadline", moment=False, name="grading_target_deadline_stored_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.target_percent}% {self.deadline:%Y-%m-%d}"
