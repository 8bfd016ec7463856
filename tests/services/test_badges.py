"""Badges: issued once per approved registration, the role they say, revoked and reissued."""

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    Badge,
    BadgeRole,
    Speaker,
    SpeakerRole,
    TeamMember,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.errors import InvalidTransition
from conference.services.on_site import badges
from conference.services.on_site.badges import BadgeNotAvailable
from conference.services.registration import workflow
from tests.environment import counting_queries
from tests.factories import approved, local, make_organiser, register, session


def test_an_approved_registration_has_one_badge_that_stays_the_same(app, event):
    anna = approved(event, "anna@police.example")

    first = badges.badge_of(anna, actor=None)
    again = badges.badge_of(anna, actor=None)

    assert first.id == again.id
    assert badges.token_of(first) == badges.token_of(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Badge)) == 1
    issued = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "badge.issued"))
    assert [e.object_id for e in issued] == [anna.id]


def test_the_token_is_unguessable_and_names_nothing_of_the_delegate(app, event):
    anna = approved(event, "anna@police.example")
    token = badges.token_of(badges.badge_of(anna, actor=None))

    assert len(token) >= 26 and token.isalnum() and token.isupper()
    for secret in (str(anna.id), anna.reference, anna.user.email.upper()):
        assert secret not in token
    assert token not in str(db.session.execute(sa.select(Badge.__table__)).all())


def test_a_registration_that_is_not_approved_has_no_badge(app, event):
    pending = register(event, "pending@police.example")

    with pytest.raises(BadgeNotAvailable, match="pending"):
        badges.badge_of(pending, actor=None)


def test_the_badge_says_what_its_bearer_is(app, event):
    delegate, speaker, chair, organiser = (
        approved(event, f"{n}@police.example") for n in ("dana", "sam", "chris", "olga")
    )
    db.session.add(TeamMember(event_id=event.id, user_id=organiser.user_id, role="organiser"))
    on_stage = []
    for registration, role in ((speaker, SpeakerRole.SPEAKER), (chair, SpeakerRole.CHAIR)):
        person = Speaker(event=event, name=registration.user.name, user=registration.user)
        on_stage.append((person, role))
    session(
        event, "Opening", starts=local(5, 9), ends=local(5, 10), kind="plenary", speakers=on_stage
    )

    issued = badges.badges_of([delegate, speaker, chair, organiser], actor=None)

    assert [b.role for b in issued] == [
        BadgeRole.DELEGATE,
        BadgeRole.SPEAKER,
        BadgeRole.CHAIR,
        BadgeRole.ORGANISER,
    ]


def test_many_badges_are_issued_with_a_fixed_number_of_reads_and_one_insert(app, event):
    registrations = [approved(event, f"d{n}@police.example") for n in range(30)]

    with counting_queries() as queries:
        issued = badges.badges_of(registrations, actor=None)

    assert [b.registration_id for b in issued] == [r.id for r in registrations]
    assert len([q for q in queries if q.startswith("SELECT")]) <= 4
    assert len([q for q in queries if q.startswith("INSERT INTO badge")]) == 1


def test_a_revoked_badge_is_no_longer_valid_and_the_next_one_is_new(app, event):
    anna = approved(event, "anna@police.example")
    organiser = make_organiser(event)
    lost = badges.badge_of(anna, actor=organiser)
    lost_token = badges.token_of(lost)

    badges.revoke_badge(anna, actor=organiser, reason="Lost on the tram")
    new = badges.badge_of(anna, actor=organiser)

    assert not lost.is_valid and lost.revoked_reason == "Lost on the tram"
    assert new.id != lost.id and badges.token_of(new) != lost_token
    assert badges.badge_with_token(lost_token).id == lost.id  # found, so the desk can refuse it
    history = badges.history(anna)
    assert history.valid.id == new.id and [b.id for b in history.revoked] == [lost.id]
    revoked = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "badge.revoked"))
    assert [e.details["reason"] for e in revoked] == ["Lost on the tram"]


def test_reissuing_revokes_the_old_badge_and_can_change_its_role(app, event):
    anna = approved(event, "anna@police.example")
    organiser = make_organiser(event)
    old = badges.badge_of(anna, actor=organiser)

    new = badges.reissue_badge(anna, actor=organiser, reason="Press", role=BadgeRole.PRESS)

    assert not old.is_valid and new.is_valid and new.role == BadgeRole.PRESS


def test_revoking_when_there_is_no_badge_is_refused(app, event):
    anna = approved(event, "anna@police.example")

    with pytest.raises(InvalidTransition):
        badges.revoke_badge(anna, actor=make_organiser(event), reason="Lost")


def test_an_unknown_token_finds_no_badge(app, event):
    badges.badge_of(approved(event, "anna@police.example"), actor=None)

    assert badges.badge_with_token("NOTATOKEN") is None


def test_an_approved_registration_later_cancelled_has_no_badge_to_print(app, event):
    anna = approved(event, "anna@police.example")
    workflow.change_status(anna, Status.CANCELLED, actor=None, now=utcnow())

    with pytest.raises(BadgeNotAvailable, match="cancelled"):
        badges.badge_of(anna, actor=None)
