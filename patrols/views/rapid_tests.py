"""Pages for rapid tests (快筛快检): a visit's tests, the district's test room, the month's list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config import bounds
from config.pagination import paginate
from orgs.models import OrgUnitKind
from patrols.models import (
    RAPID_TEST_VALUE_MAX,
    Establishment,
    Finding,
    FindingKind,
    RapidTest,
    RapidTestMethod,
    RapidTestResult,
    Severity,
    Visit,
)
from patrols.models.rapid_tests import (
    ITEM_MAX_LENGTH,
    SAMPLE_MAX_LENGTH,
    SAMPLE_SOURCE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
)
from patrols.services.rapid_tests import (
    RapidTestInput,
    may_record_in_room,
    rapid_test_in_room,
    rapid_test_on_visit,
)
from patrols.services.records import may_mark_shop_record
from patrols.views.incidents import LOCAL_MINUTE
from patrols.views.records import _apply_errors

PAGE_SIZE = 50
# What a list shows of each test, in one query.
LIST_RELATED = ("community", "district", "establishment", "tested_by")


class RapidTestForm(forms.Form):
    tested_at = forms.DateTimeField(
        label=gettext_lazy("Tested at"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        validators=[bounds.validate_past_moment],
    )
    sample = forms.CharField(
        label=gettext_lazy("Sample"),
        max_length=SAMPLE_MAX_LENGTH,
        help_text=gettext_lazy("For example: leafy greens, pork."),
    )
    item = forms.CharField(
        label=gettext_lazy("Item tested"),
        max_length=ITEM_MAX_LENGTH,
        help_text=gettext_lazy("For example: organophosphorus pesticide residues."),
    )
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=RapidTestMethod.choices)
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=RapidTestResult.choices, widget=forms.RadioSelect
    )
    value = forms.DecimalField(
        label=gettext_lazy("Measured value"),
        required=False,
        min_value=0,
        max_value=RAPID_TEST_VALUE_MAX,
        max_digits=9,
        decimal_places=3,
    )
    value_unit = forms.CharField(
        label=gettext_lazy("Unit of the value"), max_length=UNIT_MAX_LENGTH, required=False
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def entry(self) -> RapidTestInput:
        data = self.cleaned_data
        return RapidTestInput(
            tested_at=data["tested_at"],
            sample=data["sample"],
            item=data["item"],
            method=data["method"],
            result=data["result"],
            value=data["value"],
            value_unit=data["value_unit"],
            photo=data["photo"],
            **self.extra(),
        )

    def extra(self) -> dict:
        return {}


class VisitRapidTestForm(RapidTestForm):
    """At a visit, a positive result opens a finding of this kind and severity."""

    finding_kind = forms.ChoiceField(
        label=gettext_lazy("A positive result is recorded as"),
        choices=FindingKind.choices,
        initial=FindingKind.SAFETY_RISK,
    )
    severity = forms.TypedChoiceField(
        label=gettext_lazy("Severity"), choices=Severity.choices, coerce=int, initial=Severity.MAJOR
    )

    def extra(self) -> dict:
        return {"finding_kind": self.cleaned_data["finding_kind"], "severity": self.cleaned_data["severity"]}


class RoomRapidTestForm(RapidTestForm):
    establishment = forms.ModelChoiceField(
        label=gettext_lazy("Establishment the sample came from"),
        queryset=Establishment.objects.none(),
        required=False,
    )
    sample_source = forms.CharField(
        label=gettext_lazy("Where the sample came from"),
        max_length=SAMPLE_SOURCE_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("For example: brought in by a resident."),
    )
    finding = forms.ModelChoiceField(
        label=gettext_lazy("Link a positive result to this finding instead of opening a lead"),
        queryset=Finding.objects.none(),
        required=False,
    )

    def __init__(self, *args, district, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = (
            Establishment.objects.filter(community__parent=district).open().order_by("name")
        )
        self.fields["finding"].queryset = (
            Finding.objects.filter(community__parent=district).open_risks().select_related("establishment")
        )
        self.fields["finding"].label_from_instance = str


def _time_now() -> dict:
    return {"tested_at": timezone.localtime().replace(second=0, microsecond=0)}


@login_required
@require_http_methods(["GET", "POST"])
def visit_rapid_tests(request, pk: int):
    """A visit's tests; its team adds one while the record can still be changed."""
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("patrol", "establishment"), pk=pk
    )
    can_add = may_mark_shop_record(request.user, visit)
    form = (
        VisitRapidTestForm(request.POST or None, request.FILES or None, initial=_time_now())
        if can_add
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                test = rapid_test_on_visit(user=request.user, visit=visit, data=form.entry())
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _saved_message(test))
                return redirect("patrols:visit_rapid_tests", pk=visit.pk)
    tests = visit.rapid_tests.select_related(*LIST_RELATED, "finding")
    context = {"visit": visit, "tests": tests, "form": form}
    return render(
        request, "patrols/visit_rapid_tests.html", context, status=400 if form and form.errors else 200
    )


def _saved_message(test: RapidTest) -> str:
    if test.finding_id and test.visit_id:
        return _("Rapid test saved; the positive result was recorded as a finding.")
    if test.lead_id:
        return _("Rapid test saved; the positive result was reported as a lead.")
    return _("Rapid test saved.")


def _month(request):
    return bounds.parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)


def _month_range(first):
    from reporting.periods import period_last_day

    return first, period_last_day(first)


@login_required
@require_http_methods(["GET", "POST"])
def rapid_test_room(request):
    """The district's rapid-test room: its office lists the month's tests and records new ones."""
    district = request.user.org_unit
    if (
        district is None
        or district.kind != OrgUnitKind.DISTRICT
        or not may_record_in_room(request.user, district)
    ):
        raise PermissionDenied
    form = RoomRapidTestForm(
        request.POST or None, request.FILES or None, district=district, initial=_time_now()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test = rapid_test_in_room(
                user=request.user,
                district=district,
                data=form.entry(),
                establishment=data["establishment"],
                sample_source=data["sample_source"],
                finding=data["finding"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _saved_message(test))
            return redirect("patrols:rapid_test_room")
    month = _month(request)
    tests = (
        RapidTest.objects.visible_to(request.user)
        .filter(district=district)
        .tested_between(*_month_range(month))
        .select_related(*LIST_RELATED)
    )
    context = {
        "district": district,
        "form": form,
        "month": month,
        "counts": _room_counts(district, month),
        **paginate(request, tests, PAGE_SIZE),
    }
    return render(request, "patrols/rapid_test_room.html", context, status=400 if form.errors else 200)


def _room_counts(district, month) -> dict:
    """The room's batches of the month and of its year up to the month's end, and the positive ones:
    the district's own figures of the catalogue (room_rapid_tests), which no community report holds."""
    from reporting import periods
    from reporting.figures import district_own_figures, room_rapid_tests

    in_month = district_own_figures([district.pk], month)[district.pk]
    year_start, month_end = periods.month_bounds(month.replace(month=1))[0], periods.month_bounds(month)[1]
    in_year = room_rapid_tests([district.pk], year_start, month_end)[district.pk]
    return {
        "month": in_month["room_rapid_tests"],
        "month_positive": in_month["room_rapid_tests_positive"],
        "year": in_year["room_rapid_tests"],
        "year_positive": in_year["room_rapid_tests_positive"],
    }


@login_required
def rapid_test_list(request):
    """The month's rapid tests of the user's area: at visits, and in the district's test room."""
    month = _month(request)
    tests = (
        RapidTest.objects.visible_to(request.user)
        .tested_between(*_month_range(month))
        .select_related(*LIST_RELATED)
    )
    result = request.GET.get("result", "")
    if result in RapidTestResult.values:
        tests = tests.filter(result=result)
    context = {
        "month": month,
        "result": result,
        "results": RapidTestResult.choices,
        "can_record_in_room": request.user.org_unit is not None
        and may_record_in_room(request.user, request.user.org_unit),
        **paginate(request, tests, PAGE_SIZE),
    }
    return render(request, "patrols/rapid_test_list.html", context)


@login_required
def rapid_test_photo(request, pk: int):
    """A rapid test's photo, only for users who may see the test."""
    test = get_object_or_404(RapidTest.objects.visible_to(request.user), pk=pk)
    if not test.photo:
        raise Http404
    try:
        handle = test.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("rapid-tests/", rapid_test_list, name="rapid_test_list"),
    path("rapid-tests/room/", rapid_test_room, name="rapid_test_room"),
    path("rapid-tests/<int:pk>/photo/", rapid_test_photo, name="rapid_test_photo"),
    path("visits/<int:pk>/rapid-tests/", visit_rapid_tests, name="visit_rapid_tests"),
]
