"""Year-end assessments over the API (§9): the same services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessment import services
from assessment.models import (
    FULL_MARKS,
    PERSON_TIERS,
    Assessment,
    AssessmentItem,
    CriteriaItem,
    CriteriaSheet,
    Metric,
    SampleCheck,
    Tier,
    assessed_people,
)
from config.api import IdField
from orgs.models import OrgUnit


def _metric_field() -> serializers.ChoiceField:
    """An item's record figure, "" when the assessor scores it by hand. Declared here because a
    read-only model field loses allow_blank, and the schema would then refuse the "" it answers with."""
    return serializers.ChoiceField(choices=Metric.choices, allow_blank=True, read_only=True)


class CriteriaItemSerializer(serializers.ModelSerializer):
    metric = _metric_field()

    class Meta:
        model = CriteriaItem
        fields = ["id", "position", "title", "standard", "points", "method", "metric"]
        read_only_fields = fields


class CriteriaSheetSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    items = CriteriaItemSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSheet
        fields = ["id", "tier", "owner", "owner_name", "year", "title", "items"]
        read_only_fields = fields


class CriteriaSheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Criteria sheets (考核细则) of the user's unit, the units above it and those below it."""

    serializer_class = CriteriaSheetSerializer
    filterset_fields = ["tier", "year", "owner"]

    def get_queryset(self):
        return (
            CriteriaSheet.objects.visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("items")
            .order_by("-year", "tier", "owner__path")
        )


class AssessmentItemSerializer(serializers.ModelSerializer):
    metric = _metric_field()

    class Meta:
        model = AssessmentItem
        fields = [
            "id",
            "position",
            "title",
            "standard",
            "points",
            "method",
            "metric",
            "figure",
            "source",
            "source_url",
            "score",
            "note",
            "evidence",
        ]
        read_only_fields = fields


class SampleCheckSerializer(serializers.ModelSerializer):
    inspector_name = serializers.CharField(source="inspector.__str__", read_only=True)

    class Meta:
        model = SampleCheck
        fields = ["id", "inspector", "inspector_name", "score", "note", "checked_at"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    assessee_name = serializers.CharField(read_only=True)
    is_frozen = serializers.BooleanField(read_only=True)
    items = AssessmentItemSerializer(many=True, read_only=True)
    checks = SampleCheckSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "year",
            "tier",
            "assessor_unit",
            "assessee_unit",
            "assessee_user",
            "assessee_name",
            "sheet",
            "started_at",
            "months_counted",
            "figures_at",
            "sample_seed",
            "sample_pool",
            "summary",
            "total",
            "is_frozen",
            "submitted_at",
            "items",
            "checks",
        ]
        read_only_fields = fields


class AssessmentStartSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    unit = IdField(required=False, help_text=_("The district or community assessed."))
    user = IdField(
        required=False, help_text=_("The inspector or volunteer assessed (inspector and volunteer tiers).")
    )


class ItemScoreSerializer(serializers.Serializer):
    item = IdField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CheckSerializer(serializers.Serializer):
    check = IdField(help_text=_("The id of the sampled inspector's check row."))
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=FULL_MARKS)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Year-end assessments the user may see. The assessing level starts, scores, checks the
    inspector sample and submits; a submitted assessment is frozen."""

    serializer_class = AssessmentSerializer
    filterset_fields = ["year", "tier", "assessee_unit"]
    ordering_fields = ["year", "total", "submitted_at"]

    def get_queryset(self):
        return (
            Assessment.objects.visible_to(self.request.user)
            .select_related("assessee_unit", "assessee_user")
            .prefetch_related("items", "checks__inspector")
        )

    def _respond(self, assessment: Assessment) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=AssessmentStartSerializer, responses=AssessmentSerializer)
    @action(detail=False, methods=["post"])
    def start(self, request):
        data = AssessmentStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tier = data.validated_data["tier"]
        person = None
        if tier in PERSON_TIERS:
            person = get_object_or_404(
                assessed_people(tier).visible_to(request.user), pk=data.validated_data.get("user")
            )
            unit = person.org_unit
        else:
            unit = get_object_or_404(
                OrgUnit.objects.visible_to(request.user), pk=data.validated_data.get("unit")
            )
        assessment = services.assessment_start(
            user=request.user, tier=tier, assessee_unit=unit, assessee_user=person
        )
        return self._respond(assessment)

    @extend_schema(request=ItemScoreSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        assessment = self.get_object()
        data = ItemScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        item = get_object_or_404(AssessmentItem, assessment=assessment, pk=fields.pop("item"))
        services.assessment_item_score(user=request.user, item=item, **fields)
        return self._respond(assessment)

    @extend_schema(request=CheckSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="check-inspector", url_name="check-inspector")
    def check_inspector(self, request, pk=None):
        assessment = self.get_object()
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        check = get_object_or_404(SampleCheck, assessment=assessment, pk=fields.pop("check"))
        services.sample_check_record(user=request.user, check=check, **fields)
        return self._respond(assessment)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(services.assessment_submit(user=request.user, assessment=self.get_object()))


routes = [
    ("assessment-sheets", CriteriaSheetViewSet, "criteria-sheet"),
    ("assessments", AssessmentViewSet, "assessment"),
]
