"""Badges through the pages: the delegate's own, the organisers' one, all and the list's, and a
lost badge revoked and reissued from the registration's page."""

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conference.extensions import db
from conference.models import Badge
from conference.services.audit import wording
from conference.services.on_site import badges
from tests.client import csrf_token
from tests.environment import audited
from tests.factories import approved, make_organiser, register

OWN = "/vgt-2014/registration"
ON_SITE = "/vgt-2014/organiser/on-site"
LIST = "/vgt-2014/organiser/registrations"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def pages_of(response) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages]


def page_size(response) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def form_action(page: str, endpoint_path: str) -> str:
    """The action of the page's form that posts to `endpoint_path`, query string and all."""
    [action] = re.findall(rf'action="({re.escape(endpoint_path)}[^"]*)"', page)
    return action.replace("&amp;", "&")


def test_an_approved_delegate_downloads_their_own_badge(client, auth, event):
    anna = approved(event, "anna@police.example")
    db.session.commit()
    auth.login("anna@police.example")
    assert "Download your badge (PDF)" in client.get(OWN).text

    response = client.get(OWN + "/badge.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"badge-{anna.reference}-a6.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    [text] = pages_of(response)
    assert "anna" in text and "DELEGATE" in text
    assert badges.history(anna).valid is not None  # issued, and kept: the same badge next time


def test_no_badge_before_approval(client, auth, event):
    pending = register(event, "pending@police.example")
    db.session.commit()
    auth.login("pending@police.example")
    assert "Download your badge" not in client.get(OWN).text

    response = client.get(OWN + "/badge.pdf")

    assert response.status_code == 409
    assert "Only approved registrations have a badge" in response.text
    assert "Your registration" in response.text
    assert badges.history(pending).valid is None


def test_an_organiser_prints_one_badge_from_the_registrations_page(client, auth, organiser, event):
    anna = approved(event, "anna@police.example")
    db.session.commit()
    auth.login(organiser.email)
    detail = f"{LIST}/{anna.reference}"
    page = client.get(detail).text
    assert "No badge printed yet" in page
    url = form_action(page, f"{detail}/badge.pdf")

    assert client.post(url, data={"layout": "a4"}).status_code == 400  # no CSRF token
    token = csrf_token(page)
    assert client.post(url, data={"csrf_token": token, "layout": "a5"}).status_code == 400
    response = client.post(url, data={"csrf_token": token, "layout": "a4"})

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_size(response) == (842, 595)  # an A4 sheet, landscape
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = audited("badge.downloaded")
    assert (entry.object_id, entry.actor_id) == (anna.id, organiser.id)
    assert "Delegate badge, issued" in client.get(detail).text


def test_the_on_site_page_prints_every_approved_badge(client, auth, organiser, event):
    approved(event, "anna@police.example")
    approved(event, "ben@police.example")
    register(event, "pending@police.example")
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(ON_SITE).text
    assert "The badges of the 2 approved delegates" in page

    response = client.post(
        form_action(page, f"{ON_SITE[: -len('/on-site')]}/badges.pdf"),
        data={"csrf_token": csrf_token(page), "layout": "a6"},
    )

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert [("anna" in p, "ben" in p) for p in pages_of(response)] == [(True, False), (False, True)]
    [entry] = audited("badges.downloaded")
    assert entry.details == {"layout": "a6", "filters": {}, "rows": 2}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Badge)) == 2


def test_the_list_prints_the_badges_of_its_filter_and_says_how_many(client, auth, organiser, event):
    approved(event, "anna@police.example")  # from Belgium, as the factory has it
    dutch = register(event, "dirk@politie.example", country="NL")
    register(event, "pending@police.example")
    db.session.commit()
    auth.login(organiser.email)

    belgian = client.get(LIST + "?country=BE").text
    assert "Badges of the 1 approved registration in this list" in belgian
    url = form_action(belgian, "/vgt-2014/organiser/badges.pdf")
    assert url.endswith("?country=BE")
    assert "No approved registration in this list" in client.get(LIST + "?country=NL").text

    response = client.post(url, data={"csrf_token": csrf_token(belgian), "layout": "a4"})

    [text] = pages_of(response)
    assert "anna" in text and "pending" not in text and dutch.user.name not in text
    [entry] = audited("badges.downloaded")
    assert entry.details == {"layout": "a4", "filters": {"country": "BE"}, "rows": 1}
    words = wording.entries_in_words(event, [entry], sensitive=True)[entry.id].details
    assert [(d.label, d.text) for d in words][:1] == [
        ("Layout", "A4 sheets of four, with crop marks")
    ]


def test_a_filter_with_no_approved_registration_is_refused_back_to_the_list(
    client, auth, organiser, event
):
    register(event, "pending@police.example")
    db.session.commit()
    auth.login(organiser.email)
    token = csrf_token(client.get(LIST).text)

    response = client.post(
        "/vgt-2014/organiser/badges.pdf?status=pending",
        data={"csrf_token": token, "layout": "a6"},
        follow_redirects=True,
    )

    assert "No approved registration matches this list" in response.text
    assert response.request.path == LIST and response.request.args["status"] == "pending"
    assert audited("badges.downloaded") == []


def test_a_lost_badge_is_revoked_and_reissued_as_press(client, auth, organiser, event):
    anna = approved(event, "anna@police.example")
    old_token = badges.token_of(badges.badge_of(anna, actor=None))
    db.session.commit()
    auth.login(organiser.email)
    detail = f"{LIST}/{anna.reference}"
    page = client.get(detail).text
    token = csrf_token(page)

    refused = client.post(
        f"{detail}/badge/reissue", data={"reissue-csrf_token": token, "reissue-reason": " "}
    )
    assert refused.status_code == 400 and "Say why" in refused.text
    assert badges.badge_with_token(old_token).is_valid  # nothing changed

    client.post(
        f"{detail}/badge/reissue",
        data={
            "reissue-csrf_token": token,
            "reissue-reason": "Lost at the hotel",
            "reissue-role": "press",
        },
    )

    assert not badges.badge_with_token(old_token).is_valid
    new = badges.history(anna).valid
    assert new.role == "press"
    page = client.get(detail).text
    assert "Press badge, issued" in page
    assert "revoked" in page and "“Lost at the hotel”" in page
    [revoked] = audited("badge.revoked")
    assert revoked.details == {"reason": "Lost at the hotel"}
    issued = audited("badge.issued")[-1]
    words = wording.entries_in_words(event, [issued], sensitive=True)[issued.id].details
    assert [(d.label, d.text) for d in words] == [("Role", "Press")]


def test_a_revoked_badge_leaves_none_valid_until_the_next_is_printed(
    client, auth, organiser, event
):
    anna = approved(event, "anna@police.example")
    first = badges.badge_of(anna, actor=None)
    db.session.commit()
    auth.login(organiser.email)
    detail = f"{LIST}/{anna.reference}"
    token = csrf_token(client.get(detail).text)

    response = client.post(
        f"{detail}/badge/revoke",
        data={"revoke-csrf_token": token, "revoke-reason": "Stolen"},
        follow_redirects=True,
    )

    assert "The badge is revoked" in response.text and "No valid badge" in response.text
    assert badges.history(anna).valid is None
    again = client.post(
        f"{detail}/badge/revoke", data={"revoke-csrf_token": token, "revoke-reason": "Twice"}
    )
    assert again.status_code == 409 and "has no valid badge to revoke" in again.text
    client.post(f"{detail}/badge.pdf", data={"csrf_token": token, "layout": "a6"})
    assert badges.history(anna).valid.id != first.id


def test_a_viewer_sees_the_badge_but_neither_prints_nor_revokes_one(client, auth, event):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    anna = approved(event, "anna@police.example")
    db.session.commit()
    auth.login(viewer.email)
    page = client.get(f"{LIST}/{anna.reference}").text

    assert "No badge printed yet" in page
    assert "Download (A6)" not in page and "Lost or wrong badge" not in page
    assert "A4 sheets of four" not in client.get(LIST).text
    assert "Download badges" not in client.get("/vgt-2014/organiser/on-site").text
    token = csrf_token(page)
    for path in (f"{LIST}/{anna.reference}/badge.pdf", "/vgt-2014/organiser/badges.pdf"):
        assert client.post(path, data={"csrf_token": token, "layout": "a6"}).status_code == 403
    assert badges.history(anna).valid is None  # a badge opens the door: none was minted
