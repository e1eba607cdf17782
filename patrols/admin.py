from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from patrols.models import Establishment
from patrols.services import establishment_save


@admin.register(Establishment)
class EstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "community", "category", "risk_class", "status", "next_visit_due"]
    list_filter = ["category", "risk_class", "status", "watch_list"]
    search_fields = ["name", "address", "licence_no"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "grid"]
    readonly_fields = ["next_visit_due"]

    def save_model(self, request, obj, form, change):
        establishment_save(establishment=obj, user=request.user)
