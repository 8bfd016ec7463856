"""Publishing the workshop tests' programme (its sessions and delegates: tests.factories)."""

from datetime import datetime

from conference.models import Event
from conference.services.programme import publishing
from tests.factories import publisher


def publish(event: Event, *, now: datetime | None = None):
    """Publishes the programme as it stands, by the same organiser each time; not committed."""
    return publishing.publish(event, actor=publisher(event), now=now)
