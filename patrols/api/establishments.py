from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from orgs.models import OrgUnit
from patrols import governance
from patrols.api.fields import ScopedPrimaryKeyField
from patrols.filters import EstablishmentFilter, FilterBackend
from patrols.models import (
    Establishment,
    EstablishmentChangeProposal,
    FoodGrade,
    ModelStatus,
    RiskClass,
    WatchList,
)
from patrols.services.establishments import establishment_save
from patrols.services.proposals import (
    establishment_change_accept,
    establishment_change_propose,
    establishment_change_refuse,
)


class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """An org unit chosen among those the requesting user may see."""

    def __init__(self, *, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context["request"]
        return OrgUnit.objects.visible_to(request.user).filter(kind=self.kind)


class EstablishmentSerializer(serializers.ModelSerializer):
    community = ScopedUnitField(kind="community")
    grid = ScopedUnitField(kind="grid", required=False, allow_null=True)
    visit_state = serializers.SerializerMethodField()
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=governance.CHANGE_REASON_MAX_LENGTH,
        help_text="Why the district's fields change (risk class, lists, grade, model-unit status).",
    )

    class Meta:
        model = Establishment
        fields = [
            "id",
            "name",
            "address",
            "licence_no",
            "legal_representative",
            "phone",
            "community",
            "grid",
            "category",
            "status",
            "risk_class",
            "tightened_interval_months",
            "watch_list",
            "watch_listed_on",
            "watch_list_reason",
            "food_grade",
            "food_graded_on",
            "model_status",
            "registered_on",
            "last_visited_on",
            "latitude",
            "longitude",
            "next_visit_due",
            "visit_state",
            "updated_at",
            "change_reason",
        ]
        # The date and reason of a listing are stamped with the list (governance.stamp_watch_list).
        read_only_fields = ["next_visit_due", "updated_at", "watch_listed_on", "watch_list_reason"]
        # The model's own constraint check (in the service) reports duplicates.
        validators: list = []

    def get_visit_state(self, obj: Establishment) -> str:
        return obj.visit_state(self.today)

    @cached_property
    def today(self) -> dt.date:
        """One day for a whole page: rows are not judged against different dates around midnight."""
        return timezone.localdate()


class CanEditRegistry(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.can_edit_registry


class EstablishmentViewSet(viewsets.ModelViewSet):
    """The establishment registry within the user's area. Establishments are
    closed (status "closed"), never deleted."""

    serializer_class = EstablishmentSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditRegistry]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = EstablishmentFilter
    ordering_fields = ["name", "next_visit_due", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        establishments = Establishment.objects.visible_to(self.request.user)
        if self.action == "list":
            return establishments  # a row shows its community's id only
        return establishments.select_related("community")  # which Establishment.clean() reads

    def perform_create(self, serializer) -> None:
        """Who may set which field is patrols.governance's, checked in the service (a refusal is a 400)."""
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        serializer.instance = establishment_save(
            establishment=Establishment(**data), user=self.request.user, reason=reason
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        establishment = serializer.instance
        for attr, value in data.items():
            setattr(establishment, attr, value)
        establishment_save(establishment=establishment, user=self.request.user, reason=reason)


class ProposalSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.__str__", read_only=True)

    class Meta:
        model = EstablishmentChangeProposal
        fields = [
            "id",
            "establishment",
            "changes",
            "reason",
            "status",
            "status_display",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ProposedChangesSerializer(serializers.Serializer):
    """The district's fields a community proposes, each optional; the service checks them."""

    risk_class = serializers.ChoiceField(choices=RiskClass.choices, required=False)
    watch_list = serializers.ChoiceField(choices=WatchList.choices, required=False)
    food_grade = serializers.ChoiceField(choices=FoodGrade.choices, required=False)
    food_graded_on = serializers.DateField(required=False, allow_null=True)
    model_status = serializers.ChoiceField(choices=ModelStatus.choices, required=False)


class ProposalCreateSerializer(serializers.Serializer):
    establishment = ScopedPrimaryKeyField(model=Establishment, select_related=("community",))
    changes = ProposedChangesSerializer()
    reason = serializers.CharField(max_length=governance.CHANGE_REASON_MAX_LENGTH)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposed changes to the district's fields of the register: community staff propose with a
    reason, the district office accepts (the register changes) or refuses (with a note)."""

    serializer_class = ProposalSerializer
    filterset_fields = ["establishment", "status"]
    ordering_fields = ["proposed_at"]

    def get_queryset(self):
        return EstablishmentChangeProposal.objects.visible_to(self.request.user).select_related("proposed_by")

    def _respond(self, proposal: EstablishmentChangeProposal, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data, status=code)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request):
        data = ProposalCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        proposal = establishment_change_propose(
            user=request.user,
            establishment=data.validated_data["establishment"],
            changes=data.validated_data["changes"],
            reason=data.validated_data["reason"],
        )
        return self._respond(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            establishment_change_accept(user=request.user, proposal=self.get_object(), **data.validated_data)
        )

    @extend_schema(request=DecisionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            establishment_change_refuse(user=request.user, proposal=self.get_object(), **data.validated_data)
        )


routes = [
    ("establishments", EstablishmentViewSet, "establishment"),
    ("establishment-proposals", ProposalViewSet, "establishment-proposal"),
]
