"""The organisers' registration list at scale: filters in the URL, sorting, bulk actions, tags
and notes, through the pages."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    Organisation,
    OutboxEmail,
    Registration,
    Tag,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.models.registration import registration_tag
from conference.services.registration import notes, tags
from tests.client import assert_redirects
from tests.environment import counting_queries
from tests.factories import make_event, make_organiser, register

LIST = "/vgt-2014/organiser/registrations"
BULK = "/vgt-2014/organiser/registrations/bulk"
TAGS = "/vgt-2014/organiser/tags"


def seed(event, count: int, **overrides) -> list[Registration]:
    start = utcnow() - timedelta(days=30)
    made = []
    for n in range(count):
        registration = register(event, f"delegate{n:03d}@police.example", **overrides)
        registration.created_at = start + timedelta(hours=n)
        made.append(registration)
    db.session.commit()
    return made


def status_of(registration) -> str:
    return db.session.scalar(
        sa.select(Registration.status).where(Registration.id == registration.id)
    )


def batch_of(page: str) -> str:
    return re.search(r'id="batch" name="batch" type="hidden" value="([0-9a-f]{32})"', page).group(1)


# --- filters and sorting -----------------------------------------------------------------------


def test_the_list_filters_by_country_organisation_kind_letter_and_diet(
    client, auth, event, organiser
):
    europol = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == "Europol")
    ).one()
    register(event, "anna@europol.example", organisation=europol, country="NL")
    register(event, "bert@garda.example", country="IE", invitation_letter_needed=True)
    register(event, "carla@fbi.example", country="US", dietary_needs="")
    db.session.commit()
    auth.login(organiser.email)

    def shown(**query):
        page = client.get(LIST, query_string=query)
        assert page.status_code == 200, query
        return {e for e in ("anna", "bert", "carla") if f"{e}@" in page.text}

    assert shown() == {"anna", "bert", "carla"}
    assert shown(country="IE") == {"bert"}
    assert shown(organisation=str(europol.id)) == {"anna"}
    assert shown(kind="intergovernmental") == {"anna"}
    assert shown(letter="yes") == {"bert"}
    assert shown(letter="no") == {"anna", "carla"}
    assert shown(dietary="no") == {"carla"}
    assert shown(dietary="yes", country="NL") == {"anna"}


def test_the_list_filters_by_tag(client, auth, event, organiser):
    first, second = seed(event, 2)
    speaker = tags.create_tag(event, "Speaker", "blue", actor=organiser)
    tags.add_tag(speaker, [second], actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST, query_string={"tag": speaker.id}).text
    assert second.user.email in page and first.user.email not in page
    assert 'class="badge tag-badge tag-blue">Speaker</span>' in page


@pytest.mark.parametrize(
    "query",
    [
        {"country": "ZZ"},
        {"organisation": "999"},
        {"kind": "criminal"},
        {"tag": "999"},
        {"letter": "maybe"},
        {"sort": "password_hash"},
        {"q": "x" * 201},
    ],
)
def test_a_filter_that_is_not_on_offer_is_a_400(client, auth, event, organiser, query):
    auth.login(organiser.email)
    assert client.get(LIST, query_string=query).status_code == 400


def test_an_empty_sort_is_the_default_order(client, auth, event, organiser):
    first, second = seed(event, 2)
    auth.login(organiser.email)
    page = client.get(LIST, query_string={"sort": ""}).text
    assert page.index(second.user.email) < page.index(first.user.email)  # newest first


def test_a_bulk_action_on_a_filter_not_on_offer_is_a_400(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    response = client.post(BULK + "?country=ZZ", data={"action": "approve", "scope": "all"})
    assert response.status_code == 400
    assert status_of(registration) == Status.PENDING


def test_the_column_headers_sort_the_list_and_keep_the_filter(client, auth, event, organiser):
    for name in ["carla", "anna", "bert"]:
        register(event, f"{name}@police.example")
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST, query_string={"sort": "name", "country": "BE"}).text
    assert page.index("anna@") < page.index("bert@") < page.index("carla@")
    assert 'aria-sort="ascending"' in page
    # The header now sorts the other way, and the filter comes along.
    assert 'href="/vgt-2014/organiser/registrations?country=BE&amp;sort=-name"' in page
    page = client.get(LIST, query_string={"sort": "-name"}).text
    assert page.index("carla@") < page.index("bert@") < page.index("anna@")
    assert 'aria-sort="descending"' in page


def test_the_pages_keep_the_filter_and_the_order(client, auth, event, organiser):
    seed(event, 55, country="IE")
    auth.login(organiser.email)
    page = client.get(LIST, query_string={"country": "IE", "sort": "name"}).text
    assert "Showing 1–50 of 55." in page
    assert 'href="/vgt-2014/organiser/registrations?country=IE&amp;sort=name&amp;page=2"' in page
    second = client.get(LIST, query_string={"country": "IE", "sort": "name", "page": 2}).text
    assert "Showing 51–55 of 55." in second
    assert "delegate054@police.example" in second


def add_many(event, count: int, tag: Tag) -> None:
    """`count` registrations straight into the tables, each with a tag: fast, for scale tests."""
    start = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    now = utcnow()
    user_ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"many{start + n}@police.example",
                "name": f"Delegate {start + n}",
                "password_hash": "not a hash",
                "created_at": now,
            }
            for n in range(count)
        ],
    ).all()
    registration_ids = db.session.scalars(
        sa.insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
        [
            {
                "event_id": event.id,
                "user_id": user_id,
                "reference": f"VGT14-M{user_id:06d}",
                "status": "pending",
                "organisation_other": "Cybercrime Unit",
                "country": "BE",
                "job_title": "Detective",
                "created_at": now - timedelta(seconds=n),
            }
            for n, user_id in enumerate(user_ids)
        ],
    ).all()
    db.session.execute(
        sa.insert(registration_tag),
        [{"registration_id": rid, "tag_id": tag.id} for rid in registration_ids],
    )
    db.session.commit()


def test_the_list_asks_the_database_as_often_for_10_registrations_as_for_10000(
    client, auth, event, organiser
):
    tag = tags.create_tag(event, "Speaker", "teal", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    add_many(event, 10, tag)
    query = {"sort": "name", "tag": str(tag.id)}
    client.get(LIST, query_string=query)  # warm up: nothing first-time counts
    with counting_queries() as few:
        small = client.get(LIST, query_string=query)
    add_many(event, 9990, tag)
    with counting_queries() as many:
        large = client.get(LIST, query_string=query)
    assert "Showing 1–10 of 10." in small.text
    assert "Showing 1–50 of 10000." in large.text
    assert large.text.count(">Speaker</span>") == 50
    assert len(few) == len(many), "\n".join(many)


# --- bulk actions --------------------------------------------------------------------------------


def test_bulk_approval_of_the_ticked_rows_fills_the_places_and_says_what_happened(
    client, auth, app
):
    event = make_event(capacity=2)
    organiser = make_organiser(event)
    made = seed(event, 3)
    auth.login(organiser.email)
    page = client.get(LIST, query_string={"status": "pending"}).text
    response = client.post(
        BULK + "?status=pending",
        data={
            "action": "approve",
            "scope": "selected",
            "selected": [r.reference for r in made],
            "batch": batch_of(page),
        },
    )
    assert_redirects(response, to=LIST + "?status=pending&sort=-registered")
    assert [status_of(r) for r in made] == ["approved", "approved", "waitlisted"]
    page = client.get(response.headers["Location"]).text
    assert "Approved 2 registrations. No place was left for 1 registration" in page


def test_a_replayed_bulk_form_does_nothing_twice(client, auth, event, organiser):
    made = seed(event, 2)
    auth.login(organiser.email)
    form = {"action": "waitlist", "scope": "all", "batch": batch_of(client.get(LIST).text)}
    client.post(BULK, data=form)
    replay = client.post(BULK, data=form)
    assert_redirects(replay, to=LIST + "?sort=-registered")
    assert "nothing was done twice" in client.get(replay.headers["Location"]).text
    assert [status_of(r) for r in made] == ["waitlisted", "waitlisted"]
    waitlisted = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.subject.contains("waiting list"))
    )
    assert waitlisted == 2


def test_every_field_on_the_list_page_has_an_id_of_its_own(client, auth, event, organiser):
    seed(event, 1)
    auth.login(organiser.email)
    ids = re.findall(r' id="([^"]+)"', client.get(LIST).text)
    assert len(ids) == len(set(ids))
    assert "bulk-tag" in ids and "tag" in ids


def test_bulk_tagging_every_match_of_a_filter(client, auth, event, organiser):
    belgians = seed(event, 3)
    register(event, "anna@europol.example", country="NL")
    visa = tags.create_tag(event, "Needs visa", "orange", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(
        BULK + "?country=BE",
        data={"action": "tag", "scope": "all", "tag": str(visa.id), "batch": "a" * 32},
    )
    assert_redirects(response, to=LIST + "?country=BE&sort=-registered")
    tagged = db.session.scalars(sa.select(registration_tag.c.registration_id)).all()
    assert sorted(tagged) == sorted(r.id for r in belgians)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "approve", "scope": "selected"}, "Tick at least one registration"),
        ({"action": "reject", "scope": "all"}, "Give the reason; each delegate will read it."),
        ({"action": "tag", "scope": "all"}, "Choose the tag to add."),
        ({"action": "untag", "scope": "all"}, "Choose the tag to remove."),
        ({"action": "approve", "scope": "selected", "selected": "X" * 21}, "not a reference"),
    ],
)
def test_an_incomplete_bulk_form_comes_back_with_its_message(
    client, auth, event, organiser, form, message
):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    response = client.post(BULK, data={**form, "batch": "b" * 32})
    assert response.status_code == 400
    assert message in response.text
    assert status_of(registration) == Status.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 1


def test_a_bulk_action_with_a_tag_deleted_meanwhile_is_refused(client, auth, event, organiser):
    seed(event, 1)
    vip = tags.create_tag(event, "VIP", "red", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST).text
    tags.delete_tag_by_id(event, vip.id, actor=organiser)  # another organiser deletes it
    db.session.commit()
    response = client.post(
        BULK, data={"action": "tag", "scope": "all", "tag": str(vip.id), "batch": batch_of(page)}
    )
    assert response.status_code == 400  # no longer one of the choices
    assert "Not a valid choice" in response.text


def test_a_tag_of_another_event_is_not_on_offer_in_bulk(client, auth, event, organiser):
    seed(event, 1)
    other = make_event(slug="vgt-2015")
    foreign = tags.create_tag(other, "VIP", "red", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(
        BULK,
        data={"action": "tag", "scope": "all", "tag": str(foreign.id), "batch": "c" * 32},
    )
    assert response.status_code == 400
    assert db.session.scalars(sa.select(registration_tag.c.tag_id)).all() == []


def test_only_organisers_act_in_bulk(client, auth, event):
    seed(event, 1)
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login(moderator.email)
    assert 'id="bulk-form"' not in client.get(LIST).text
    assert client.post(BULK, data={"action": "approve", "scope": "all"}).status_code == 403
    auth.logout()
    auth.login(viewer.email)
    page = client.get(LIST).text
    assert 'name="selected"' not in page and "Manage tags" not in page


# --- the tags page ----------------------------------------------------------------------------


def test_an_organiser_makes_and_deletes_tags(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    assert "No tags yet." in client.get(TAGS).text
    response = client.post(TAGS, data={"name": "Speaker", "colour": "purple"})
    assert_redirects(response, to=TAGS)
    page = client.get(TAGS).text
    assert "The tag “Speaker” is ready to use." in page
    assert 'class="badge tag-badge tag-purple">Speaker</span>' in page
    tag = db.session.scalars(sa.select(Tag)).one()
    tags.add_tag(tag, [registration], actor=organiser)
    db.session.commit()
    response = client.post(TAGS + "/delete", data={"tag": str(tag.id)})
    assert_redirects(response, to=TAGS)
    assert "Deleted the tag “Speaker”; 1 registration(s) carried it." in client.get(TAGS).text
    assert db.session.scalars(sa.select(Tag)).all() == []


def test_a_tag_needs_a_free_name_and_a_known_colour(client, auth, event, organiser):
    tags.create_tag(event, "Speaker", "blue", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    empty = client.post(TAGS, data={"name": " ", "colour": "blue"})
    assert empty.status_code == 400 and "Give the tag a name." in empty.text
    odd = client.post(TAGS, data={"name": "Odd", "colour": "chartreuse"})
    assert odd.status_code == 400 and "Not a valid choice" in odd.text
    taken = client.post(TAGS, data={"name": "SPEAKER", "colour": "red"})
    assert taken.status_code == 409
    assert "There is already a tag called “SPEAKER”." in taken.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tag)) == 1


def test_deleting_a_tag_that_is_gone_says_so(client, auth, event, organiser):
    auth.login(organiser.email)
    response = client.post(TAGS + "/delete", data={"tag": "12345"})
    assert response.status_code == 403
    assert "not one of this event" in response.text
    assert client.post(TAGS + "/delete", data={}).status_code == 400


def test_only_organisers_manage_tags(client, auth, event):
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    db.session.commit()
    auth.login(moderator.email)
    assert client.get(TAGS).status_code == 403


# --- one registration: its tags and notes -------------------------------------------------------


def detail(registration) -> str:
    return f"{LIST}/{registration.reference}"


def test_a_moderator_tags_and_untags_a_registration(client, auth, event):
    [registration] = seed(event, 1)
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    vip = tags.create_tag(event, "VIP", "pink", actor=moderator)
    db.session.commit()
    auth.login(moderator.email)
    assert 'for="add-tag">Add a tag' in client.get(detail(registration)).text
    response = client.post(detail(registration) + "/tags/add", data={"tag": str(vip.id)})
    assert_redirects(response, to=detail(registration))
    page = client.get(detail(registration)).text
    assert "Tagged “VIP”." in page and 'tag-pink">VIP</span>' in page
    assert "<div>Tag: VIP</div>" in page  # in the history
    client.post(detail(registration) + "/tags/remove", data={"tag": str(vip.id)})
    page = client.get(detail(registration)).text
    assert "Took the tag “VIP” off." in page and "No tags yet." in page


def test_tagging_with_a_missing_or_foreign_tag_is_refused(client, auth, event, organiser):
    [registration] = seed(event, 1)
    other = make_event(slug="vgt-2015")
    foreign = tags.create_tag(other, "VIP", "red", actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    assert client.post(detail(registration) + "/tags/add", data={}).status_code == 400
    assert client.post(detail(registration) + "/tags/remove", data={"tag": "x"}).status_code == 400
    refused = client.post(detail(registration) + "/tags/add", data={"tag": str(foreign.id)})
    assert refused.status_code == 403
    assert db.session.scalars(sa.select(registration_tag.c.tag_id)).all() == []


def test_a_note_is_for_the_team_and_never_for_the_delegate(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    response = client.post(
        detail(registration) + "/notes", data={"body": "Vetted by phone with her unit."}
    )
    assert_redirects(response, to=detail(registration))
    page = client.get(detail(registration)).text
    assert "Your note is saved." in page
    assert "Vetted by phone with her unit." in page and "Olga Organiser" in page
    assert "Note added" in page  # in the history too
    auth.logout()
    auth.login(registration.user.email)
    for path in ["/vgt-2014/registration", "/account/"]:
        assert "Vetted by phone" not in client.get(path).text


def test_an_empty_note_is_refused_beside_the_field(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    response = client.post(detail(registration) + "/notes", data={"body": "  "})
    assert response.status_code == 400
    assert 'id="body-error">Write the note first.' in response.text
    assert registration.notes == []


def test_a_viewer_reads_notes_and_tags_but_cannot_add_them(client, auth, event, organiser):
    [registration] = seed(event, 1)
    notes.add_note(registration, "Speaker on live streaming.", actor=organiser)
    vip = tags.create_tag(event, "VIP", "red", actor=organiser)
    tags.add_tag(vip, [registration], actor=organiser)
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login(viewer.email)
    page = client.get(detail(registration)).text
    assert "Speaker on live streaming." in page and 'tag-red">VIP</span>' in page
    assert "Save note" not in page and "Add a tag" not in page
    assert client.post(detail(registration) + "/notes", data={"body": "x"}).status_code == 403


def test_a_viewer_is_offered_no_decision(client, auth, event, organiser):
    [registration] = seed(event, 1)
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login(viewer.email)
    page = client.get(detail(registration)).text

    assert "Organisers and moderators decide on registrations" in page
    for offered in (">Approve</button>", "Put on waiting list", "Reject registration"):
        assert offered not in page
    auth.logout()
    auth.login(organiser.email)
    assert ">Approve</button>" in client.get(detail(registration)).text


def test_the_list_links_to_an_export_of_what_it_shows(client, auth, event, organiser):
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/registrations?status=approved&country=NL").text
    assert (
        'href="/vgt-2014/organiser/exports?status=approved&amp;country=NL">Export this list' in page
    )


def test_the_country_filter_lists_countries_as_people_read_them(client, auth, event, organiser):
    for code in ["TR", "AX", "TN"]:
        register(event, f"delegate-{code.lower()}@police.example", country=code)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST).text
    select = re.search(r'<select[^>]*name="country"[^>]*>(.*?)</select>', page, re.S)[1]
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert labels == [
        "All countries",
        "Åland Islands",
        "Netherlands",
        "Tunisia",
        "Türkiye",
        "United States",
    ]
