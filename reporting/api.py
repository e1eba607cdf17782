"""Monthly reports and activity articles over the API (§6): the same services as the pages."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import IdField
from config.parsers import BoundedFormParser
from orgs.models import OrgUnit
from reporting import catalogue, periods, services
from reporting.exports import EXPORTED_KINDS
from reporting.models import ARTICLE_PICTURES_MAX, Article, ArticleMedia, MonthlyReport, ReportStatus
from reporting.rollup import UnitMonth, month_rollup
from reporting.views.articles import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

PERIOD_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"}
BAD_PERIOD = _("Enter a month as YYYY-MM.")


class PeriodFormField(forms.CharField):
    """A month as "YYYY-MM", cleaned to its first day."""

    def to_python(self, value) -> dt.date | None:
        text = super().to_python(value)
        if not text:
            return None
        period = periods.parse_period(text)
        if period is None:
            raise forms.ValidationError(BAD_PERIOD)
        return period


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodFormField


@extend_schema_field(PERIOD_SCHEMA)
class PeriodField(serializers.Field):
    """A month as "YYYY-MM" on the wire, the date of its first day inside."""

    default_error_messages = {"invalid": BAD_PERIOD}

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"

    def to_internal_value(self, data) -> dt.date:
        period = periods.parse_period(data) if isinstance(data, str) else None
        if period is None:
            self.fail("invalid")
        return period


class MonthlyReportFilter(django_filters.FilterSet):
    period = PeriodFilter(label=_("Month (YYYY-MM)"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = MonthlyReport
        fields = ["unit", "period", "status"]


class MonthlyReportSerializer(serializers.ModelSerializer):
    """A unit's report on a month; a submitted one carries the figures frozen at submission."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True)
    period = PeriodField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    deadline = serializers.DateTimeField(read_only=True)
    figures = serializers.SerializerMethodField(
        help_text=_(
            "The figures frozen at submission, keyed as the figure catalogue (/api/figures/); "
            "null until submitted: see the roll-up for the live, provisional figures."
        )
    )

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "unit_kind",
            "period",
            "status",
            "status_display",
            "late",
            "deadline",
            "narrative",
            "figures",
            "first_submitted_at",
            "submitted_at",
            "returned_reason",
            "reopened_until",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_figures(self, obj: MonthlyReport) -> dict | None:
        if not obj.is_submitted:
            return None
        figures = catalogue.normalise(obj.figures)
        return {key: figures[key] for key in (f.key for f in catalogue.FIGURES) if key in figures}


class FigureSerializer(serializers.Serializer):
    """A figure of the catalogue: what it counts, how it adds up, where it appears."""

    key = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.CharField()
    group = serializers.CharField()
    kind = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    outputs = serializers.ListField(child=serializers.CharField(), source="sorted_outputs")
    tiers = serializers.ListField(child=serializers.CharField(), source="sorted_tiers")


class FigureViewSet(viewsets.ViewSet):
    """The figure catalogue: every figure of a monthly report, the same for every user."""

    @extend_schema(responses=FigureSerializer(many=True))
    def list(self, request):
        return Response(FigureSerializer(catalogue.FIGURES, many=True).data)


class RollupQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = PeriodField()


class UnitMonthSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    unit_kind = serializers.CharField(source="unit.kind")
    state = serializers.CharField(allow_null=True)
    provisional = serializers.BooleanField(help_text=_("Not submitted: live figures."))
    included = serializers.BooleanField(
        allow_null=True, help_text=_("Whether the unit above counts this unit's figures in its own.")
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    figures = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, row: UnitMonth) -> dict:
        return {cell.figure.key: cell.value for cell in row.cells(catalogue.API)}


class RollupSerializer(serializers.Serializer):
    period = PeriodField()
    own = UnitMonthSerializer()
    rows = UnitMonthSerializer(many=True)


class ReportSubmitSerializer(serializers.Serializer):
    unit = IdField(help_text=_("The id of the unit whose report this is."))
    period = PeriodField()
    narrative = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text=_("Leave out to keep the saved draft.")
    )


class ReportReturnSerializer(serializers.Serializer):
    # Blank is passed on: the service says why a reason is needed.
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReportReopenSerializer(serializers.Serializer):
    unit = IdField()
    period = PeriodField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    until = serializers.DateField(help_text=_("The period stays open until the end of this day."))


def _visible_unit(request: Request, pk: int) -> OrgUnit:
    """A unit the user may see; any other is a 404, so ids outside the scope reveal nothing."""
    return get_object_or_404(OrgUnit.objects.visible_to(request.user), pk=pk)


class MonthlyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly reports of the user's unit and the units below it. The unit's own preparers
    submit; the level above returns a report or reopens a locked period."""

    serializer_class = MonthlyReportSerializer
    filterset_class = MonthlyReportFilter
    ordering_fields = ["period", "submitted_at"]

    def get_queryset(self):
        return MonthlyReport.objects.visible_to(self.request.user).select_related("unit")

    def _respond(self, report: MonthlyReport) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(MonthlyReportSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[RollupQuerySerializer], responses=RollupSerializer)
    @action(detail=False, methods=["get"])
    def rollup(self, request):
        """A unit's month as every output shows it: its own figures (frozen if submitted, else live and
        provisional) and the units directly below it (reporting.rollup)."""
        query = RollupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit = _visible_unit(request, query.validated_data["unit"])
        if unit.kind not in EXPORTED_KINDS:
            raise NotFound
        rollup = month_rollup(user=request.user, unit=unit, period=query.validated_data["period"])
        return Response(RollupSerializer(rollup).data)

    @extend_schema(request=ReportSubmitSerializer, responses=MonthlyReportSerializer)
    @action(detail=False, methods=["post"])
    def submit(self, request):
        data = ReportSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = _visible_unit(request, data.validated_data["unit"])
        # Checked before the draft is made, so a refused call leaves nothing behind.
        if not services.can_prepare(request.user, unit):
            raise PermissionDenied
        report = services.monthly_report_for(unit=unit, period=data.validated_data["period"])
        report = services.monthly_report_submit(
            user=request.user, report=report, narrative=data.validated_data.get("narrative")
        )
        return self._respond(report)

    @extend_schema(request=ReportReturnSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        data = ReportReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.monthly_report_return(user=request.user, report=report, **data.validated_data)
        )

    @extend_schema(request=ReportReopenSerializer, responses=MonthlyReportSerializer)
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        data = ReportReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        unit = _visible_unit(request, fields.pop("unit"))
        return self._respond(services.monthly_report_reopen(user=request.user, unit=unit, **fields))


class ArticleFilter(django_filters.FilterSet):
    month = PeriodFilter(label=_("Month the activity ended (YYYY-MM)"), method="filter_month")

    class Meta:
        model = Article
        fields = ["community", "month", "late"]

    def filter_month(self, queryset, name, value):
        return queryset.in_period(value) if value else queryset


class ArticleMediaSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="The file, served only to those who may see the article."
    )

    class Meta:
        model = ArticleMedia
        fields = ["id", "kind", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, obj: ArticleMedia) -> str:
        return reverse("reporting:article_media_file", args=[obj.pk])


class ArticleSerializer(serializers.ModelSerializer):
    media = ArticleMediaSerializer(many=True, read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    author_name = serializers.StringRelatedField(source="author")
    deadline = serializers.DateTimeField(read_only=True)
    forwarded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "community",
            "community_name",
            "title",
            "activity_ended_on",
            "body",
            "author",
            "author_name",
            "submitted_at",
            "deadline",
            "late",
            "forwarded_at",
            "forwarded_by_name",
            "media",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_forwarded_by_name(self, obj: Article) -> str:
        return str(obj.forwarded_by) if obj.forwarded_by_id else ""


class ArticleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    activity_ended_on = serializers.DateField()
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)


class ArticleMediaInputSerializer(serializers.Serializer):
    pictures = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=ARTICLE_PICTURES_MAX,
        help_text="Photos (JPEG, PNG or WebP, 10 MB each), checked and re-encoded like patrol photos.",
    )
    video = serializers.FileField(
        required=False, default=None, help_text="One MP4 or WebM video, up to 20 MB."
    )


class ArticleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Activity articles (信息稿件) of the user's area. Community staff file them, due the day
    after the activity ends (later ones are marked late); the district forwards them to the city."""

    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    ordering_fields = ["submitted_at", "activity_ended_on"]

    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .select_related("community", "author", "forwarded_by")
            .prefetch_related("media")
        )

    def _respond(self, article: Article, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=article.pk)
        return Response(ArticleSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ArticleCreateSerializer, responses={201: ArticleSerializer})
    def create(self, request):
        data = ArticleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_submit(user=request.user, **data.validated_data)
        return self._respond(article, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        article = self.get_object()
        return self._respond(services.article_forward(user=request.user, article=article))

    @extend_schema(
        request={"multipart/form-data": ArticleMediaInputSerializer}, responses={201: ArticleSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, BoundedFormParser])
    def media(self, request, pk=None):
        """Add pictures or the one video to an article until the district forwards it to the city."""
        article = self.get_object()
        body = ArticleMediaInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.article_media_add(user=request.user, article=article, **body.validated_data)
        return self._respond(article, status.HTTP_201_CREATED)


routes = [
    ("figures", FigureViewSet, "figure"),
    ("monthly-reports", MonthlyReportViewSet, "monthly-report"),
    ("articles", ArticleViewSet, "article"),
]
