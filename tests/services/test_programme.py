"""Publishing the programme: the public reads a frozen snapshot, in one query."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    ProgrammeSession,
    Room,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    Track,
)
from conference.services.errors import AlreadyDone
from conference.services.programme import publishing
from tests.environment import counting_queries
from tests.factories import make_event, make_organiser


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on the conference's days, 5 or 6 November 2014, in UTC (Amsterdam is +1)."""
    return datetime(2014, 11, day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def draft(event):
    auditorium = Room(event=event, name="Auditorium", capacity=180, position=0)
    amstel = Room(event=event, name="Amstel room", capacity=35, position=1)
    track = Track(event=event, name="Victim identification", colour="teal")
    europol = event.organisations[1].organisation
    speaker = Speaker(event=event, name="Piotr Kowalski", title="Analyst", organisation=europol)
    unused = Speaker(event=event, name="Not On The Programme", organisation_other="Nowhere")
    workshop = ProgrammeSession(
        event=event,
        title="Finding the child",
        kind=SessionKind.WORKSHOP,
        starts_at=at(5, 13, 30),
        ends_at=at(5, 15),
        room=amstel,
        track=track,
        capacity=25,
    )
    workshop.speakers = [SessionSpeaker(speaker=speaker, role=SpeakerRole.SPEAKER)]
    opening = ProgrammeSession(
        event=event,
        title="Opening",
        kind=SessionKind.PLENARY,
        starts_at=at(5, 9),
        ends_at=at(5, 9, 30),
        room=auditorium,
    )
    # At the same time as the workshop, in the first room: listed before it.
    panel = ProgrammeSession(
        event=event,
        title="Panel",
        kind=SessionKind.PANEL,
        starts_at=at(5, 13, 30),
        ends_at=at(5, 14, 30),
        room=auditorium,
    )
    db.session.add_all([speaker, unused, workshop, opening, panel])
    db.session.flush()
    return workshop


def test_nothing_is_public_before_the_first_publication(event, draft):
    assert publishing.published_programme(event) is None
    assert publishing.has_unpublished_changes(event)


def test_publishing_freezes_the_programme_as_the_public_sees_it(event, organiser, draft):
    version = publishing.publish(event, actor=organiser)
    assert version.number == 1
    assert not publishing.has_unpublished_changes(event)

    published = publishing.published_programme(event)
    assert published.version == 1
    assert [s.title for s in published.sessions] == ["Opening", "Panel", "Finding the child"]
    assert published.days == [event.starts_on, event.ends_on]
    assert [r.name for r in published.rooms] == ["Auditorium", "Amstel room"]
    workshop = published.session(draft.id)
    assert workshop.needs_signup and workshop.capacity == 25
    assert workshop.starts_at == at(5, 13, 30)
    assert published.local(workshop.starts_at).strftime("%H:%M") == "13:30"
    assert published.track(workshop.track_id).name == "Victim identification"
    (part,) = workshop.appearances
    assert part.role == SpeakerRole.SPEAKER
    assert published.speaker(part.speaker_id).organisation == "Europol"
    # Only people with a part in a session are published.
    assert [s.name for s in published.speakers] == ["Piotr Kowalski"]
    assert published.sessions_of(part.speaker_id) == [workshop]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "programme.published")
    )
    assert entry.one().details["version"] == 1


def test_later_edits_stay_a_draft_until_published_again(event, organiser, draft):
    publishing.publish(event, actor=organiser)
    draft.title = "Finding the child: victim identification from images"
    db.session.flush()
    assert publishing.has_unpublished_changes(event)
    assert publishing.published_programme(event).session(draft.id).title == "Finding the child"

    publishing.publish(event, actor=organiser)
    published = publishing.published_programme(event)
    assert published.version == 2
    assert published.session(draft.id).title.endswith("from images")


def test_the_same_moment_written_in_another_offset_is_no_change(event, organiser):
    """Times typed in Amsterdam's clock and read back from the database in UTC are one moment:
    the public would see nothing new."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    coffee = ProgrammeSession(
        event=event,
        title="Coffee",
        kind=SessionKind.BREAK,
        starts_at=datetime(2014, 11, 5, 15, 45, tzinfo=amsterdam),
        ends_at=datetime(2014, 11, 5, 16, 15, tzinfo=amsterdam),
    )
    db.session.add(coffee)
    db.session.flush()
    version = publishing.publish(event, actor=organiser)
    # As an earlier publication may have stored them: in the offset they were typed in.
    version.content = {
        **version.content,
        "sessions": [
            {**s, "starts_at": "2014-11-05T15:45:00+01:00", "ends_at": "2014-11-05T16:15:00+01:00"}
            for s in version.content["sessions"]
        ],
    }
    db.session.commit()
    db.session.expire_all()  # the draft read back from the database, in UTC

    assert coffee.starts_at.isoformat() == "2014-11-05T14:45:00+00:00"
    assert not publishing.has_unpublished_changes(event)
    with pytest.raises(AlreadyDone):
        publishing.publish(event, actor=organiser)

    coffee.starts_at = datetime(2014, 11, 5, 15, 30, tzinfo=amsterdam)
    db.session.flush()
    assert publishing.has_unpublished_changes(event)


def test_a_snapshot_keeps_its_moments_in_utc(event, organiser):
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # Held here, so that publishing reads the moments as typed, not afresh from the database.
    typed = ProgrammeSession(
        event=event,
        title="Coffee",
        kind=SessionKind.BREAK,
        starts_at=datetime(2014, 11, 5, 15, 45, tzinfo=amsterdam),
        ends_at=datetime(2014, 11, 5, 16, 15, tzinfo=amsterdam),
    )
    db.session.add(typed)
    db.session.flush()

    (coffee,) = publishing.publish(event, actor=organiser).content["sessions"]

    assert typed.starts_at.utcoffset().total_seconds() == 3600
    assert (coffee["starts_at"], coffee["ends_at"]) == (
        "2014-11-05T14:45:00+00:00",
        "2014-11-05T15:15:00+00:00",
    )


def test_reading_the_published_programme_is_one_query(event, organiser, draft):
    publishing.publish(event, actor=organiser)
    db.session.commit()
    db.session.expire_all()
    db.session.refresh(event)  # as a request has it: the event is loaded from its URL
    with counting_queries() as queries:
        published = publishing.published_programme(event)
        assert len(published.sessions) == 3
    assert len(queries) == 1
