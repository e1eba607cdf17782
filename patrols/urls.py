from django.urls import path

from patrols.views import (
    campaigns,
    grading,
    incidents,
    leads,
    proposals,
    public,
    rapid_tests,
    records,
    rectifications,
    visit_records,
    watch_lists,
)
from patrols.views import establishments as views

app_name = "patrols"

urlpatterns = [
    path("establishments/", views.establishment_list, name="establishment_list"),
    path("establishments/new/", views.establishment_create, name="establishment_create"),
    path("establishments/export.xlsx", views.establishment_export_xlsx, name="establishment_export"),
    path("establishments/import/", views.establishment_import_xlsx, name="establishment_import"),
    path(
        "establishments/import/template.xlsx",
        views.establishment_import_template,
        name="establishment_import_template",
    ),
    path("establishments/<int:pk>/", views.establishment_detail, name="establishment_detail"),
    path("establishments/<int:pk>/edit/", views.establishment_edit, name="establishment_edit"),
    path("establishments/<int:pk>/propose/", proposals.proposal_create, name="proposal_create"),
    path("establishments/proposals/", proposals.proposal_list, name="proposal_list"),
    path(
        "establishments/proposals/<int:pk>/accept/",
        proposals.proposal_decide,
        {"accept": True},
        name="proposal_accept",
    ),
    path(
        "establishments/proposals/<int:pk>/refuse/",
        proposals.proposal_decide,
        {"accept": False},
        name="proposal_refuse",
    ),
]

urlpatterns += (
    records.urlpatterns
    + campaigns.urlpatterns
    + visit_records.urlpatterns
    + rectifications.urlpatterns
    + leads.urlpatterns
    + incidents.urlpatterns
    + public.urlpatterns
    + watch_lists.urlpatterns
    + grading.urlpatterns
    + rapid_tests.urlpatterns
)
