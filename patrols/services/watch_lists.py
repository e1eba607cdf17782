"""Publishing a district's red and black lists (§3): 黑名单定期向社会公布, the red list honoured.

A publication is a snapshot: the entries are copied as the register holds them at that moment, so
what the public read on a date stays what it was, whatever the register says later.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from orgs.models import OrgUnit, User
from patrols.governance import office_district
from patrols.models import Establishment, Status, WatchList, WatchListEntry, WatchListPublication


def can_publish_watch_lists(user: User, district: OrgUnit | None = None) -> bool:
    """The district office, for its own district only."""
    own = office_district(user)
    return own is not None and (district is None or district.pk == own.pk)


def listed_establishments(district: OrgUnit) -> QuerySet[Establishment]:
    """What a publication of the district would show now: its establishments on the red or black
    list, closed ones left out (they have no door to honour or to warn about)."""
    return (
        Establishment.objects.filter(
            community__parent=district, watch_list__in=[WatchList.RED, WatchList.BLACK]
        )
        .exclude(status=Status.CLOSED)
        .select_related("community")
        .order_by("watch_list", "name", "pk")
    )


@transaction.atomic
def watch_list_publish(*, user: User, district: OrgUnit) -> WatchListPublication:
    """Publish the district's lists as they stand now (the public page then shows this one first)."""
    if not can_publish_watch_lists(user, district):
        raise PermissionDenied
    publication = WatchListPublication.objects.create(
        district=district, published_at=timezone.now(), published_by=user
    )
    WatchListEntry.objects.bulk_create(
        WatchListEntry(
            publication=publication,
            watch_list=shop.watch_list,
            name=shop.name,
            address=shop.address,
            licence_no=shop.licence_no,
            community_name=shop.community.name,
            listed_on=shop.watch_listed_on,
            reason=shop.watch_list_reason,
        )
        for shop in listed_establishments(district).iterator()
    )
    return publication
