"""What users read off the registry, kept in the shared cache until the registry changes.

Two readers keep what they read: the registry API's pages, and the inspector's home
page (its figures and due list). What is kept is kept per user (their id and the
filter that scopes the registry to them, `registry_scope_q`) and per day (a visit
state is judged against today); an API page also per address (filters, ordering
and page; the links to the next and previous pages name the host).

It is valid while the registry's generation, a random token in the cache, stays
the one it was built under. Every saved or deleted establishment or org unit draws
a new token (connected in PatrolsConfig.ready): when it is saved, for the rest of
its own transaction, and again when the transaction commits, so that what was read
from the data before the commit is not kept under the token that follows it.

Every process that saves establishments must share the cache (settings.REGISTRY_CACHE).
A write that bypasses `save()` (`QuerySet.update()`, bulk inserts, raw SQL, a
restore) is not seen: it must call `registry_changed()`, or what was kept lasts
`KEPT_SECONDS` at most.

The generation and the kept value are read in one round trip to the cache.
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
from django.http import HttpRequest

from patrols.models.establishments import registry_scope_q

GENERATION_KEY = "registry:generation"
KEPT_SECONDS = 300

T = TypeVar("T")


def registry_changed(**kwargs: Any) -> None:
    """What was kept before now is out of date; a signal receiver, or called by hand."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> str:
    token = secrets.token_hex(8)
    cache.set(GENERATION_KEY, token, timeout=None)
    return token


def kept(user, *, what: str, today: dt.date, build: Callable[[], T]) -> T:
    """`build()`'s value, read by `user` today, from the cache while the registry has not changed.

    `what` names the value among the user's; it must say everything else the value depends on.
    Without settings.REGISTRY_CACHE (several processes and no shared cache) nothing is kept.
    """
    if not settings.REGISTRY_CACHE:
        return build()
    # The user's area is named by the very filter that scopes the registry to them: a user
    # moved to another unit or given another role does not get what was read in the old one.
    area = repr(registry_scope_q(user))
    digest = hashlib.sha256(f"{area}\n{what}".encode()).hexdigest()[:32]
    key = f"registry:kept:{user.pk}:{today.isoformat()}:{digest}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # The cache lost the token (a restart, an eviction): what was kept under any other is stale.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    elif key in found and found[key][0] == generation:
        return found[key][1]
    value = build()
    cache.set(key, (generation, value), timeout=KEPT_SECONDS)
    return value


def cached_page(request: HttpRequest, *, shape: str, today: dt.date, build: Callable[[], T]) -> T:
    """The API page the request asks for, kept while the registry has not changed.

    `shape` names what a page holds (its serializer's fields), so that a page of one
    release is not served by another that shows other fields.
    """
    return kept(request.user, what=f"page\n{shape}\n{request.build_absolute_uri()}", today=today, build=build)
