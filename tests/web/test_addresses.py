"""Addresses with no page answer 404 at once, without a detour; the site has its icon."""

import pytest


def test_the_favicon_is_served_as_an_icon(client, app):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data.startswith(b"\x00\x00\x01\x00")  # an ICO file's header
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "path", ["/nothing-here", "/robots.txt", "/vgt-2014/nothing-here", "/nothing-here/either"]
)
def test_an_address_with_no_page_is_a_404_at_once(client, event, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert "There is no page at this address." in response.text


def test_an_event_without_its_slash_still_leads_to_its_page(client, event):
    response = client.get("/vgt-2014")
    assert response.headers["Location"] == "/vgt-2014/"
    assert client.get(response.headers["Location"]).status_code == 200
