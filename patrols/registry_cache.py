"""What users read off the registry, kept in the shared cache until the registry changes.

Two readers keep what they read: the registry API's pages, and the inspector's home
page (its figures and due list). What is kept is kept per user (their id and the
filter that scopes the registry to them, `registry_scope_q`) and per day (a visit
state is judged against today); an API page also per address (filters, ordering
and page; the links to the next and previous pages name the host).

It is valid while two generations, random tokens in the cache, stay the ones it was
built under:
- the area's, of the user's own unit: an establishment saved or deleted draws a new
  one for its community and every unit above it, so a visit recorded in one
  community leaves what is kept in the others as it was;
- the registry's, for changes whose reach is not one area: an org unit saved or
  deleted (a name shown, a community moved), an establishment saved whole (it may
  have moved to another community), or `registry_changed()` called by hand.
A new token is drawn when the change is saved, for the rest of its own transaction,
and again when the transaction commits, so that what was read from the data before
the commit is not kept under the token that follows it. The receivers are connected
in PatrolsConfig.ready.

Every process that saves establishments must share the cache (settings.REGISTRY_CACHE).
A write that bypasses `save()` (`QuerySet.update()`, bulk inserts, raw SQL, a
restore) is not seen: it must call `registry_changed()`, or what was kept lasts
`KEPT_SECONDS` at most.

The generations and the kept value are read in one round trip to the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpRequest

from orgs.models import OrgUnit
from patrols.models.establishments import Establishment, registry_scope_q

GENERATION_KEY = "registry:generation"
AREA_GENERATION_KEY = "registry:generation:area:{path}"
KEPT_SECONDS = 300

T = TypeVar("T")


def registry_changed(**kwargs: Any) -> None:
    """Everything kept before now is out of date; a signal receiver, or called by hand."""
    renew_generations([GENERATION_KEY])


def establishment_changed(
    sender, instance, signal=None, created: bool = False, update_fields=None, **kwargs
) -> None:
    """An establishment was saved or deleted: what was kept of its community and above is out of date."""
    if signal is post_save and not created and (update_fields is None or "community" in update_fields):
        # Saved whole, it may have left another community, whose kept pages still list it.
        registry_changed()
        return
    if Establishment.community.is_cached(instance):
        path = instance.community.path
    else:
        path = OrgUnit.objects.filter(pk=instance.community_id).values_list("path", flat=True).first() or ""
    renew_generations([AREA_GENERATION_KEY.format(path=area) for area in _areas_above(path)])


def _areas_above(path: str) -> list[str]:
    """The unit's path and those of the units above it, down from the root's "" (all of the registry)."""
    codes = [code for code in path.split("/") if code]
    return ["", *("/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes)))]


def renew_generations(keys: list[str]) -> None:
    """New tokens for these generations, at once and again when the transaction commits."""
    _renew(keys)
    transaction.on_commit(lambda: _renew(keys))


def _renew(keys: list[str]) -> None:
    cache.set_many(dict.fromkeys(keys, secrets.token_hex(8)), timeout=None)


def _area(user) -> str:
    """The path of the unit whose registry the user reads; "" for all of it."""
    unit = user.org_unit
    return "" if user.is_superuser or unit is None else unit.path


def kept(user, *, what: str, today: dt.date, build: Callable[[], T]) -> T:
    """`build()`'s value, read by `user` today, from the cache while the registry has not changed.

    `what` names the value among the user's; it must say everything else the value depends on.
    Without settings.REGISTRY_CACHE (several processes and no shared cache) nothing is kept.
    """
    if not settings.REGISTRY_CACHE:
        return build()
    # The user's area is named by the very filter that scopes the reading to them: a user
    # moved to another unit or given another role does not get what was read in the old one.
    area = repr(registry_scope_q(user))
    digest = hashlib.sha256(f"{area}\n{what}".encode()).hexdigest()[:32]
    key = f"registry:kept:{user.pk}:{today.isoformat()}:{digest}"
    generations = [GENERATION_KEY, AREA_GENERATION_KEY.format(path=_area(user))]
    found = cache.get_many([*generations, key])
    current = tuple(found.get(name) for name in generations)
    if None in current:
        # The cache lost a token (a restart, an eviction): what was kept under any other is stale.
        for name in generations:
            cache.add(name, secrets.token_hex(8), timeout=None)
        current = tuple(cache.get_many(generations).get(name) for name in generations)
    elif key in found and found[key][0] == current:
        return found[key][1]
    value = build()
    cache.set(key, (current, value), timeout=KEPT_SECONDS)
    return value


def cached_page(request: HttpRequest, *, shape: str, today: dt.date, build: Callable[[], T]) -> T:
    """The API page the request asks for, kept while the registry has not changed.

    `shape` names what a page holds (its serializer's fields), so that a page of one
    release is not served by another that shows other fields.
    """
    return kept(request.user, what=f"page\n{shape}\n{request.build_absolute_uri()}", today=today, build=build)
