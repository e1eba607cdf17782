"""Pages of the registry API, kept in the shared cache until the registry or the org tree changes.

A page is kept per user (their id and whatever decides their area), per address
(filters, ordering and page; the links to the next and previous pages name the
host) and per day (a row's visit state is judged against today). It is valid
while the registry's generation, a random token in the cache, stays the one it
was built under. Every saved or deleted establishment draws a new token
(connected in PatrolsConfig.ready): when it is saved, for the rest of its own
transaction, and again when the transaction commits, so that a page read from
the data before the commit is not kept under the token that follows it. Org
units do not move (their code and parent are fixed once created), so which
rows a user sees changes only with the rows themselves.

A write that bypasses `save()` (`QuerySet.update()`, bulk inserts, raw SQL, a
restore) is not seen: it must call `registry_changed()`, or its pages last
`PAGE_SECONDS` at most.

The generation and the page are read in one round trip to the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

GENERATION_KEY = "registry:generation"
PAGE_SECONDS = 300


def registry_changed(**kwargs: Any) -> None:
    """Pages built before now are out of date; a signal receiver, or called by hand."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> str:
    token = secrets.token_hex(8)
    cache.set(GENERATION_KEY, token, timeout=None)
    return token


def cached_page(request: HttpRequest, *, shape: str, today: dt.date, build: Callable[[], Any]) -> Any:
    """The page the request asks for, from the cache when it is still valid, otherwise `build()`.

    `shape` names what a page holds (its serializer's fields), so that a page of one
    release is not served by another that shows other fields.
    """
    key = _page_key(request, shape=shape, today=today)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # The cache lost the token (a restart, an eviction): pages kept under any other are stale.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    elif key in found and found[key][0] == generation:
        return found[key][1]
    data = build()
    cache.set(key, (generation, data), timeout=PAGE_SECONDS)
    return data


def _page_key(request: HttpRequest, *, shape: str, today: dt.date) -> str:
    user = request.user
    # The user's area depends on their unit, role and superuser flag (orgs.models.scope_q):
    # a user moved to another unit does not get the pages of the old one.
    who = f"{user.pk}:{user.org_unit_id}:{user.role}:{int(user.is_superuser)}"
    what = hashlib.sha256(f"{shape}\n{request.build_absolute_uri()}".encode()).hexdigest()[:32]
    return f"registry:page:{who}:{today.isoformat()}:{what}"
