"""The red and black lists: the district office's page to publish them, and the public page per district."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orgs.models import OrgUnit
from patrols.models import WatchListPublication
from patrols.services.watch_lists import can_publish_watch_lists, listed_establishments, watch_list_publish

# How many earlier publications the public page links to.
EARLIER_PUBLICATIONS = 24


@login_required
@require_GET
def watch_list_office(request):
    """The district's lists as they stand, what was published, and the button to publish now."""
    if not can_publish_watch_lists(request.user):
        raise PermissionDenied
    district = request.user.org_unit
    return render(
        request,
        "patrols/watch_lists.html",
        {
            "district": district,
            "listed": listed_establishments(district),
            "publications": WatchListPublication.objects.filter(district=district).select_related(
                "published_by"
            )[:EARLIER_PUBLICATIONS],
        },
    )


@login_required
@require_POST
def watch_list_publish_view(request):
    if not can_publish_watch_lists(request.user):
        raise PermissionDenied
    publication = watch_list_publish(user=request.user, district=request.user.org_unit)
    messages.success(
        request,
        _("The red and black lists were published with %(count)d entries.")
        % {"count": publication.entries.count()},
    )
    return redirect("patrols:watch_lists")


def _public_district(code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.districts(), code=code)


@require_GET
def public_watch_lists(request, code: str, pk: int | None = None):
    """Anyone may read a district's published lists: the latest, or an earlier one by its number.
    Only what was published is shown; the register itself never is."""
    district = _public_district(code)
    publications = WatchListPublication.objects.filter(district=district)
    publication = get_object_or_404(publications, pk=pk) if pk is not None else publications.first()
    entries = list(publication.entries.all()) if publication else []
    return render(
        request,
        "public/watch_lists.html",
        {
            "district": district,
            "publication": publication,
            "black": [e for e in entries if e.watch_list == "black"],
            "red": [e for e in entries if e.watch_list == "red"],
            "publications": publications.only("pk", "published_at", "district_id")[:EARLIER_PUBLICATIONS],
        },
    )


urlpatterns = [
    path("watch-lists/", watch_list_office, name="watch_lists"),
    path("watch-lists/publish/", watch_list_publish_view, name="watch_list_publish"),
    path("public/lists/<str:code>/", public_watch_lists, name="public_watch_lists"),
    path("public/lists/<str:code>/<int:pk>/", public_watch_lists, name="public_watch_list_publication"),
]
