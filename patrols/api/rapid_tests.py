"""Rapid tests (快筛快检) over the API: the same services as the pages, each user their own area."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from config import bounds
from config.api import BoundedDateTimeField
from config.parsers import BoundedFormParser
from patrols.api.fields import ScopedPrimaryKeyField, ScopedSlugField
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
from patrols.services.rapid_tests import RapidTestInput, rapid_test_in_room, rapid_test_on_visit
from reporting.periods import period_last_day


class RapidTestSerializer(serializers.ModelSerializer):
    visit = serializers.SlugRelatedField(slug_field="client_id", read_only=True, allow_null=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = RapidTest
        fields = [
            "id",
            "visit",
            "community",
            "district",
            "establishment",
            "sample_source",
            "tested_at",
            "sample",
            "item",
            "method",
            "method_display",
            "result",
            "result_display",
            "value",
            "value_unit",
            "photo_url",
            "finding",
            "lead",
            "tested_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_photo_url(self, obj: RapidTest) -> str | None:
        return reverse("patrols:rapid_test_photo", args=[obj.pk]) if obj.photo else None


@extend_schema_field(OpenApiTypes.UUID)
class VisitClientIdField(ScopedSlugField):
    """A visit of the user's area by the id its phone made."""


class RapidTestCreateSerializer(serializers.Serializer):
    """A test at a visit (`visit`, the visit's client_id), or without one in the user's district's
    test room. Who tested it is the requesting user."""

    visit = VisitClientIdField(
        model=Visit,
        slug_field="client_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="client_id of the visit; leave out for the district's rapid-test room",
    )
    tested_at = BoundedDateTimeField(validators=[bounds.validate_past_moment])
    sample = serializers.CharField(max_length=SAMPLE_MAX_LENGTH)
    item = serializers.CharField(max_length=ITEM_MAX_LENGTH)
    method = serializers.ChoiceField(choices=RapidTestMethod.choices)
    result = serializers.ChoiceField(choices=RapidTestResult.choices)
    value = serializers.DecimalField(
        max_digits=9,
        decimal_places=3,
        min_value=0,
        max_value=RAPID_TEST_VALUE_MAX,
        required=False,
        allow_null=True,
        default=None,
    )
    value_unit = serializers.CharField(
        max_length=UNIT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    photo = serializers.FileField(required=False, allow_null=True, default=None)
    finding_kind = serializers.ChoiceField(
        choices=FindingKind.choices,
        default=FindingKind.SAFETY_RISK,
        help_text="At a visit: what a positive result is recorded as",
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MAJOR)
    establishment = ScopedPrimaryKeyField(
        model=Establishment,
        select_related=("community",),
        required=False,
        allow_null=True,
        default=None,
        help_text="In the room: the establishment the sample came from",
    )
    sample_source = serializers.CharField(
        max_length=SAMPLE_SOURCE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    finding = ScopedPrimaryKeyField(
        model=Finding,
        select_related=("community",),
        required=False,
        allow_null=True,
        default=None,
        help_text="In the room: link a positive result to this finding instead of opening a lead",
    )


MONTH = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM: only the tests of that month")


@extend_schema_view(list=extend_schema(parameters=[MONTH]))
class RapidTestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rapid tests of the user's area: at visits (their community's) and in the district's test room."""

    serializer_class = RapidTestSerializer
    parser_classes = [JSONParser, MultiPartParser, BoundedFormParser]

    def get_queryset(self):
        tests = RapidTest.objects.visible_to(self.request.user).select_related("visit")
        if self.action == "list" and "month" in self.request.query_params:
            first = bounds.parse_month(self.request.query_params["month"])
            if first is None:
                raise serializers.ValidationError({"month": [_("Enter a month as YYYY-MM.")]})
            tests = tests.tested_between(first, period_last_day(first))
        return tests

    @extend_schema(request=RapidTestCreateSerializer, responses={201: RapidTestSerializer})
    def create(self, request, *args, **kwargs):
        form = RapidTestCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        entry = RapidTestInput(
            tested_at=data["tested_at"],
            sample=data["sample"],
            item=data["item"],
            method=data["method"],
            result=data["result"],
            value=data["value"],
            value_unit=data["value_unit"],
            photo=data["photo"],
            finding_kind=data["finding_kind"],
            severity=int(data["severity"]),
        )
        if data["visit"] is not None:
            test = rapid_test_on_visit(user=request.user, visit=data["visit"], data=entry)
        else:
            test = rapid_test_in_room(
                user=request.user,
                district=request.user.org_unit,
                data=entry,
                establishment=data["establishment"],
                sample_source=data["sample_source"],
                finding=data["finding"],
            )
        return Response(self.get_serializer(test).data, status=status.HTTP_201_CREATED)


routes = [("rapid-tests", RapidTestViewSet, "rapid-test")]
