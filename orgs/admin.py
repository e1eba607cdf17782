from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "opened_on", "closed_on"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # The materialised path is built from code and parent: fixed once created.
        return ["code", "parent", "kind"] if obj else []


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "org_unit", "certificate_no", "is_active"]
    list_filter = ["role", "is_active", "org_unit__kind"]
    search_fields = ["username", "full_name", "certificate_no", "phone"]
    list_select_related = ["org_unit"]
    autocomplete_fields = ["org_unit"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Patrol network"),
            {"fields": ("full_name", "role", "org_unit", "phone", "mobile", "certificate_no")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Patrol network"), {"fields": ("full_name", "role", "org_unit", "certificate_no")}),
    )
