from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from patrols import governance
from patrols.models import (
    ChecklistTemplate,
    Establishment,
    GradingTarget,
    Incident,
    IncidentReport,
    Lead,
    Patrol,
    RapidTest,
    RectificationPolicy,
    Reward,
    WatchListPublication,
)
from patrols.services.establishments import establishment_save


@admin.register(Establishment)
class EstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "community", "category", "risk_class", "status", "next_visit_due"]
    list_filter = ["category", "risk_class", "status", "watch_list"]
    search_fields = ["name", "address", "licence_no"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "grid"]
    readonly_fields = ["next_visit_due"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        """What patrols.governance does not let this user set: the last visit for everyone."""
        return [*self.readonly_fields, *governance.closed_fields(request.user)]

    def save_model(self, request, obj, form, change):
        # The admin's change form has no reason field; the history says where the change was made.
        establishment_save(establishment=obj, user=request.user, reason=gettext("Changed in the admin"))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records whose every change goes through a service (or never happens, like incident
    reports: 不得瞒报、迟报、谎报); the admin only shows them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # The write paths themselves refuse too: a view that forgets to ask the permissions
    # above (simple_history's POSTed "revert" is one) still cannot save or delete.
    def save_model(self, request, obj, form, change) -> None:
        raise PermissionDenied

    def delete_model(self, request, obj) -> None:
        raise PermissionDenied


class IncidentReportInline(admin.TabularInline):
    model = IncidentReport
    fields = ["reported_at", "reported_by", "is_final", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = [
        "unit_name",
        "community",
        "occurred_at",
        "reported_at",
        "first_report_late",
        "closed_at",
        "escalated_at",
    ]
    list_filter = ["first_report_late", "occurred_at", "escalated_at"]
    search_fields = ["unit_name", "place", "facts"]
    list_select_related = ["community"]
    inlines = [IncidentReportInline]


@admin.register(IncidentReport)
class IncidentReportAdmin(ReadOnlyAdmin):
    list_display = ["incident", "reported_at", "reported_by", "is_final"]
    list_filter = ["is_final"]
    list_select_related = ["incident", "reported_by"]


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["date", "community", "status", "submitted_at", "archived_at"]
    list_filter = ["status", "date"]
    list_select_related = ["community"]
    date_hierarchy = "date"


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["reported_at", "community", "establishment", "source", "status"]
    list_filter = ["status", "source"]
    list_select_related = ["community", "establishment"]


@admin.register(RapidTest)
class RapidTestAdmin(ReadOnlyAdmin):
    """Recorded by the service only: a positive result opens its finding or lead with it."""

    list_display = ["tested_at", "community", "district", "sample", "item", "method", "result"]
    list_filter = ["result", "method"]
    list_select_related = ["community", "district"]


@admin.register(Reward)
class RewardAdmin(ReadOnlyAdmin):
    list_display = ["credited_at", "reporter", "reporter_name", "amount", "paid_at"]
    list_select_related = ["reporter"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["category", "district", "updated_at"]
    list_filter = ["category", "district"]
    list_select_related = ["district"]


@admin.register(RectificationPolicy)
class RectificationPolicyAdmin(admin.ModelAdmin):
    list_display = ["district", "minor_days", "major_days", "serious_days", "district_after_days"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]


@admin.register(WatchListPublication)
class WatchListPublicationAdmin(ReadOnlyAdmin):
    """Published lists are snapshots the public has read: shown, never changed."""

    list_display = ["district", "published_at", "published_by"]
    list_select_related = ["district", "published_by"]


@admin.register(GradingTarget)
class GradingTargetAdmin(ReadOnlyAdmin):
    """Set by each district office on its own page (patrols.services.grading)."""

    list_display = ["district", "target_percent", "deadline", "set_by", "set_at"]
    list_select_related = ["district", "set_by"]
