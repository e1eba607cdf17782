"""Year-end assessment pages (§9): the year's list, an assessment, the sheet editor, the ranking, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment import exports, selectors, services
from assessment.figures import reward_ledger
from assessment.forms import CheckForm, CriteriaItemFormSet, ItemScoreForm, SheetTitleForm, SummaryForm
from assessment.models import (
    ASSESSOR_KIND,
    PERSON_TIERS,
    Assessment,
    CriteriaItem,
    SampleCheck,
    Tier,
    assessed_people,
    in_window,
    window,
)
from config import bounds
from config.downloads import PDF, XLSX, attachment
from orgs.models import OrgUnit, OrgUnitKind


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _assessment_for(request, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "assessor_unit", "assessee_unit", "assessee_user", "sheet", "submitted_by"
        ),
        pk=pk,
    )


@login_required
def home(request):
    """The year: whom the user assesses and how far each is, and the user's own results."""
    user, year = request.user, _year(request)
    today = timezone.localdate()
    first, last = window(year)
    tiers = [
        {"tier": tier, "label": Tier(tier).label, "rows": selectors.assessees(user, tier, year)}
        for tier in services.assessor_tiers(user)
    ]
    results = (
        Assessment.objects.visible_to(user)
        .for_year(year)
        .submitted()
        .filter(assessee_unit=user.org_unit_id)
        .exclude(tier__in=list(PERSON_TIERS))
        .select_related("assessee_unit", "assessor_unit")
    )
    districts = []
    if user.org_unit and user.org_unit.kind in (OrgUnitKind.CITY, OrgUnitKind.DISTRICT) or user.is_superuser:
        districts = list(OrgUnit.objects.visible_to(user).districts().order_by("path"))
    context = {
        "year": year,
        "years": [today.year - 1, today.year] if year == today.year else [year - 1, year, year + 1],
        "window_first": first,
        "window_last": last,
        "window_open": in_window(today) and year == today.year,
        "tiers": tiers,
        "results": results if user.role not in PERSON_TIERS.values() else [],
        "districts": districts,
        "is_inspector": user.role in PERSON_TIERS.values(),
    }
    return render(request, "assessment/home.html", context)


@login_required
@require_POST
def start(request):
    """Start (or open) the assessment of a unit, an inspector or a volunteer chosen on the year's list."""
    tier = request.POST.get("tier", "")
    if tier not in Tier.values:
        raise Http404
    if tier in PERSON_TIERS:
        person = get_object_or_404(
            assessed_people(tier).visible_to(request.user),
            pk=bounds.parse_id(request.POST.get("user")),
        )
        unit, assessee_user = person.org_unit, person
    else:
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), pk=request.POST.get("unit"))
        assessee_user = None
    try:
        assessment = services.assessment_start(
            user=request.user, tier=tier, assessee_unit=unit, assessee_user=assessee_user
        )
    except ValidationError as error:
        _flash(request, error)
        return redirect("assessment:home")
    return redirect("assessment:detail", pk=assessment.pk)


def _detail_context(request, assessment: Assessment, item_forms=None, check_forms=None) -> dict:
    items = list(assessment.items.all())
    checks = list(assessment.checks.select_related("inspector", "checked_by"))
    can_edit = (
        not assessment.is_frozen
        and services.is_assessor(request.user, assessment.tier, assessment.assessor_unit)
        and in_window(timezone.localdate())
    )
    item_forms = item_forms or {
        item.pk: ItemScoreForm(
            prefix=f"item-{item.pk}",
            initial={"score": item.score, "note": item.note, "evidence": item.evidence},
        )
        for item in items
    }
    check_forms = check_forms or {
        check.pk: CheckForm(prefix=f"check-{check.pk}", initial={"score": check.score, "note": check.note})
        for check in checks
    }
    return {
        "assessment": assessment,
        "rows": [(item, item_forms[item.pk]) for item in items],
        "checks": [(check, check_forms[check.pk]) for check in checks],
        "unchecked": sum(1 for check in checks if not check.is_checked),
        "points": sum(item.points for item in items),
        "can_edit": can_edit,
        "summary_form": SummaryForm(initial={"summary": assessment.summary}),
        "rewards": reward_ledger(assessment, request.user),
        "window": window(assessment.year),
    }


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    """An assessment: the items with their figures and scores, the sample, submit; read-only once frozen."""
    assessment = _assessment_for(request, pk)
    if request.method == "GET":
        return render(request, "assessment/detail.html", _detail_context(request, assessment))
    action = request.POST.get("action", "")
    try:
        if action == "save":
            return _save_items(request, assessment)
        if action == "refresh":
            services.assessment_refresh(user=request.user, assessment=assessment)
            messages.success(request, _("The figures were taken again from the records."))
        elif action == "submit":
            services.assessment_submit(user=request.user, assessment=assessment)
            messages.success(request, _("The assessment was submitted and is now frozen."))
        elif action.startswith("check-"):
            return _save_check(request, assessment, action.removeprefix("check-"))
        else:
            raise Http404
    except ValidationError as error:
        _flash(request, error)
    return redirect("assessment:detail", pk=assessment.pk)


def _save_items(request, assessment: Assessment):
    items = list(assessment.items.all())
    forms = {item.pk: ItemScoreForm(request.POST, prefix=f"item-{item.pk}") for item in items}
    summary = SummaryForm(request.POST)
    if not all(form.is_valid() for form in forms.values()) or not summary.is_valid():
        messages.error(request, _("Please correct the marked scores."))
        context = _detail_context(request, assessment, item_forms=forms)
        return render(request, "assessment/detail.html", context, status=400)
    try:
        for item in items:
            data = forms[item.pk].cleaned_data
            changed = (data["score"], data["note"], data["evidence"]) != (
                item.score,
                item.note,
                item.evidence,
            )
            if changed:
                services.assessment_item_score(user=request.user, item=item, **data)
        services.assessment_summary_save(
            user=request.user, assessment=assessment, summary=summary.cleaned_data["summary"]
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Scores saved."))
    return redirect("assessment:detail", pk=assessment.pk)


def _save_check(request, assessment: Assessment, raw_pk: str):
    check = get_object_or_404(SampleCheck, assessment=assessment, pk=raw_pk if raw_pk.isdigit() else 0)
    form = CheckForm(request.POST, prefix=f"check-{check.pk}")
    if not form.is_valid():
        context = _detail_context(
            request,
            assessment,
            check_forms={check.pk: form}
            | {
                other.pk: CheckForm(
                    prefix=f"check-{other.pk}", initial={"score": other.score, "note": other.note}
                )
                for other in assessment.checks.exclude(pk=check.pk)
            },
        )
        return render(request, "assessment/detail.html", context, status=400)
    services.sample_check_record(user=request.user, check=check, **form.cleaned_data)
    messages.success(request, _("Check of %(name)s recorded.") % {"name": check.inspector})
    return redirect("assessment:detail", pk=assessment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, tier: str):
    """The assessing unit's criteria sheet for a tier and year: weighted items, each with its method."""
    if tier not in Tier.values:
        raise Http404
    user, year = request.user, _year(request)
    unit = user.org_unit
    if unit is None or unit.kind != ASSESSOR_KIND[tier] or not services.is_assessor(user, tier, unit):
        raise PermissionDenied
    criteria = services.criteria_sheet_for(tier=tier, owner=unit, year=year)
    queryset = CriteriaItem.objects.filter(sheet=criteria)
    formset = CriteriaItemFormSet(request.POST or None, queryset=queryset, form_kwargs={"tier": tier})
    title_form = SheetTitleForm(request.POST or None, initial={"title": criteria.title})
    if request.method == "POST" and formset.is_valid() and title_form.is_valid():
        rows = [
            {name: form.cleaned_data[name] for name in services.SHEET_FIELDS}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.criteria_sheet_save(
                user=user, sheet=criteria, title=title_form.cleaned_data["title"], items=rows
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("Criteria sheet saved. Assessments started from now on use it."))
            return redirect(f"{reverse('assessment:sheet', args=[tier])}?year={year}")
    context = {
        "sheet": criteria,
        "tier_label": Tier(tier).label,
        "formset": formset,
        "title_form": title_form,
        "year": year,
        "total": criteria.total_points(),
    }
    return render(request, "assessment/sheet.html", context)


def _district_for(request, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(request.user).districts(), pk=pk)


@login_required
def ranking(request, district_id: int):
    """The district's communities by their year-end score, advanced communities (先进社区) marked."""
    district, year = _district_for(request, district_id), _year(request)
    rows = selectors.district_ranking(district, year)
    context = {
        "district": district,
        "year": year,
        "rows": rows,
        "people": selectors.person_results(request.user, district, year),
        "advanced": sum(1 for row in rows if row.advanced),
        "pending": sum(1 for row in rows if row.assessment is None),
    }
    return render(request, "assessment/ranking.html", context)


@login_required
def mine(request):
    """A person's own year-end results: the community's assessment of them, and any district check."""
    year = _year(request)
    results = selectors.own_results(request.user, year)
    assessment = results["assessment"]
    items = list(assessment.items.all()) if assessment else []
    return render(request, "assessment/mine.html", {"year": year, "items": items, **results})


# Exports


@login_required
def export_xlsx(request, pk: int):
    assessment = _assessment_for(request, pk)
    content = exports.assessment_workbook(assessment=assessment, user=request.user)
    return attachment(
        content,
        XLSX,
        f"考核-{assessment.year}-{assessment.assessee_name}.xlsx",
        f"assessment-{assessment.year}-{assessment.pk}.xlsx",
    )


@login_required
def export_pdf(request, pk: int):
    assessment = _assessment_for(request, pk)
    content = exports.assessment_pdf(assessment=assessment, user=request.user)
    return attachment(
        content,
        PDF,
        f"考核-{assessment.year}-{assessment.assessee_name}.pdf",
        f"assessment-{assessment.year}-{assessment.pk}.pdf",
    )


@login_required
def ranking_xlsx(request, district_id: int):
    district, year = _district_for(request, district_id), _year(request)
    content = exports.ranking_workbook(district=district, year=year)
    return attachment(
        content, XLSX, f"考核排名-{district.name}-{year}.xlsx", f"ranking-{district.code}-{year}.xlsx"
    )


@login_required
def ranking_pdf(request, district_id: int):
    district, year = _district_for(request, district_id), _year(request)
    content = exports.ranking_pdf(district=district, year=year)
    return attachment(
        content,
        PDF,
        f"考核排名-{district.name}-{year}.pdf",
        f"ranking-{district.code}-{year}.pdf",
    )


urlpatterns = [
    path("", home, name="home"),
    path("start/", start, name="start"),
    path("mine/", mine, name="mine"),
    path("sheets/<str:tier>/", sheet, name="sheet"),
    path("ranking/<int:district_id>/", ranking, name="ranking"),
    path("ranking/<int:district_id>/export.xlsx", ranking_xlsx, name="ranking_xlsx"),
    path("ranking/<int:district_id>/ranking.pdf", ranking_pdf, name="ranking_pdf"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export_xlsx"),
    path("<int:pk>/assessment.pdf", export_pdf, name="export_pdf"),
]
