"""The year-end three-tier assessment (三级考核, §9, seed 001 (八)(九)).

The city assesses its districts, a district its communities, a community its
inspectors and its volunteers (seed 001 (八)(2): 巡查员和志愿者队伍的工作情况，
作为其个人年终考核的依据). Each tier scores against a criteria sheet (考核细则)
that the assessing level keeps per year, copied from a seeded default the first time
it is used. An assessment copies the sheet's items when it starts, so editing
a sheet later never changes an assessment already under way. Submitting an
assessment freezes it: its items, checks and total are kept in a snapshot and
every service refuses to change it afterwards.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, OrgUnitKind, Role, User, scope_q

# A district checks a random sample of at least this share of a community's
# inspectors, and at least one (seed 001 (八)2(2): 不少于30%).
SAMPLE_SHARE = Decimal("0.30")
SAMPLE_MINIMUM = 1
# The district names this share of its communities, at least one, as
# advanced communities (先进社区, seed 001 (九)(3)), by rank.
ADVANCED_SHARE = Decimal("0.20")
ADVANCED_MINIMUM = 1
# The points of a criteria sheet's items add up to this.
FULL_MARKS = Decimal("100")
# Leads that earn a record-derived leads item its full points, per year (seed 000 (九)).
LEAD_TARGETS = {"district": 8, "community": 4, "inspector": 1}


class Tier(models.TextChoices):
    """Named by who is assessed."""

    DISTRICT = "district", _("City assesses district")
    COMMUNITY = "community", _("District assesses community")
    INSPECTOR = "inspector", _("Community assesses inspector")
    VOLUNTEER = "volunteer", _("Community assesses volunteer")


# The tiers that assess a person of the community, and the role that person has.
PERSON_TIERS = {Tier.INSPECTOR: Role.INSPECTOR, Tier.VOLUNTEER: Role.VOLUNTEER}


# Per tier: the kind of unit that assesses, and the kind of unit assessed
# (for inspectors, the community they belong to).
ASSESSOR_KIND = {
    Tier.DISTRICT: OrgUnitKind.CITY,
    Tier.COMMUNITY: OrgUnitKind.DISTRICT,
    Tier.INSPECTOR: OrgUnitKind.COMMUNITY,
    Tier.VOLUNTEER: OrgUnitKind.COMMUNITY,
}
ASSESSEE_KIND = {
    Tier.DISTRICT: OrgUnitKind.DISTRICT,
    Tier.COMMUNITY: OrgUnitKind.COMMUNITY,
    Tier.INSPECTOR: OrgUnitKind.COMMUNITY,
    Tier.VOLUNTEER: OrgUnitKind.COMMUNITY,
}
# The roles at the assessing unit that edit its sheet and score its assessments.
ASSESSOR_ROLES = {
    Tier.DISTRICT: frozenset({Role.CITY_OFFICER, Role.ADMIN}),
    Tier.COMMUNITY: frozenset({Role.DISTRICT_OFFICER}),
    Tier.INSPECTOR: frozenset({Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER}),
    Tier.VOLUNTEER: frozenset({Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER}),
}


class Method(models.TextChoices):
    WORK_REPORT = "work_report", _("Work report")
    ON_SITE = "on_site", _("On-site check")
    DOCUMENTS = "documents", _("Document review")
    OVERALL = "overall", _("Overall evaluation")


class Metric(models.TextChoices):
    """The figures the records can give; an item with one is prefilled."""

    PATROL_DAY_RATE = "patrol_day_rate", _("Patrol-day rate")
    REPORT_TIMELINESS = "report_timeliness", _("Monthly reports on time")
    COVERAGE_RATE = "coverage_rate", _("Coverage of due establishments")
    RECTIFICATION_RATE = "rectification_rate", _("Rectification rate")
    LEADS = "leads", _("Leads reported and filed")
    PUBLICITY = "publicity", _("Publicity done")
    SAMPLE_CHECKS = "sample_checks", _("Sampled inspectors' checks")
    INSPECTOR_PATROL_DAYS = "inspector_patrol_days", _("Inspector's patrol days")
    INSPECTOR_VISITS = "inspector_visits", _("Inspector's visits")
    INSPECTOR_LEADS = "inspector_leads", _("Inspector's leads")
    VOLUNTEER_PUBLICITY = "volunteer_publicity", _("Volunteer's publicity work")
    PERSON_TRAINING = "person_training", _("Training attended")


# The metrics that make sense on each tier's sheet.
TIER_METRICS = {
    Tier.DISTRICT: (
        Metric.PATROL_DAY_RATE,
        Metric.REPORT_TIMELINESS,
        Metric.COVERAGE_RATE,
        Metric.RECTIFICATION_RATE,
        Metric.LEADS,
        Metric.PUBLICITY,
    ),
    Tier.COMMUNITY: (
        Metric.PATROL_DAY_RATE,
        Metric.REPORT_TIMELINESS,
        Metric.COVERAGE_RATE,
        Metric.RECTIFICATION_RATE,
        Metric.LEADS,
        Metric.PUBLICITY,
        Metric.SAMPLE_CHECKS,
    ),
    Tier.INSPECTOR: (
        Metric.INSPECTOR_PATROL_DAYS,
        Metric.INSPECTOR_VISITS,
        Metric.INSPECTOR_LEADS,
        Metric.PERSON_TRAINING,
    ),
    Tier.VOLUNTEER: (Metric.VOLUNTEER_PUBLICITY, Metric.PERSON_TRAINING),
}


def assessed_people(tier: str) -> QuerySet[User]:
    """The active people a community assesses at a person tier: its inspectors, or its volunteers."""
    return User.objects.filter(role=PERSON_TIERS[tier], is_active=True)


# A volunteer is expected to log at least this much publicity work (a hand-out, an activity, a board
# update) in each month assessed: seed 000 (六)(5) has them hand the brochures out door to door.
VOLUNTEER_PUBLICITY_PER_MONTH = 1


def window(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) of the year's assessment window (settings.ASSESSMENT_WINDOW)."""
    month = settings.ASSESSMENT_WINDOW["month"]
    days_in_month = calendar.monthrange(year, month)[1]
    first = min(settings.ASSESSMENT_WINDOW["first_day"], days_in_month)
    last = min(settings.ASSESSMENT_WINDOW["last_day"], days_in_month)
    return dt.date(year, month, first), dt.date(year, month, last)


def in_window(day: dt.date) -> bool:
    first, last = window(day.year)
    return first <= day <= last


class CriteriaSheetQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[CriteriaSheet]:
        """The sheets of the user's unit and the units above it: the assessed may read the rules."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        unit = user.org_unit
        if unit is None:
            return self.none()
        above = [unit.path[: index + 1] for index, char in enumerate(unit.path) if char == "/"][1:]
        return self.filter(Q(owner__path__in=above) | scope_q(user, "owner"))


class CriteriaSheet(models.Model):
    """An assessing unit's criteria (考核细则) for one tier and year."""

    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    owner = models.ForeignKey(
        OrgUnit, verbose_name=_("assessing unit"), on_delete=models.PROTECT, related_name="criteria_sheets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CriteriaSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("criteria sheet")
        verbose_name_plural = _("criteria sheets")
        ordering = ["-year", "tier", "owner__path"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "owner", "year"], name="criteria_sheet_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.year} {self.get_tier_display()}"

    def total_points(self) -> Decimal:
        return sum((item.points for item in self.items.all()), Decimal(0))


class CriteriaItem(models.Model):
    sheet = models.ForeignKey(
        CriteriaSheet, verbose_name=_("criteria sheet"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=120)
    standard = models.TextField(_("standard"), blank=True)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(FULL_MARKS)],
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    metric = models.CharField(
        _("from the records"),
        max_length=24,
        choices=Metric.choices,
        blank=True,
        help_text=_("Prefilled from the records with this figure; leave empty for the assessor to score."),
    )

    class Meta:
        verbose_name = _("criteria item")
        verbose_name_plural = _("criteria items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Assessment]:
        """Who sees which assessments, in one place.

        The assessing level sees what it assesses, and the city and the
        district everything below them; the assessed see their own result
        once it is submitted. So a community sees only its own result (and
        its head and supervising leader the inspectors' and volunteers'
        assessments they make), an inspector or a volunteer only their own
        personal result.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        unit = user.org_unit
        if unit is None:
            return self.none()
        result = Q(submitted_at__isnull=False)
        if user.role in PERSON_TIERS.values():
            return self.filter(result, tier__in=list(PERSON_TIERS), assessee_user=user)
        if unit.kind == OrgUnitKind.COMMUNITY:
            own = result & Q(tier=Tier.COMMUNITY, assessee_unit=unit)
            for tier in PERSON_TIERS:
                if user.role in ASSESSOR_ROLES[tier]:
                    own |= Q(tier=tier, assessee_unit=unit)
            return self.filter(own)
        own_unit = Q(assessee_unit=unit, assessee_user__isnull=True)
        return self.filter(scope_q(user, "assessee_unit")).exclude(own_unit & ~result)

    def for_year(self, year: int) -> QuerySet[Assessment]:
        return self.filter(year=year)

    def submitted(self) -> QuerySet[Assessment]:
        return self.filter(submitted_at__isnull=False)


class Assessment(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    assessor_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("assessing unit"), on_delete=models.PROTECT, related_name="assessments_made"
    )
    assessee_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("assessed unit"),
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text=_("For an inspector or a volunteer, their community."),
    )
    assessee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    sheet = models.ForeignKey(
        CriteriaSheet, verbose_name=_("criteria sheet"), on_delete=models.PROTECT, related_name="assessments"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    # The months of the year whose records the prefilled figures count.
    months_counted = models.PositiveSmallIntegerField(_("months counted"), default=0)
    figures_at = models.DateTimeField(_("figures taken at"), null=True, blank=True)
    # The inspector sample (district assesses community): its seed and the ids drawn from it.
    sample_seed = models.CharField(_("sample seed"), max_length=64, blank=True)
    sample_pool = models.JSONField(_("inspectors sampled from"), default=list, blank=True)
    summary = models.TextField(_("overall comments"), blank=True)
    total = models.DecimalField(_("total score"), max_digits=5, decimal_places=1, default=Decimal(0))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "tier", "assessee_unit__path", "assessee_user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "tier", "assessee_unit"],
                condition=Q(assessee_user__isnull=True),
                name="assessment_unit_once_per_year",
            ),
            models.UniqueConstraint(
                fields=["year", "assessee_user"],
                condition=Q(assessee_user__isnull=False),
                name="assessment_inspector_once_per_year",
            ),
            models.CheckConstraint(
                condition=Q(tier__in=["inspector", "volunteer"], assessee_user__isnull=False)
                | (~Q(tier__in=["inspector", "volunteer"]) & Q(assessee_user__isnull=True)),
                name="assessment_person_tier_names_person",
            ),
        ]
        indexes = [models.Index(fields=["year", "tier", "assessor_unit"])]

    def __str__(self) -> str:
        return f"{self.year} {self.assessee_name}"

    @property
    def assessee_name(self) -> str:
        if self.assessee_user_id:
            return f"{self.assessee_user}（{self.assessee_unit}）"
        return str(self.assessee_unit)

    @property
    def is_frozen(self) -> bool:
        return self.submitted_at is not None

    @property
    def needs_sample(self) -> bool:
        return self.tier == Tier.COMMUNITY


class AssessmentItem(models.Model):
    """One line of an assessment: copied from the sheet, prefilled from the records or scored by hand."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("item"), max_length=120)
    standard = models.TextField(_("standard"), blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    metric = models.CharField(_("from the records"), max_length=24, choices=Metric.choices, blank=True)
    # What the records say, and where to read them.
    figure = models.JSONField(_("figure"), default=dict, blank=True)
    source = models.TextField(_("records behind the figure"), blank=True)
    source_url = models.CharField(_("link to the records"), max_length=300, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_prefilled(self) -> bool:
        return bool(self.metric)


class SampleCheck(models.Model):
    """A sampled inspector, checked by the district when it assesses the community."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="checks"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(FULL_MARKS)],
    )
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sampled inspector")
        verbose_name_plural = _("sampled inspectors")
        ordering = ["inspector__username"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "inspector"], name="sample_check_once"),
        ]

    def __str__(self) -> str:
        return str(self.inspector)

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None
