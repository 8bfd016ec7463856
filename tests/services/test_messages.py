"""Messages to a group: the group is the registration list's filter, counted before sending;
a test goes to the organiser alone; each delegate gets their own copy, once."""

import pytest

from conference.extensions import db
from conference.models import Message, MessageState
from conference.services.errors import AlreadyDone, InvalidEmailText, NotAllowed
from conference.services.mail import messages, outbox
from conference.services.mail.messages import GroupChanged
from conference.services.registration.listing import RegistrationFilter, registrations_query
from tests.environment import audited, counting_queries, row_count
from tests.factories import make_event, make_organiser, register
from tests.message_helpers import copies_of, delegates, emails_of

BATCH = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def world(app):
    event = make_event()
    organiser = make_organiser(event)
    people = delegates(event, organiser)
    db.session.commit()
    return event, organiser, people


def names_in(event, filters: RegistrationFilter) -> list[str]:
    return [registration.user.name for registration in messages.recipients(event, filters)]


GROUPS = [
    ({"status": "approved"}, ["Anna Peeters", "Bram de Vries", "Dirk Janssens"]),
    ({"status": "pending"}, ["Carla Jones"]),
    ({"country": "NL"}, ["Bram de Vries"]),
    ({"kind": "intergovernmental"}, ["Bram de Vries"]),
    ({"tag": "VIP"}, ["Bram de Vries"]),
    # A confirmed place: Dirk is only on the waiting list.
    ({"workshop": "Live streaming"}, ["Bram de Vries"]),
    ({"workshop_chosen": True}, ["Bram de Vries"]),
    ({"workshop_chosen": False}, ["Anna Peeters", "Carla Jones", "Dirk Janssens"]),
    ({"status": "approved", "workshop_chosen": False}, ["Anna Peeters", "Dirk Janssens"]),
    ({"checked_in": True}, ["Bram de Vries"]),
    ({"checked_in": False}, ["Anna Peeters", "Carla Jones", "Dirk Janssens"]),
    ({}, ["Anna Peeters", "Bram de Vries", "Carla Jones", "Dirk Janssens"]),
]


@pytest.mark.parametrize(("group", "names"), GROUPS, ids=[str(g) for g, _ in GROUPS])
def test_each_filter_of_the_group_reaches_exactly_its_delegates(world, group, names):
    event, _, people = world
    group = dict(group)
    if "tag" in group:
        group["tag"] = people.vip.id
    if "workshop" in group:
        group["workshop"] = people.live_streaming.id
    filters = RegistrationFilter(**group)
    assert names_in(event, filters) == names
    assert messages.reach(event, filters).count == len(names)
    # Stored with a message and read back, the group is the same group.
    assert RegistrationFilter.from_args(filters.as_args()) == filters


def test_the_registration_list_filters_by_the_same_new_fields(world):
    event, _, people = world
    query = registrations_query(event, RegistrationFilter(workshop=people.live_streaming.id))
    assert [r.reference for r in db.session.scalars(query)] == [people.bram.reference]


def test_the_count_shows_the_first_few_names_and_how_many_more(world):
    event, _, _ = world
    reach = messages.reach(event, RegistrationFilter())
    assert reach.count == 4 and reach.more == 0
    assert [r.user.name for r in reach.first][:2] == ["Anna Peeters", "Bram de Vries"]


def send(event, organiser, expected, *, filters=None, batch=BATCH, **words):
    return messages.send_message(
        event,
        subject=words.get("subject", "{event_short}: your hotel"),
        body=words.get("body", "Dear {name},\n\nBook by Friday.\n\nYour registration: {reference}"),
        filters=filters or RegistrationFilter(status="approved"),
        expected=expected,
        batch=batch,
        actor=organiser,
    )


def test_sending_gives_each_delegate_of_the_group_their_own_copy(world):
    event, organiser, people = world
    counted = messages.reach(event, RegistrationFilter(status="approved")).count
    message = send(event, organiser, counted)
    db.session.commit()
    copies = copies_of(message)
    assert len(copies) == counted == message.recipient_count == 3
    assert message.state == MessageState.SENT and message.sent_at is not None
    assert not message.is_reminder
    by_address = {copy.recipient: copy for copy in copies}
    for registration in (people.anna, people.bram, people.dirk):
        copy = by_address[registration.user.email]
        assert f"Dear {registration.user.name}," in copy.body_text
        assert registration.reference in copy.body_text
        assert copy.subject == "VGT 2014: your hotel"
        assert copy.kind == "message" and copy.event_id == event.id
        assert (copy.user_id, copy.registration_id) == (registration.user_id, registration.id)
        assert copy.message_id_header
    assert people.carla.user.email not in by_address  # pending: not in the group
    # Bram reads Dutch: his copy's placeholders are filled in Dutch.
    dutch = messages.copy_for("{country} {dates}", "{status}", people.bram)
    assert dutch.subject == "Nederland 5 en 6 november 2014" and dutch.text == "goedgekeurd\n"


def test_a_message_is_audited_once_with_its_count_not_once_per_recipient(world):
    event, organiser, _ = world
    message = send(event, organiser, 3)
    [entry] = audited("message.sent")
    assert entry.object_id == message.id and entry.actor_id == organiser.id
    assert entry.details["recipients"] == 3
    assert entry.details["filters"] == {"status": "approved"}


def test_the_same_send_twice_sends_the_message_once(world):
    event, organiser, _ = world
    send(event, organiser, 3)
    db.session.commit()
    with pytest.raises(AlreadyDone):
        send(event, organiser, 3)
    db.session.rollback()
    assert row_count(Message) == 1 and len(emails_of("message")) == 3
    send(event, organiser, 3, batch="f" * 32)  # another form: another message
    assert row_count(Message) == 2


def test_a_group_that_changed_since_its_count_is_not_sent_to_silently(world):
    event, organiser, people = world
    counted = messages.reach(event, RegistrationFilter(status="approved")).count
    people.carla.status = "approved"  # another organiser approves Carla meanwhile
    db.session.commit()
    with pytest.raises(GroupChanged, match="it now reaches 4 delegates, not 3"):
        send(event, organiser, counted)
    db.session.rollback()
    assert row_count(Message) == 0 and emails_of("message") == []


def test_an_unknown_placeholder_is_refused_and_nothing_is_sent(world):
    event, organiser, _ = world
    with pytest.raises(InvalidEmailText, match=r"no placeholder \{hotel\}") as refused:
        send(event, organiser, 3, body="Your hotel: {hotel}")
    assert refused.value.field == "body"
    with pytest.raises(InvalidEmailText, match="one line"):
        send(event, organiser, 3, subject="Hotel\nBcc: someone@example.org")
    assert row_count(Message) == 0 and emails_of("message") == []


def test_a_test_goes_to_the_organiser_alone_filled_with_the_first_recipient(world):
    event, organiser, people = world
    email = messages.send_test(
        event,
        subject="{event_short}: your hotel",
        body="Dear {name}, ({reference})",
        filters=RegistrationFilter(status="approved"),
        actor=organiser,
    )
    db.session.commit()
    assert email.recipient == organiser.email
    assert email.subject == "[Test] VGT 2014: your hotel"
    assert email.kind == "message_test" and email.message_id is None
    assert f"Dear Anna Peeters, ({people.anna.reference})" in email.body_text
    assert emails_of("message_test") == [email]
    assert emails_of("message") == [] and row_count(Message) == 0  # no delegate got anything


def test_a_test_needs_a_delegate_in_the_group_to_be_filled_with(world):
    event, organiser, _ = world
    with pytest.raises(NotAllowed, match="reaches nobody"):
        messages.send_test(
            event,
            subject="Hi",
            body="Hi",
            filters=RegistrationFilter(country="FR"),
            actor=organiser,
        )


def test_a_message_to_nobody_is_refused(world):
    event, organiser, _ = world
    with pytest.raises(NotAllowed, match="reaches nobody"):
        send(event, organiser, 0, filters=RegistrationFilter(country="FR"))


def test_the_message_list_counts_each_delivery_state(world):
    event, organiser, _ = world
    message = send(event, organiser, 3)
    db.session.commit()
    first, second, third = copies_of(message)
    outbox.mark_sent(first.id)
    second.gave_up_at, second.last_error = second.created_at, "550 mailbox unavailable"
    db.session.commit()
    assert messages.delivery_counts([message])[message.id] == {
        "sent": 1,
        "failed": 1,
        "waiting": 1,
    }
    assert messages.sent_messages(event) == [message]


def test_a_message_of_another_event_is_not_found(world):
    event, organiser, _ = world
    message = send(event, organiser, 3)
    other = make_event(slug="vgt-2015")
    assert messages.message_of(event, message.id) is message
    assert messages.message_of(other, message.id) is None


class _Discard:
    def write(self, text):
        pass

    def flush(self):
        pass


def test_a_message_to_hundreds_takes_the_same_few_reads_as_one_to_a_handful(app):
    """One query reads the whole group with each delegate's account and organisation: no
    query per recipient but each copy's insert."""
    event = make_event(capacity=1000)
    organiser = make_organiser(event)

    def reads_to_send(batch: str) -> int:
        db.session.commit()
        db.session.expire_all()
        count = messages.reach(event, RegistrationFilter()).count
        with counting_queries() as statements:
            send(event, organiser, count, filters=RegistrationFilter(), batch=batch)
            db.session.flush()
        return sum(not s.lstrip().upper().startswith("INSERT") for s in statements)

    few = [register(event, f"delegate{n}@police.example") for n in range(3)]
    assert len(few) == 3
    reads_for_three = reads_to_send("a" * 32)
    for n in range(3, 300):
        register(event, f"delegate{n}@police.example")
    assert reads_to_send("b" * 32) == reads_for_three
    assert len(emails_of("message")) == 3 + 300
