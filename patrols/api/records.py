"""Patrol records over the API. Phones address records by the id they made (`client_id`):
posting the same record twice answers 200 with the stored one instead of 201."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config.api import id_list_field
from config.parsers import BoundedFormParser
from orgs.models import User
from patrols.api.fields import ScopedPrimaryKeyField, ScopedSlugField
from patrols.models import (
    Amendment,
    Establishment,
    Finding,
    FindingCategory,
    FindingKind,
    Patrol,
    PatrolKind,
    PatrolMember,
    Photo,
    RectificationEvidence,
    RectificationStep,
    Severity,
    SpecialCampaign,
    Visit,
    VisitResult,
)
from patrols.services import records as services
from patrols.services import rectifications as rectification_services
from patrols.services.rectifications import NOTE_MAX_LENGTH


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="inspector.__str__", read_only=True)

    class Meta:
        model = PatrolMember
        fields = ["inspector", "name", "certificate_no"]


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Amendment
        fields = ["id", "visit", "field", "original", "corrected", "reason", "made_by", "made_at"]


class PatrolSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    # Only people the requester may see: any other id is "does not exist", like an id never given.
    team = ScopedPrimaryKeyField(
        model=User, many=True, write_only=True, help_text="Inspector ids besides yourself."
    )
    # A campaign of the requester's district (a campaign record names one whose period holds its day).
    campaign = ScopedPrimaryKeyField(
        model=SpecialCampaign,
        required=False,
        allow_null=True,
        help_text="For a special-campaign record: the district's campaign.",
    )

    class Meta:
        model = Patrol
        fields = [
            "id",
            "client_id",
            "community",
            "date",
            "kind",
            "campaign",
            "joint_departments",
            "team",
            "members",
            "notes",
            "status",
            "submitted_at",
            "head_approved_by",
            "head_approved_at",
            "leader_approved_by",
            "leader_approved_at",
            "returned_reason",
            "archived_at",
            "amendments",
        ]
        read_only_fields = [
            "community",
            "status",
            "submitted_at",
            "head_approved_by",
            "head_approved_at",
            "leader_approved_by",
            "leader_approved_at",
            "returned_reason",
            "archived_at",
        ]
        extra_kwargs = {"client_id": {"required": False, "validators": []}, "date": {"required": False}}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class IdsSerializer(serializers.Serializer):
    ids = id_list_field(allow_empty=False)


class AmendSerializer(serializers.Serializer):
    field = serializers.CharField()
    corrected = serializers.CharField()
    reason = serializers.CharField()
    visit = serializers.UUIDField(required=False, help_text="client_id of the visit, for a visit's field")


class ApprovedCountSerializer(serializers.Serializer):
    approved = serializers.IntegerField()


def _created(serializer: serializers.Serializer, instance, created: bool) -> Response:
    """The stored record, shown by the serializer that took it in (its fields are built already)."""
    serializer.instance = instance
    return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PatrolViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Patrol records of the user's area, newest first."""

    serializer_class = PatrolSerializer
    lookup_field = "client_id"
    filterset_fields = ["community", "status", "date", "kind"]
    ordering_fields = ["date"]

    def get_queryset(self):
        return Patrol.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("members", queryset=PatrolMember.objects.select_related("inspector")), "amendments"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        patrol, created = services.patrol_start(
            user=request.user,
            team=data["team"],
            date=data.get("date"),
            notes=data.get("notes", ""),
            client_id=data.get("client_id"),
            kind=data.get("kind", PatrolKind.DAILY),
            campaign=data.get("campaign"),
            joint_departments=data.get("joint_departments", ""),
        )
        return _created(serializer, patrol, created)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, client_id=None):
        patrol = services.patrol_submit(user=request.user, patrol=self.get_object())
        return Response(self.get_serializer(patrol).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, client_id=None):
        patrol = services.patrol_approve(user=request.user, patrol=self.get_object())
        return Response(self.get_serializer(patrol).data)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, client_id=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patrol = services.patrol_return(
            user=request.user, patrol=self.get_object(), reason=body.data["reason"]
        )
        return Response(self.get_serializer(patrol).data)

    @extend_schema(request=IdsSerializer, responses=ApprovedCountSerializer)
    @action(detail=False, methods=["post"], url_path="approve-many")
    def approve_many(self, request):
        body = IdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patrols = self.get_queryset().filter(pk__in=body.validated_data["ids"])
        return Response({"approved": services.patrol_approve_many(user=request.user, patrols=patrols)})

    @extend_schema(request=AmendSerializer, responses=AmendmentSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, client_id=None):
        patrol = self.get_object()
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = None
        if "visit" in body.validated_data:
            visit = get_object_or_404(patrol.visits, client_id=body.validated_data["visit"])
        amendment = services.patrol_amend(
            user=request.user,
            patrol=patrol,
            visit=visit,
            field=body.validated_data["field"],
            corrected=body.validated_data["corrected"],
            reason=body.validated_data["reason"],
        )
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class ChecklistRowSerializer(serializers.Serializer):
    item = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class RectificationStepSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = RectificationStep
        fields = ["kind", "note", "actor", "actor_name", "by_finder", "at"]

    def get_actor_name(self, obj: RectificationStep) -> str:
        return str(obj.actor) if obj.actor else ""


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvidence
        fields = ["id", "client_id", "url", "taken_at", "latitude", "longitude", "uploaded_by", "uploaded_at"]

    def get_url(self, obj: RectificationEvidence) -> str:
        return reverse("patrols:finding_evidence_file", args=[obj.pk])


class FindingSerializer(serializers.ModelSerializer):
    visit = serializers.SlugRelatedField(slug_field="client_id", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "establishment",
            "community",
            "kind",
            "category",
            "severity",
            "description",
            "rectification_deadline",
            "status",
            "owner_name",
            "owner_phone",
            "escalation",
            "found_by",
            "created_at",
            "closed_at",
            "overdue",
        ]

    def get_overdue(self, obj: Finding) -> bool:
        return obj.is_overdue()


class RectificationSerializer(FindingSerializer):
    """A finding with its rectification: the evidence and the time-stamped steps."""

    evidence = EvidenceSerializer(many=True, read_only=True)
    steps = RectificationStepSerializer(many=True, read_only=True)

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "evidence", "steps"]


class EvidenceInputSerializer(serializers.Serializer):
    image = serializers.FileField()
    client_id = serializers.UUIDField(
        required=False, help_text="Made on the phone; a resent photo is stored once."
    )


class FollowUpSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text="Whether the risk has been put right (closes it).")
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=NOTE_MAX_LENGTH)


class FindingInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    category = serializers.ChoiceField(choices=FindingCategory.choices)
    description = serializers.CharField()
    rectification_deadline = serializers.DateField(required=False, allow_null=True)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        default=Severity.MINOR,
        help_text="隐患分级 of a safety risk: sets the default deadline. 1 minor, 2 major, 3 serious.",
    )


class VisitSerializer(serializers.ModelSerializer):
    patrol = ScopedSlugField(model=Patrol, slug_field="client_id", help_text="client_id of the patrol")
    # The service reads the establishment's community (its district's checklist) next.
    establishment = ScopedPrimaryKeyField(model=Establishment, select_related=("community",))
    checklist = ChecklistRowSerializer(many=True, required=False)
    finding_items = FindingInputSerializer(many=True, required=False, write_only=True)
    follow_up_of = ScopedPrimaryKeyField(model=Finding, required=False, allow_null=True)
    findings_recorded = FindingSerializer(source="finding_set", many=True, read_only=True)
    photos = serializers.SlugRelatedField(slug_field="client_id", many=True, read_only=True)
    far_from_shop = serializers.BooleanField(
        source="is_far_from_shop",
        read_only=True,
        help_text="Saved farther from the shop's registered position than the threshold plus the accuracy.",
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_id",
            "patrol",
            "establishment",
            "visited_at",
            "checklist",
            "result",
            "findings",
            "action_taken",
            "finding_items",
            "follow_up_of",
            "rectified",
            "findings_recorded",
            "photos",
            "latitude",
            "longitude",
            "accuracy_m",
            "far_from_shop",
            "shop_signer_name",
            "shop_signed_at",
            "shop_refusal_reason",
            "shop_refused_at",
        ]
        # Signing happens on the visit record's page, on the phone, with the shop's person there.
        read_only_fields = ["shop_signer_name", "shop_signed_at", "shop_refusal_reason", "shop_refused_at"]
        # Resending a record is answered by the service, not refused as a duplicate.
        validators: list = []
        extra_kwargs = {"client_id": {"required": False, "validators": []}, "visited_at": {"required": False}}


class VisitUpdateSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=VisitResult.choices)
    findings = serializers.CharField(allow_blank=True, required=False, default="")
    action_taken = serializers.CharField(allow_blank=True, required=False, default="")
    checklist = ChecklistRowSerializer(many=True, required=False)


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits on the user's area's patrols."""

    serializer_class = VisitSerializer
    lookup_field = "client_id"
    filterset_fields = ["establishment", "result"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("patrol", "establishment")
            .prefetch_related("finding_set", "photos")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit, created = services.visit_record(
            user=request.user,
            patrol=data["patrol"],
            establishment=data["establishment"],
            result=data["result"],
            checklist=data.get("checklist", []),
            findings=data.get("findings", ""),
            action_taken=data.get("action_taken", ""),
            finding_items=[services.FindingInput(**item) for item in data.get("finding_items", [])],
            follow_up_of=data.get("follow_up_of"),
            rectified=data.get("rectified"),
            visited_at=data.get("visited_at"),
            client_id=data.get("client_id"),
            position=services.Position.from_parts(
                data.get("latitude"), data.get("longitude"), data.get("accuracy_m")
            ),
        )
        return _created(serializer, visit, created)

    @extend_schema(request=VisitUpdateSerializer, responses=VisitSerializer)
    def partial_update(self, request, client_id=None):
        body = VisitUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = services.visit_update(user=request.user, visit=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(visit).data)


class PhotoSerializer(serializers.ModelSerializer):
    visit = ScopedSlugField(model=Visit, slug_field="client_id", help_text="client_id of the visit")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "client_id",
            "visit",
            "image",
            "url",
            "taken_at",
            "latitude",
            "longitude",
            "uploaded_at",
        ]
        read_only_fields = ["taken_at", "latitude", "longitude", "uploaded_at"]
        extra_kwargs = {"client_id": {"required": False, "validators": []}, "image": {"write_only": True}}

    def get_url(self, obj: Photo) -> str:
        from django.urls import reverse

        return reverse("patrols:photo_file", args=[obj.pk])


class PhotoViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visit photos; the image itself is served by the page that checks who may see it."""

    serializer_class = PhotoSerializer
    lookup_field = "client_id"
    parser_classes = [MultiPartParser, BoundedFormParser]

    def get_queryset(self):
        return Photo.objects.visible_to(self.request.user).select_related("visit")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        photo, created = services.photo_add(
            user=request.user, visit=data["visit"], upload=data["image"], client_id=data.get("client_id")
        )
        return _created(serializer, photo, created)


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings of the user's area: risks being rectified and violations reported. A list of open
    risks is in rectification order with `?ordering=-severity,rectification_deadline`."""

    serializer_class = FindingSerializer
    filterset_fields = ["community", "kind", "status", "category", "establishment", "severity", "escalation"]
    ordering_fields = ["created_at", "rectification_deadline", "severity"]

    def get_queryset(self):
        findings = Finding.objects.visible_to(self.request.user).select_related("visit")
        if self.action != "list":
            findings = findings.prefetch_related(
                "evidence", Prefetch("steps", queryset=RectificationStep.objects.select_related("actor"))
            )
        return findings

    def get_serializer_class(self):
        return FindingSerializer if self.action == "list" else RectificationSerializer

    @extend_schema(request=EvidenceInputSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, BoundedFormParser])
    def evidence(self, request, pk=None):
        finding = self.get_object()
        body = EvidenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _evidence, created = rectification_services.rectification_evidence_add(
            user=request.user,
            finding=finding,
            upload=body.validated_data["image"],
            client_id=body.validated_data.get("client_id"),
        )
        data = RectificationSerializer(self.get_queryset().get(pk=finding.pk)).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=FollowUpSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        finding = self.get_object()
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rectification_services.rectification_follow_up(
            user=request.user,
            finding=finding,
            passed=body.validated_data["passed"],
            note=body.validated_data["note"],
        )
        return Response(RectificationSerializer(self.get_queryset().get(pk=finding.pk)).data)


class ChecklistSerializer(serializers.Serializer):
    category = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())


class ChecklistViewSet(viewsets.ViewSet):
    """The checklist in force per category for the user: their district's own, else the city default."""

    serializer_class = ChecklistSerializer

    @extend_schema(responses=ChecklistSerializer(many=True))
    def list(self, request):
        district = request.user.org_unit.district if request.user.org_unit else None
        lists = services.checklists_for_district(district.pk if district else None)
        return Response([{"category": category, "items": items} for category, items in sorted(lists.items())])


class SpecialCampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecialCampaign
        fields = ["id", "district", "name", "starts_on", "ends_on", "checklist_items"]
        read_only_fields = fields


class SpecialCampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """The district's special campaigns (专项整治), newest first: a campaign record names one whose
    period holds its day. The district office sets them on the web."""

    serializer_class = SpecialCampaignSerializer
    filterset_fields = ["district"]
    ordering_fields = ["starts_on"]

    def get_queryset(self):
        return SpecialCampaign.objects.visible_to(self.request.user)


routes = [
    ("patrols", PatrolViewSet, "patrol"),
    ("special-campaigns", SpecialCampaignViewSet, "special-campaign"),
    ("visits", VisitViewSet, "visit"),
    ("photos", PhotoViewSet, "photo"),
    ("findings", FindingViewSet, "finding"),
    ("checklists", ChecklistViewSet, "checklist"),
]
