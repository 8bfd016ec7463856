"""The programme editor's workshop page: who signed up for it, and who came through its door."""

from conference.extensions import db
from conference.models import SessionSignup, SignupStatus
from tests.factories import approved, make_organiser, workshop
from tests.on_site_helpers import came_to


def test_the_workshop_page_shows_who_signed_up_and_who_came(client, auth, event, organiser):
    session = workshop(event, "Tracing live streaming", capacity=10)
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))
    for registration in (anna, ben):
        db.session.add(
            SessionSignup(
                session_id=session.id,
                registration_id=registration.id,
                status=SignupStatus.CONFIRMED,
            )
        )
    came_to(anna, session)
    came_to(carla, session)
    make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()

    auth.login("viewer@politie.example")  # reading is enough to see it
    page = client.get(f"/vgt-2014/organiser/programme/sessions/{session.id}").text

    assert "Who signed up, who came" in page
    assert "2 confirmed places; 2 came through the door, 1 of them without a place." in page
    rows = page.split('id="attendance-heading"')[1].split("</table>")[0]
    assert rows.index(">anna<") < rows.index(">ben<") < rows.index(">carla<")
    anna_row, ben_row, carla_row = (
        rows.split(f">{n}<")[1].split("</tr>")[0] for n in ("anna", "ben", "carla")
    )
    assert "Confirmed" in anna_row and "Came" in anna_row
    assert "Confirmed" in ben_row and "Not seen" in ben_row
    assert "No place" in carla_row and "Came" in carla_row


def test_a_workshop_nobody_has_joined_says_so(client, auth, event, organiser):
    session = workshop(event, "Victim identification lab", capacity=10)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(f"/vgt-2014/organiser/programme/sessions/{session.id}").text
    assert "No one has a confirmed place yet, and no one has come through the door." in page
