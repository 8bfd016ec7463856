"""The published programme, read once per version by each app process.

A published version never changes (publishing again makes a new one and points the event at
it), so a process may keep what it read, and what it rendered from it, per version.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

from conference.models import Event
from conference.services.programme.publishing import Programme, published_programme


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
    # Not setdefault alone: it would build a cache and its lock on every call, three a page.
    found = caches.get(name)
    return found if found is not None else caches.setdefault(name, VersionCache())


def current_programme(event: Event) -> tuple[Programme | None, tuple | None]:
    """The programme the public sees, and its version's key for caching what is made from it.

    The same as `programme.published_programme`, but read from the database only when the
    version is new to this process. The event row, loaded for every request, names the version:
    a new publication shows at once, in every app instance.
    """
    if event.programme_version is None:
        return None, None
    key = (event.id, event.programme_version)
    return version_cache("programmes").get(key, lambda: published_programme(event)), key
