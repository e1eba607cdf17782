"""Criteria sheets, starting, scoring, sampling, checking and submitting assessments (§9).

Every change to an assessment goes through here, and each refuses, with the
reason in the user's language, when the assessment is frozen, when the
assessment window is closed, or when the user is not its assessor.
"""

from __future__ import annotations

import math
import random
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import defaults
from assessment import figures as assessment_figures
from assessment.models import (
    ASSESSEE_KIND,
    ASSESSOR_KIND,
    ASSESSOR_ROLES,
    FULL_MARKS,
    PERSON_TIERS,
    SAMPLE_MINIMUM,
    SAMPLE_SHARE,
    Assessment,
    AssessmentItem,
    CriteriaItem,
    CriteriaSheet,
    SampleCheck,
    Tier,
    in_window,
    window,
)
from orgs.models import OrgUnit, User

# The sheet's items as the editor and the API hand them in.
SHEET_FIELDS = ("position", "title", "standard", "points", "method", "metric")


# Who may do what


def is_assessor(user: User, tier: str, unit: OrgUnit) -> bool:
    """Whether the user scores `tier` assessments made by `unit` (and edits its sheet)."""
    if user.is_superuser:
        return unit.kind == ASSESSOR_KIND[tier]
    return user.org_unit_id == unit.pk and user.role in ASSESSOR_ROLES[tier]


def assessor_unit_for(tier: str, assessee_unit: OrgUnit) -> OrgUnit:
    """The unit that assesses: the city for a district, the district for a community, the community itself
    for its inspectors and volunteers."""
    return assessee_unit if tier in PERSON_TIERS else assessee_unit.parent


def assessor_tiers(user: User) -> list[str]:
    """The tiers the user assesses from their own unit."""
    unit = user.org_unit
    if unit is None:
        return []
    return [
        tier for tier in Tier.values if unit.kind == ASSESSOR_KIND[tier] and is_assessor(user, tier, unit)
    ]


def sample_size(population: int) -> int:
    """SAMPLE_SHARE of the inspectors rounded up, at least SAMPLE_MINIMUM, never more than all."""
    if population <= 0:
        return 0
    return min(population, max(SAMPLE_MINIMUM, math.ceil(SAMPLE_SHARE * population)))


def draw_sample(inspector_ids: list[int], seed: str) -> list[int]:
    """The inspectors drawn with `seed`: the same seed and inspectors always give the same sample."""
    pool = sorted(inspector_ids)
    return sorted(random.Random(seed).sample(pool, k=sample_size(len(pool))))


def _require_window(today=None) -> None:
    today = today or timezone.localdate()
    if not in_window(today):
        first, last = window(today.year)
        raise ValidationError(
            _("The year-end assessment is open from %(first)s to %(last)s; today it is closed.")
            % {"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"}
        )


def _require_open(assessment: Assessment) -> None:
    if assessment.is_frozen:
        raise ValidationError(
            _("This assessment has been submitted and is frozen; it can no longer be changed.")
        )


def _require_assessor(user: User, assessment: Assessment) -> None:
    if not is_assessor(user, assessment.tier, assessment.assessor_unit):
        raise PermissionDenied


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("assessor_unit", "assessee_unit", "assessee_user__org_unit")
        .get(pk=assessment.pk)
    )


# Criteria sheets


@transaction.atomic
def criteria_sheet_for(*, tier: str, owner: OrgUnit, year: int) -> CriteriaSheet:
    """The owner's sheet for the tier and year; the first time, a copy of last year's or of the default."""
    if owner.kind != ASSESSOR_KIND[tier]:
        raise ValidationError(_("This unit does not assess at that tier."))
    sheet = CriteriaSheet.objects.filter(tier=tier, owner=owner, year=year).first()
    if sheet is not None:
        return sheet
    previous = CriteriaSheet.objects.filter(tier=tier, owner=owner, year__lt=year).order_by("-year").first()
    try:
        with transaction.atomic():
            sheet = CriteriaSheet.objects.create(
                tier=tier, owner=owner, year=year, title=previous.title if previous else defaults.TITLES[tier]
            )
    except IntegrityError:
        return CriteriaSheet.objects.get(tier=tier, owner=owner, year=year)
    rows = (
        [{name: getattr(item, name) for name in SHEET_FIELDS} for item in previous.items.all()]
        if previous
        else defaults.default_items(tier)
    )
    CriteriaItem.objects.bulk_create(CriteriaItem(sheet=sheet, **row) for row in rows)
    return sheet


@transaction.atomic
def criteria_sheet_save(*, user: User, sheet: CriteriaSheet, title: str, items: list[dict]) -> CriteriaSheet:
    """Replace the sheet's items. Their points must add up to 100; assessments already started keep theirs."""
    sheet = CriteriaSheet.objects.select_for_update().select_related("owner").get(pk=sheet.pk)
    if not is_assessor(user, sheet.tier, sheet.owner):
        raise PermissionDenied
    if not items:
        raise ValidationError(_("A criteria sheet needs at least one item."))
    total = sum((Decimal(row["points"]) for row in items), Decimal(0))
    if total != FULL_MARKS:
        raise ValidationError(
            _("The points of the items add up to %(total)s; they must add up to %(full)s.")
            % {"total": total.normalize(), "full": FULL_MARKS}
        )
    sheet.title = title.strip() or sheet.title
    sheet.save(update_fields=["title", "updated_at"])
    sheet.items.all().delete()
    CriteriaItem.objects.bulk_create(
        CriteriaItem(sheet=sheet, **{name: row.get(name, "") for name in SHEET_FIELDS}) for row in items
    )
    return sheet


# Starting and refreshing


@transaction.atomic
def assessment_start(
    *,
    user: User,
    tier: str,
    assessee_unit: OrgUnit,
    assessee_user: User | None = None,
    year: int | None = None,
) -> Assessment:
    """Open the year's assessment of a unit, an inspector or a volunteer, or return the one already open.

    1. Only the assessing level may start it, in the window of the year.
    2. The items are copied from the assessor's sheet for the year.
    3. The figures the records can give are filled in.
    4. For a community, the inspector sample is drawn and recorded with its seed.
    """
    now = timezone.now()
    year = year or timezone.localdate(now).year
    if tier in PERSON_TIERS:
        if assessee_user is None or assessee_user.role != PERSON_TIERS[tier]:
            raise ValidationError(
                _("Choose an inspector to assess.")
                if tier == Tier.INSPECTOR
                else _("Choose a volunteer to assess.")
            )
        assessee_unit = assessee_user.org_unit
    elif assessee_user is not None:
        raise ValidationError(_("Only the inspector and volunteer tiers assess a person."))
    if assessee_unit is None or assessee_unit.kind != ASSESSEE_KIND[tier]:
        raise ValidationError(_("This unit cannot be assessed at that tier."))
    assessor = assessor_unit_for(tier, assessee_unit)
    if not is_assessor(user, tier, assessor):
        raise PermissionDenied
    existing = Assessment.objects.filter(
        year=year, tier=tier, assessee_unit=assessee_unit, assessee_user=assessee_user
    )
    if existing.exists():
        return existing.get()
    if assessee_user is not None:
        _require_not_assessed_elsewhere(assessee_user, year)
    if year != timezone.localdate(now).year:
        raise ValidationError(_("Only this year's assessment can be started."))
    _require_window(timezone.localdate(now))
    sheet = criteria_sheet_for(tier=tier, owner=assessor, year=year)
    assessment = Assessment.objects.create(
        year=year,
        tier=tier,
        assessor_unit=assessor,
        assessee_unit=assessee_unit,
        assessee_user=assessee_user,
        sheet=sheet,
        started_by=user,
        started_at=now,
    )
    AssessmentItem.objects.bulk_create(
        AssessmentItem(assessment=assessment, **{name: getattr(item, name) for name in SHEET_FIELDS})
        for item in sheet.items.all()
    )
    if assessment.needs_sample:
        _draw(assessment)
    _prefill(assessment, now)
    return assessment


def _require_not_assessed_elsewhere(person: User, year: int) -> None:
    """A person has one year-end assessment a year, even if they changed role or community since."""
    earlier = (
        Assessment.objects.filter(year=year, assessee_user=person).select_related("assessor_unit").first()
    )
    if earlier is not None:
        raise ValidationError(
            _("%(person)s's assessment for %(year)d was already started by %(unit)s, as %(tier)s.")
            % {
                "person": person,
                "year": year,
                "unit": earlier.assessor_unit,
                "tier": earlier.get_tier_display(),
            }
        )


def _draw(assessment: Assessment) -> None:
    pool = list(
        User.objects.filter(org_unit=assessment.assessee_unit).inspectors().values_list("pk", flat=True)
    )
    if not pool:
        raise ValidationError(_("This community has no active inspectors to sample."))
    assessment.sample_seed = secrets.token_hex(16)
    assessment.sample_pool = sorted(pool)
    assessment.save(update_fields=["sample_seed", "sample_pool"])
    SampleCheck.objects.bulk_create(
        SampleCheck(assessment=assessment, inspector_id=pk)
        for pk in draw_sample(assessment.sample_pool, assessment.sample_seed)
    )


def _prefill(assessment: Assessment, now) -> None:
    """Put on each prefilled item the records' figure, where to read it, and the points it earns."""
    months = assessment_figures.assessed_months(assessment.year, timezone.localdate(now))
    found = assessment_figures.assessment_figures(assessment, months, now=now)
    items = [item for item in assessment.items.all() if item.metric]
    for item in items:
        figure = found.get(item.metric)
        if figure is None:
            item.figure, item.source, item.source_url = {}, _("This figure is not kept for this tier."), ""
            continue
        item.figure, item.source, item.source_url = figure.as_json(), figure.source, figure.url
        item.score = assessment_figures.points_for(item.points, figure.rate)
    AssessmentItem.objects.bulk_update(items, ["figure", "source", "source_url", "score"])
    assessment.months_counted, assessment.figures_at = len(months), now
    assessment.total = _total(assessment)
    assessment.save(update_fields=["months_counted", "figures_at", "total"])


def _total(assessment: Assessment) -> Decimal:
    return sum((item.score or Decimal(0) for item in assessment.items.all()), Decimal(0))


@transaction.atomic
def assessment_refresh(*, user: User, assessment: Assessment) -> Assessment:
    """Take the record-derived figures again (their scores are recomputed; the assessor's notes stay)."""
    assessment = _locked(assessment)
    _require_assessor(user, assessment)
    _require_open(assessment)
    _require_window()
    _prefill(assessment, timezone.now())
    return assessment


# Scoring


@transaction.atomic
def assessment_item_score(
    *, user: User, item: AssessmentItem, score: Decimal | None, note: str = "", evidence: str = ""
) -> AssessmentItem:
    assessment = _locked(item.assessment)
    _require_assessor(user, assessment)
    _require_open(assessment)
    _require_window()
    if score is not None and not (Decimal(0) <= score <= item.points):
        raise ValidationError(
            _("The score of “%(item)s” must be between 0 and %(points)s.")
            % {"item": item.title, "points": item.points.normalize()}
        )
    item.score, item.note, item.evidence = score, note.strip(), evidence.strip()
    item.updated_by, item.updated_at = user, timezone.now()
    item.save(update_fields=["score", "note", "evidence", "updated_by", "updated_at"])
    assessment.total = _total(assessment)
    assessment.save(update_fields=["total"])
    return item


@transaction.atomic
def assessment_summary_save(*, user: User, assessment: Assessment, summary: str) -> Assessment:
    assessment = _locked(assessment)
    _require_assessor(user, assessment)
    _require_open(assessment)
    _require_window()
    assessment.summary = summary.strip()
    assessment.save(update_fields=["summary"])
    return assessment


@transaction.atomic
def sample_check_record(*, user: User, check: SampleCheck, score: Decimal, note: str = "") -> SampleCheck:
    """The district's check of one sampled inspector; the community's sample item follows the mean."""
    assessment = _locked(check.assessment)
    _require_assessor(user, assessment)
    _require_open(assessment)
    _require_window()
    if score is None or not (Decimal(0) <= score <= FULL_MARKS):
        raise ValidationError(_("Score the inspector from 0 to 100."))
    check.score, check.note = score, note.strip()
    check.checked_by, check.checked_at = user, timezone.now()
    check.save(update_fields=["score", "note", "checked_by", "checked_at"])
    figure = assessment_figures.sample_figure(assessment)
    items = [item for item in assessment.items.all() if item.metric == "sample_checks"]
    for item in items:
        item.figure, item.source = figure.as_json(), figure.source
        item.score = assessment_figures.points_for(item.points, figure.rate)
    AssessmentItem.objects.bulk_update(items, ["figure", "source", "score"])
    assessment.total = _total(assessment)
    assessment.save(update_fields=["total"])
    return check


# Submitting


@transaction.atomic
def assessment_submit(*, user: User, assessment: Assessment) -> Assessment:
    """Freeze the assessment.

    1. Only its assessor, in the window, while it is open.
    2. Every item has a score, and for a community every sampled inspector has been checked.
    3. The total is the sum of the item scores (each item weighs its points); items, checks and
       total are kept in the snapshot.
    """
    assessment = _locked(assessment)
    _require_assessor(user, assessment)
    _require_open(assessment)
    _require_window()
    items = list(assessment.items.all())
    unscored = [item.title for item in items if item.score is None]
    if unscored:
        raise ValidationError(
            _("Score every item before submitting: %(items)s.") % {"items": "、".join(unscored)}
        )
    checks = list(assessment.checks.select_related("inspector"))
    unchecked = [str(check.inspector) for check in checks if not check.is_checked]
    if unchecked:
        raise ValidationError(
            _("Check every sampled inspector before submitting: %(names)s.") % {"names": "、".join(unchecked)}
        )
    now = timezone.now()
    assessment.total = _total(assessment)
    assessment.submitted_at, assessment.submitted_by = now, user
    assessment.snapshot = _snapshot(assessment, items, checks)
    assessment.save(update_fields=["total", "submitted_at", "submitted_by", "snapshot"])
    return assessment


def _snapshot(assessment: Assessment, items: list[AssessmentItem], checks: list[SampleCheck]) -> dict:
    return {
        "total": str(assessment.total),
        "summary": assessment.summary,
        "sample_seed": assessment.sample_seed,
        "sample_pool": assessment.sample_pool,
        "items": [
            {
                "title": item.title,
                "points": str(item.points),
                "method": item.method,
                "metric": item.metric,
                "figure": item.figure,
                "source": item.source,
                "score": str(item.score),
                "note": item.note,
                "evidence": item.evidence,
            }
            for item in items
        ],
        "checks": [
            {
                "inspector": check.inspector_id,
                "name": str(check.inspector),
                "score": str(check.score),
                "note": check.note,
                "checked_by": check.checked_by_id,
                "checked_at": check.checked_at.isoformat(),
            }
            for check in checks
        ],
    }
