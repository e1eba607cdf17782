"""Leads and the reward ledger over the API (§5): the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patrols.models import Establishment, Lead, LeadEvent, Reward
from patrols.reporters import ShownReporter, event_actor, lead_reporter, reward_reporter
from patrols.services.leads import (
    lead_dismiss,
    lead_escalate,
    lead_file,
    lead_report,
    lead_source_for,
    lead_verify,
)
from patrols.views.leads import DESCRIPTION_MAX_LENGTH, LeadFilter


class LeadEventSerializer(serializers.ModelSerializer):
    # A plain string: the lead's status enum is documented once, on Lead.
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = LeadEvent
        fields = ["status", "status_display", "note", "actor", "at"]
        read_only_fields = fields

    def get_actor(self, obj: LeadEvent) -> str:
        return event_actor(self.context["request"].user, obj.lead, obj)


class LeadRewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["amount", "credited_at", "paid_at"]
        read_only_fields = fields


class ShownReporterMixin:
    """The reporter as patrols.reporters lets the requester see them: named at the district and above."""

    def _shown(self, obj) -> ShownReporter:
        raise NotImplementedError

    def get_reporter(self, obj) -> int | None:
        return self._shown(obj).user_id

    def get_reporter_name(self, obj) -> str:
        return self._shown(obj).name

    def get_reporter_phone(self, obj) -> str:
        return self._shown(obj).phone


class LeadSerializer(ShownReporterMixin, serializers.ModelSerializer):
    """A lead with its timeline; who reported it is shown to the district and city only."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    establishment_name = serializers.CharField(source="establishment.name", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    reporter = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    reward = LeadRewardSerializer(read_only=True, allow_null=True)
    events = LeadEventSerializer(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "community",
            "community_name",
            "establishment",
            "establishment_name",
            "source",
            "source_display",
            "status",
            "status_display",
            "description",
            "reporter",
            "reporter_name",
            "reporter_phone",
            "reported_at",
            "escalated_at",
            "closed_at",
            "reward",
            "events",
        ]
        read_only_fields = fields

    def _shown(self, obj: Lead) -> ShownReporter:
        return lead_reporter(self.context["request"].user, obj)


class CommunityEstablishmentField(serializers.PrimaryKeyRelatedField):
    """An open establishment of the requesting user's own community."""

    def get_queryset(self):
        user = self.context["request"].user
        return Establishment.objects.visible_to(user).filter(community_id=user.org_unit_id).open()


class LeadCreateSerializer(serializers.Serializer):
    establishment = CommunityEstablishmentField(
        queryset=Establishment.objects.all(), allow_null=True, default=None
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)


class LeadNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LeadDismissSerializer(serializers.Serializer):
    reason = serializers.CharField()


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leads of the user's area with their timeline. Community users (not volunteers) report
    leads; district staff, and the city once a lead is escalated, take its steps."""

    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    ordering_fields = ["reported_at", "status"]

    def get_queryset(self):
        return (
            Lead.objects.visible_to(self.request.user)
            .select_related("community", "establishment", "reporter", "reward")
            .prefetch_related(Prefetch("events", queryset=LeadEvent.objects.select_related("actor")))
        )

    def _respond(self, lead: Lead, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=lead.pk)
        return Response(LeadSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=LeadCreateSerializer, responses={201: LeadSerializer})
    def create(self, request):
        source = lead_source_for(request.user)
        if source is None:
            raise PermissionDenied
        data = LeadCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        lead = lead_report(
            community=request.user.org_unit,
            establishment=data.validated_data["establishment"],
            description=data.validated_data["description"],
            source=source,
            reporter=request.user,
        )
        return self._respond(lead, status.HTTP_201_CREATED)

    def _step(self, request, service, serializer_class=LeadNoteSerializer) -> Response:
        lead = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(service(user=request.user, lead=lead, **data.validated_data))

    @extend_schema(request=LeadNoteSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(request, lead_verify)

    @extend_schema(request=LeadNoteSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        return self._step(request, lead_file)

    @extend_schema(request=LeadDismissSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._step(request, lead_dismiss, LeadDismissSerializer)

    @extend_schema(request=LeadNoteSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._step(request, lead_escalate)


class RewardSerializer(ShownReporterMixin, serializers.ModelSerializer):
    """A reward in the ledger; who reported the lead is shown to the district and city only."""

    reporter = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = Reward
        fields = [
            "id",
            "lead",
            "reporter",
            "reporter_name",
            "reporter_phone",
            "amount",
            "credited_at",
            "paid_at",
        ]
        read_only_fields = fields

    def _shown(self, obj: Reward) -> ShownReporter:
        return reward_reporter(self.context["request"].user, obj)


class RewardViewSet(viewsets.ReadOnlyModelViewSet):
    """The reward ledger of the user's area: one reward per lead filed as a case."""

    serializer_class = RewardSerializer
    ordering_fields = ["credited_at", "paid_at"]

    def get_queryset(self):
        return Reward.objects.visible_to(self.request.user).select_related("lead", "reporter")


routes = [("leads", LeadViewSet, "lead"), ("rewards", RewardViewSet, "reward")]
