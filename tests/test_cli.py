"""The flask commands: demo data and organiser accounts."""

import itertools
from collections import Counter
from types import SimpleNamespace

import sqlalchemy as sa

from conference.demo import COUNTRIES, DEMO_ORGANISER_EMAIL, INVITEES, PARTNERS
from conference.demo_programme import SESSIONS
from conference.extensions import db
from conference.models import (
    AuditEntry,
    Event,
    Invitation,
    Organisation,
    ProgrammeSession,
    ProgrammeVersion,
    Registration,
    RegistrationStatus,
    SessionKind,
    User,
)
from conference.services.people.accounts import authenticate
from conference.services.programme import publishing
from conference.services.registration import workflow


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_loads_the_vgt_conference_and_is_idempotent(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"Demo organiser: {DEMO_ORGANISER_EMAIL}" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    assert (event.slug, event.capacity, event.approval_required) == ("vgt-2014", 150, True)
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2014-11-05", "2014-11-06")
    assert event.city == "Amsterdam"
    assert event.host.name == "Dutch National Police"
    assert len(event.partners) == 11 == len(PARTNERS)
    assert {"FBI", "Europol", "Interpol", "Facebook", "ECPAT", "NCMEC"} <= {
        link.organisation.short_name for link in event.partners
    }
    assert all(link.organisation.kind and link.organisation.country for link in event.partners)
    assert len(set(event.participating_countries)) == 18
    assert count(Organisation) == 12
    assert count(User) == 1
    assert count(Invitation) == len(INVITEES)  # invited once, not again on the second run
    assert count(ProgrammeSession) == len(SESSIONS)
    assert count(ProgrammeVersion) == 1


def test_the_demo_programme_is_published_over_both_days(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    published = publishing.published_programme(event)
    assert [len(published.sessions_on(day)) for day in published.days] == [15, 11]
    assert {s.kind for s in published.sessions} == set(SessionKind)
    workshops = [s for s in published.sessions if s.kind == SessionKind.WORKSHOP]
    assert len(workshops) == 9 and all(s.capacity for s in workshops)
    assert len(published.tracks) == 6 and len(published.rooms) == 4
    opening = published.sessions[1]
    assert opening.title == "Opening of the conference"
    assert published.local(opening.starts_at).strftime("%d %b %H:%M %z") == "05 Nov 09:15 +0100"
    europol = next(s for s in published.speakers if s.name == "Piotr Kowalski")
    assert europol.organisation == "Europol"
    db.session.expire_all()  # read back as stored: the public sees what the timetable holds
    assert not publishing.has_unpublished_changes(event)


def test_seed_demo_adds_delegates_across_statuses_and_countries(runner, app):
    assert runner.invoke(args=["seed-demo", "--delegates", "120"]).exit_code == 0
    assert runner.invoke(args=["seed-demo", "--delegates", "120"]).exit_code == 0
    registrations = db.session.scalars(sa.select(Registration)).all()
    assert len(registrations) == 120
    statuses = Counter(r.status for r in registrations)
    assert set(statuses) == set(RegistrationStatus)
    assert {r.country for r in registrations} == set(COUNTRIES)
    assert len({r.organisation_id for r in registrations}) > 5
    # Each carries its history, as if decided by the demo organiser.
    entries = Counter(
        db.session.scalars(
            sa.select(AuditEntry.object_id).where(AuditEntry.object_type == "registration")
        ).all()
    )
    for registration in registrations:
        decided = registration.status != RegistrationStatus.PENDING
        assert entries[registration.id] == (2 if decided else 1)
        if registration.status == RegistrationStatus.APPROVED:
            assert registration.decided_by.email == DEMO_ORGANISER_EMAIL


def test_seed_demo_never_approves_past_the_capacity(runner, app):
    assert runner.invoke(args=["seed-demo", "--delegates", "400"]).exit_code == 0
    approved = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.APPROVED)
    )
    assert approved == 150


def test_seed_demo_refuses_production(runner, app):
    app.config["CONFERENCE_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "does not run with CONFERENCE_ENV=production" in result.output


def test_create_organiser_asks_for_the_password(runner, app):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["create-organiser", "Ruud@Politie.example"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = authenticate("ruud@politie.example", "a long enough password")
    assert user.organises(db.session.scalars(sa.select(Event)).one())


def test_create_organiser_can_generate_and_print_the_password_once(runner, app):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["create-organiser", "ruud@politie.example", "--generate-password"])
    password = result.output.split("Password (shown once): ")[1].strip()
    assert authenticate("ruud@politie.example", password)


def test_create_organiser_refuses_a_short_password_and_a_missing_event(runner, app):
    result = runner.invoke(args=["create-organiser", "x@politie.example", "--password", "x" * 20])
    assert "No such event" in result.output and result.exit_code != 0
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["create-organiser", "x@politie.example", "--password", "short"])
    assert "at least 12 characters" in result.output and result.exit_code != 0
    assert count(User) == 1


def test_seed_demo_gives_every_delegate_of_one_batch_a_reference_of_its_own(
    runner, app, monkeypatch
):
    """Each reference code is drawn twice in a row, as chance may draw it: the second draw
    must be refused although the first is not in the database yet."""
    draws = itertools.count()

    def choice(alphabet: str) -> str:
        return alphabet[next(draws) // 12 % len(alphabet)]  # AAAAAA, AAAAAA, BBBBBB, ...

    monkeypatch.setattr(workflow, "secrets", SimpleNamespace(choice=choice))
    result = runner.invoke(args=["seed-demo", "--delegates", "5"])
    assert result.exit_code == 0, result.output
    references = db.session.scalars(sa.select(Registration.reference)).all()
    assert sorted(references) == [f"VGT14-{letter * 6}" for letter in "ABCDE"]
