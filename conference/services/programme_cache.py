"""The published programme, read once per version by each app process.

A published version never changes (publishing again makes a new one), so a process may keep
what it read and reuse it until a newer version appears. Every call still asks the database
which version is the newest, in one small query that leaves the snapshot itself unread: a new
publication shows at once, in every app instance.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from conference.extensions import db
from conference.models import Event, ProgrammeVersion
from conference.services.programme import Programme, published_programme


class VersionCache:
    """A small least-recently-used store, safe to share between a process's threads."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two threads may both make it, and agree
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def version_cache(name: str) -> VersionCache:
    """The app's cache called `name` (one per app, so tests with fresh apps start empty)."""
    caches = current_app.extensions.setdefault("programme_caches", {})
    return caches.setdefault(name, VersionCache())


_versions = ProgrammeVersion.__table__
# Built once: this runs on every public programme request, and building it cost as much as
# running it.
_NEWEST_VERSION = (
    sa.select(_versions.c.number, _versions.c.published_at)
    .where(_versions.c.event_id == sa.bindparam("event_id"))
    .order_by(_versions.c.number.desc())
    .limit(1)
)


def newest_version_key(event: Event) -> tuple | None:
    """What identifies the newest published version, without reading its content."""
    row = db.session.connection().execute(_NEWEST_VERSION, {"event_id": event.id}).first()
    if row is None:
        return None
    return (event.id, row.number, row.published_at)


def current_programme(event: Event) -> tuple[Programme | None, tuple | None]:
    """The programme the public sees, and its version's key for caching what is made from it.

    The same as `programme.published_programme`, but read from the database only when the
    version is new to this process.
    """
    key = newest_version_key(event)
    if key is None:
        return None, None
    found = version_cache("programmes").get(key, lambda: published_programme(event))
    if found is None or found.version != key[1]:  # published again in between: read it now
        return published_programme(event), None
    return found, key
