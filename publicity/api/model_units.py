"""Model-unit targets and candidates over the API (§8): the same services and figures as the pages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import IdFilter, YearFilter
from orgs.models import OrgUnit
from patrols.api.fields import ScopedPrimaryKeyField
from patrols.models import Establishment
from publicity.model_units import (
    FIRST_YEAR,
    LAST_YEAR,
    model_candidate_add,
    model_candidate_set_status,
    model_target_save,
    model_targets_from_plan,
    progress_percent,
    with_progress,
)
from publicity.models import CandidateStatus, ModelCandidate, ModelTarget
from publicity.views.model_units import NOTES_MAX_LENGTH, TARGET_MAX


@extend_schema_field(OpenApiTypes.INT)
class ScopedIdField(ScopedPrimaryKeyField):
    """The id of a record the user may see (an integer in the schema)."""


class ModelTargetFilter(django_filters.FilterSet):
    year = YearFilter()
    district = IdFilter(field_name="district_id")

    class Meta:
        model = ModelTarget
        fields = ["year", "district", "category"]


class ModelTargetSerializer(serializers.ModelSerializer):
    """A district's target for a year and category, with its progress."""

    district_name = serializers.CharField(source="district.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    accepted = serializers.IntegerField(read_only=True, help_text=_("Candidates accepted as model units."))
    in_progress = serializers.IntegerField(read_only=True, help_text=_("Candidates still being worked on."))
    percent = serializers.SerializerMethodField(
        help_text="Accepted of the target, in percent; may exceed 100."
    )

    class Meta:
        model = ModelTarget
        fields = [
            "id",
            "district",
            "district_name",
            "year",
            "category",
            "category_display",
            "department",
            "target",
            "accepted",
            "in_progress",
            "percent",
        ]
        read_only_fields = fields

    def get_percent(self, obj: ModelTarget) -> int:
        return progress_percent(obj.accepted, obj.target)


class ModelTargetUpdateSerializer(serializers.Serializer):
    department = serializers.CharField(max_length=60)
    target = serializers.IntegerField(min_value=1, max_value=TARGET_MAX)


class ModelPlanSerializer(serializers.Serializer):
    district = ScopedIdField(model=OrgUnit)
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class ModelPlanResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(
        help_text=_("Targets created; 0 when the district already had them all.")
    )


class ModelTargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Model-unit targets of the user's area with their progress. The district office and the
    city change a target and create a year's targets from the plan."""

    serializer_class = ModelTargetSerializer
    filterset_class = ModelTargetFilter
    ordering_fields = ["year", "category"]

    def get_queryset(self):
        targets = ModelTarget.objects.visible_to(self.request.user).select_related("district")
        # Counting drops the model's ordering from the query; page by a fixed one.
        return with_progress(targets).order_by("district__path", "-year", "category")

    def _respond(self, target: ModelTarget, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=target.pk)
        return Response(ModelTargetSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ModelTargetUpdateSerializer, responses=ModelTargetSerializer)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        data = ModelTargetUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"department": target.department, "target": target.target, **data.validated_data}
        model_target_save(
            user=request.user, target=target, department=values["department"], target_count=values["target"]
        )
        return self._respond(target)

    @extend_schema(request=ModelPlanSerializer, responses={201: ModelPlanResultSerializer})
    @action(detail=False, methods=["post"], url_path="from-plan")
    def from_plan(self, request):
        data = ModelPlanSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        created = model_targets_from_plan(user=request.user, **data.validated_data)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class ModelCandidateFilter(django_filters.FilterSet):
    year = YearFilter(field_name="target__year")
    district = IdFilter(field_name="target__district_id")
    target = IdFilter(field_name="target_id")

    class Meta:
        model = ModelCandidate
        fields = ["target", "year", "district", "status"]


class ModelCandidateSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="target.category", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True, allow_null=True)
    establishment_name = serializers.CharField(source="establishment.name", read_only=True, allow_null=True)
    # A plain string here: the choices are documented once, on the status change (PATCH).
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ModelCandidate
        fields = [
            "id",
            "target",
            "category",
            "name",
            "community",
            "community_name",
            "establishment",
            "establishment_name",
            "status",
            "status_display",
            "notes",
            "updated_at",
        ]
        read_only_fields = fields


class ModelCandidateCreateSerializer(serializers.Serializer):
    target = ScopedIdField(model=ModelTarget)
    name = serializers.CharField(max_length=120)
    community = ScopedIdField(model=OrgUnit, allow_null=True, default=None)
    establishment = ScopedIdField(model=Establishment, allow_null=True, default=None)
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, allow_blank=True, default="")


class ModelCandidateStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CandidateStatus.choices)
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, allow_blank=True, default="")


class ModelCandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Candidates for model-unit targets. The district office and the city put candidates
    forward and move them on (PATCH the status); an accepted establishment becomes a model unit."""

    serializer_class = ModelCandidateSerializer
    filterset_class = ModelCandidateFilter
    ordering_fields = ["name", "status", "updated_at"]

    def get_queryset(self):
        return ModelCandidate.objects.visible_to(self.request.user).select_related(
            "target__district", "community", "establishment"
        )

    def _respond(self, candidate: ModelCandidate, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(
            ModelCandidateSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ModelCandidateCreateSerializer, responses={201: ModelCandidateSerializer})
    def create(self, request):
        data = ModelCandidateCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        candidate = model_candidate_add(user=request.user, **data.validated_data)
        return self._respond(candidate, status.HTTP_201_CREATED)

    @extend_schema(request=ModelCandidateStatusSerializer, responses=ModelCandidateSerializer)
    def partial_update(self, request, pk=None):
        candidate = self.get_object()
        data = ModelCandidateStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        model_candidate_set_status(user=request.user, candidate=candidate, **data.validated_data)
        return self._respond(candidate)


routes = [
    ("model-targets", ModelTargetViewSet, "model-target"),
    ("model-candidates", ModelCandidateViewSet, "model-candidate"),
]
