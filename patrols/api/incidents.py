"""Incidents over the API: read, make the first report, add follow-ups. Nothing is ever changed
or deleted, so PUT, PATCH and DELETE answer 405."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patrols.models import ESCALATION_NOTE_MAX_LENGTH, Establishment, Incident, IncidentReport
from patrols.services.incidents import incident_escalate, incident_follow_up, incident_report


class IncidentReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentReport
        fields = ["id", "text", "is_final", "reported_by", "reported_at"]
        read_only_fields = ["reported_by", "reported_at"]


class IncidentEscalateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=ESCALATION_NOTE_MAX_LENGTH)


class VisibleEstablishmentField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Establishment.objects.visible_to(self.context["request"].user)


class IncidentSerializer(serializers.ModelSerializer):
    establishment = VisibleEstablishmentField(required=False, allow_null=True)
    reports = IncidentReportSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "community",
            "establishment",
            "unit_name",
            "place",
            "occurred_at",
            "reported_at",
            "first_report_late",
            "facts",
            "people_affected",
            "reported_by",
            "closed_at",
            "escalated_at",
            "escalated_by",
            "escalation_note",
            "reports",
        ]
        read_only_fields = [
            "community",
            "reported_at",
            "first_report_late",
            "reported_by",
            "closed_at",
            "escalated_at",
            "escalated_by",
            "escalation_note",
        ]
        # The service checks the time (not in the future, within the bounds, not before the community
        # opened) and says which of these it is about the time it happened.
        extra_kwargs = {"occurred_at": {"validators": []}}


class IncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Food and drug safety incidents in the user's area (§5). The first report is made with POST;
    later facts come as follow-up reports, and a final one closes the incident."""

    serializer_class = IncidentSerializer
    filterset_fields = {"community": ["exact"], "first_report_late": ["exact"], "escalated_at": ["isnull"]}
    ordering_fields = ["occurred_at", "reported_at"]

    def get_queryset(self):
        return Incident.objects.visible_to(self.request.user).prefetch_related("reports")

    def perform_create(self, serializer) -> None:
        serializer.instance = incident_report(user=self.request.user, **serializer.validated_data)

    @extend_schema(request=IncidentReportSerializer, responses={201: IncidentReportSerializer})
    @action(detail=True, methods=["post"], serializer_class=IncidentReportSerializer)
    def reports(self, request, pk=None):
        incident = self.get_object()
        serializer = IncidentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = incident_follow_up(user=request.user, incident=incident, **serializer.validated_data)
        return Response(IncidentReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentEscalateSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"], serializer_class=IncidentEscalateSerializer)
    def escalate(self, request, pk=None):
        """The district office sends the incident up to the city bureau, once; the city is alerted."""
        incident = self.get_object()
        serializer = IncidentEscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = incident_escalate(user=request.user, incident=incident, **serializer.validated_data)
        incident = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)


routes = [("incidents", IncidentViewSet, "incident")]
