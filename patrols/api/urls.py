"""The API router: each module of patrols.api lists its viewsets in `routes`."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from assessment import api as assessment_api
from notifications.api import GroupRobotViewSet, NoticePreferencesView, NotificationViewSet
from orgs.api import ApiTokenViewSet, OrgUnitViewSet, UserViewSet
from patrols.api import establishments, incidents, leads, rapid_tests, records
from publicity.api import model_units as model_unit_api
from publicity.api import records as publicity_api
from reporting import api as reporting_api

router = DefaultRouter()
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("group-robots", GroupRobotViewSet, basename="group-robot")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
for module in (
    establishments,
    records,
    leads,
    incidents,
    rapid_tests,
    reporting_api,
    publicity_api,
    model_unit_api,
    assessment_api,
):
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    # Before the router's notifications/<pk>/, which would take "preferences" for an id.
    path("notifications/preferences/", NoticePreferencesView.as_view(), name="notification-preferences"),
    *router.urls,
]
