"""Publicity records over the API: read what the user may see, log new work for their community.

Every endpoint starts from the model's visible_to(user) and writes through
the same services as the pages; a service's PermissionDenied answers 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.relations import MANY_RELATION_KWARGS

from patrols.models import Establishment
from publicity import services
from publicity.models import (
    OUTSIDERS_MAX,
    TRAINING_HOURS_MAX,
    TRAINING_HOURS_MIN,
    Activity,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    CollectionBox,
    TrainingAudience,
    TrainingOutsider,
    TrainingSession,
    validate_training_hours,
)

RECORD_READ_ONLY = ["community", "created_by", "created_at"]


class VisibleField(serializers.PrimaryKeyRelatedField):
    """A reference that only accepts rows the user may see (a guessed id is "does not exist")."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)


class BoardUpdateSerializer(serializers.ModelSerializer):
    photo = serializers.ImageField(write_only=True)

    class Meta:
        model = BoardUpdate
        fields = ["id", "community", "kind", "date", "summary", "photo", "created_by", "created_at"]
        read_only_fields = RECORD_READ_ONLY


class ActivitySerializer(serializers.ModelSerializer):
    campaign = VisibleField(Campaign, required=False, allow_null=True)
    photo = serializers.ImageField(write_only=True, required=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "community",
            "campaign",
            "title",
            "date",
            "place",
            "attendance",
            "summary",
            "photo",
            "created_by",
            "created_at",
        ]
        read_only_fields = RECORD_READ_ONLY


class BrochureDropSerializer(serializers.ModelSerializer):
    class Meta:
        model = BrochureDrop
        fields = ["id", "community", "date", "households", "copies", "area", "created_by", "created_at"]
        read_only_fields = RECORD_READ_ONLY


class TrainingCommunityField(serializers.PrimaryKeyRelatedField):
    """Where a session was held: the user's own community, or one of the district office's district."""

    def get_queryset(self):
        return services.training_communities(self.context["request"].user)


class BoundedManyRelatedField(serializers.ManyRelatedField):
    """A list of references, refused whole when longer than OUTSIDERS_MAX (before any is looked up)."""

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > OUTSIDERS_MAX:
            raise serializers.ValidationError(
                _("Name at most %(max)d attendees.") % {"max": OUTSIDERS_MAX}, code="max_length"
            )
        return super().to_internal_value(data)


class TrainingAttendeeField(serializers.PrimaryKeyRelatedField):
    """A person the user may see; anyone else is "does not exist"."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS})
        return BoundedManyRelatedField(**list_kwargs)

    def get_queryset(self):
        return services.training_attendees(self.context["request"].user)


class TrainingOutsiderSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingOutsider
        fields = ["name", "workplace"]


class TrainingSessionSerializer(serializers.ModelSerializer):
    community = TrainingCommunityField(
        required=False,
        help_text=_(
            "Where it was held: your own community (the default), or for the district office one of "
            "its district."
        ),
    )
    hours = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=TRAINING_HOURS_MIN,
        max_value=TRAINING_HOURS_MAX,
        validators=[validate_training_hours],
        # Sessions recorded before hours were asked for have none (null); a new one must give them.
        allow_null=True,
        help_text=_("From 0.5 to 24, in half hours."),
    )
    audience = serializers.ChoiceField(choices=TrainingAudience.choices)
    attendees = TrainingAttendeeField(
        many=True,
        required=False,
        help_text=_("Ids of people of the system who attended (at most 200)."),
    )
    outsiders = TrainingOutsiderSerializer(many=True, required=False, max_length=OUTSIDERS_MAX)

    def validate_hours(self, value):
        if value is None:
            raise serializers.ValidationError(_("Enter how many hours the session lasted."))
        return value

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "community",
            "organiser",
            "kind",
            "audience",
            "date",
            "topic",
            "hours",
            "attendance",
            "attendees",
            "outsiders",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["organiser", "created_by", "created_at"]


class CollectionBoxSerializer(serializers.ModelSerializer):
    # Only an establishment the user may see: another community's id is "does not exist".
    pharmacy = VisibleField(Establishment, required=False, allow_null=True)

    class Meta:
        model = CollectionBox
        fields = ["id", "community", "location", "pharmacy", "installed_on", "removed_on"]
        read_only_fields = ["community", "removed_on"]


class BoxCollectionSerializer(serializers.ModelSerializer):
    box = VisibleField(CollectionBox)

    class Meta:
        model = BoxCollection
        fields = ["id", "box", "date", "items", "weight_kg", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "year", "kind", "name", "starts_on", "ends_on", "district"]


class PublicityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Read the publicity records of the user's area; POST logs one for the user's own community."""

    model = None
    filterset_fields = ["community", "date"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related("community")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        photo = data.pop("photo", None)
        serializer.instance = services.publicity_record_add(
            user=self.request.user, record=self.model(**data), photo=photo
        )


class BoardUpdateViewSet(PublicityViewSet):
    """Bulletin-board column and slogan updates, each with a photo as evidence."""

    model = BoardUpdate
    serializer_class = BoardUpdateSerializer
    filterset_fields = ["community", "kind", "date"]


class ActivityViewSet(PublicityViewSet):
    """Publicity activities with place and attendance, on a campaign day or not."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_fields = ["community", "campaign", "date"]


class BrochureDropViewSet(PublicityViewSet):
    """Brochures handed out to households."""

    model = BrochureDrop
    serializer_class = BrochureDropSerializer


class TrainingSessionViewSet(PublicityViewSet):
    """Training sessions, meetings and emergency drills with hours, head count and named attendees.

    POST records one for the user's community; the district office names the community
    of its district it was held in, and is recorded as its organiser.
    """

    model = TrainingSession
    serializer_class = TrainingSessionSerializer
    filterset_fields = ["community", "kind", "audience", "date"]

    def get_queryset(self):
        return (
            TrainingSession.objects.visible_to(self.request.user)
            .select_related("community")
            .prefetch_related("attendees", "outsiders")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        attendees = data.pop("attendees", [])
        outsiders = [(row["name"], row.get("workplace", "")) for row in data.pop("outsiders", [])]
        community = data.pop("community", None)
        serializer.instance = services.training_session_add(
            user=self.request.user,
            session=TrainingSession(**data),
            attendees=attendees,
            outsiders=outsiders,
            community=community,
        )


class CollectionBoxViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Expired-medicine collection boxes at community offices and pharmacies."""

    serializer_class = CollectionBoxSerializer
    filterset_fields = ["community"]

    def get_queryset(self):
        return CollectionBox.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.collection_box_add(
            user=self.request.user, box=CollectionBox(**serializer.validated_data)
        )


class BoxCollectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """What was collected from a box, and when."""

    serializer_class = BoxCollectionSerializer
    filterset_fields = ["box", "date"]

    def get_queryset(self):
        return BoxCollection.objects.visible_to(self.request.user).select_related("box")

    def perform_create(self, serializer):
        serializer.instance = services.box_collection_add(
            user=self.request.user, collection=BoxCollection(**serializer.validated_data)
        )


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """The campaign calendar: national campaign days and the user's district's own."""

    serializer_class = CampaignSerializer
    filterset_fields = ["year", "kind"]

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user)


routes = [
    ("board-updates", BoardUpdateViewSet, "boardupdate"),
    ("publicity-activities", ActivityViewSet, "publicityactivity"),
    ("brochure-drops", BrochureDropViewSet, "brochuredrop"),
    ("training-sessions", TrainingSessionViewSet, "trainingsession"),
    ("collection-boxes", CollectionBoxViewSet, "collectionbox"),
    ("box-collections", BoxCollectionViewSet, "boxcollection"),
    ("campaigns", CampaignViewSet, "campaign"),
]
