from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config import pwa
from config.health import healthz
from orgs import views as org_views
from orgs.api import TokenObtainView

# The admin speaks the site's language, under the site's name.
admin.site.site_header = _("Food & Drug Safety in the Community: administration")
admin.site.site_title = _("Food & Drug Safety in the Community")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", org_views.home, name="home"),
    path("me/", org_views.me, name="me"),
    path("healthz/", healthz, name="healthz"),
    path("", include(pwa)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", org_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("patrols.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reporting.urls")),
    path("publicity/", include("publicity.urls")),
    path("assessment/", include("assessment.urls")),
    path("api/", include("patrols.api.urls")),
    path("api/auth/token/", TokenObtainView.as_view(), name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
