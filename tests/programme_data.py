"""Publishing a programme built by `tests.factories.build_programme`, for tests and benchmarks."""

from conference.extensions import db
from conference.models import Event, User
from conference.services.programme import publishing


def publish(event: Event, organiser: User) -> int:
    """Publishes the programme as it stands and commits; the version's number."""
    version = publishing.publish(event, actor=organiser)
    db.session.commit()
    return version.number
