from django.contrib import admin

from reporting.models import Article, ArticleMedia, MonthlyReport, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "status", "late", "submitted_at"]
    list_filter = ["status", "late", "period", "unit__kind"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]
    # Reports change only through their services (submit, return, reopen).
    readonly_fields = [
        "unit",
        "period",
        "status",
        "narrative",
        "figures",
        "first_submitted_at",
        "submitted_at",
        "submitted_by",
        "late",
        "returned_reason",
        "reopened_until",
    ]
    inlines = [ReportEventInline]

    def has_add_permission(self, request) -> bool:
        return False


class ArticleMediaInline(admin.TabularInline):
    """Shown, not uploaded here: pictures and videos come in through the checks of reporting.services."""

    model = ArticleMedia
    extra = 0
    fields = ["kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "activity_ended_on", "submitted_at", "late", "forwarded_at"]
    list_filter = ["late", "community__parent"]
    search_fields = ["title", "community__name"]
    list_select_related = ["community"]
    readonly_fields = ["submitted_at", "late", "forwarded_at", "forwarded_by", "author"]
    inlines = [ArticleMediaInline]
