"""A decision waits for the event lock only so long, then tells the organiser to try again."""

import time

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, Registration
from conference.models import RegistrationStatus as Status
from conference.services import locks
from tests.environment import on_postgres
from tests.factories import register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL (set TEST_DATABASE_URL)"),
]


def test_a_decision_blocked_by_a_held_event_lock_answers_503_and_changes_nothing(
    client, auth, event, organiser, monkeypatch
):
    monkeypatch.setattr(locks, "LOCK_TIMEOUT", "300ms")
    registration = register(event, "anna@police.example")
    db.session.commit()
    auth.login(organiser.email)

    with db.engine.connect() as other_instance, other_instance.begin():
        other_instance.execute(sa.select(Event).where(Event.id == event.id).with_for_update())
        started = time.monotonic()
        response = client.post(
            f"/vgt-2014/organiser/registrations/{registration.reference}/approve"
        )
        waited = time.monotonic() - started

    assert response.status_code == 503
    assert "busy" in response.text
    assert 0.25 < waited < 5
    assert db.session.scalar(sa.select(Registration.status)) == Status.PENDING
