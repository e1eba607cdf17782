"""Assessments in the admin: sheets are editable; an assessment changes only through its services,
and a submitted (frozen) one is read-only here too."""

from django.contrib import admin

from assessment.models import Assessment, AssessmentItem, CriteriaItem, CriteriaSheet, SampleCheck


class CriteriaItemInline(admin.TabularInline):
    model = CriteriaItem
    extra = 0
    fields = ["position", "title", "standard", "points", "method", "metric"]


@admin.register(CriteriaSheet)
class CriteriaSheetAdmin(admin.ModelAdmin):
    list_display = ["title", "tier", "owner", "year"]
    list_filter = ["tier", "year"]
    search_fields = ["title", "owner__name"]
    list_select_related = ["owner"]
    inlines = [CriteriaItemInline]


class ReadOnlyInlineMixin:
    """Items and checks are scored on the assessment page, through the services that keep the total."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AssessmentItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = AssessmentItem
    fields = ["title", "method", "points", "metric", "source", "score", "note", "evidence"]
    readonly_fields = fields


class SampleCheckInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = SampleCheck
    fields = ["inspector", "score", "note", "checked_by", "checked_at"]
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tier", "assessor_unit", "total", "submitted_at"]
    list_filter = ["year", "tier"]
    search_fields = ["assessee_unit__name", "assessee_user__username", "assessee_user__full_name"]
    list_select_related = ["assessee_unit", "assessee_user", "assessor_unit"]
    readonly_fields = [
        "year",
        "tier",
        "assessor_unit",
        "assessee_unit",
        "assessee_user",
        "sheet",
        "started_by",
        "started_at",
        "months_counted",
        "figures_at",
        "sample_seed",
        "sample_pool",
        "summary",
        "total",
        "submitted_at",
        "submitted_by",
        "snapshot",
    ]
    inlines = [AssessmentItemInline, SampleCheckInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)
