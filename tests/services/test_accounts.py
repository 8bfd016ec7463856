"""Accounts, without HTTP: sign-up, verification links, log-in, password reset."""

import argon2
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from conference import create_app
from conference.extensions import db
from conference.models import OutboxEmail, User
from conference.services.errors import InvalidCredentials, InvalidToken
from conference.services.people import accounts
from tests.factories import PASSWORD, make_user


def last_link(address: str, fragment: str) -> str:
    email = db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.recipient == address)
        .order_by(OutboxEmail.id.desc())
    ).first()
    return next(word for word in email.body_text.split() if fragment in word)


def token_from(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_sign_up_stores_an_argon2id_hash_and_a_lower_case_address(app):
    user = accounts.sign_up("Anna Agent", "  Anna@Police.EXAMPLE ", PASSWORD)
    assert user.email == "anna@police.example"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert not user.is_verified


def test_passwords_are_hashed_at_the_cost_the_settings_name(app, tmp_path):
    assert argon2.extract_parameters(accounts.hash_password("x")) == argon2.profiles.CHEAPEST
    outside_the_tests = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    )
    with outside_the_tests.app_context():
        hashed = accounts.hash_password("x")
    assert hashed.startswith("$argon2id$")
    assert argon2.extract_parameters(hashed) == argon2.profiles.RFC_9106_LOW_MEMORY


def test_signing_up_twice_creates_nothing_and_tells_the_owner(app):
    accounts.sign_up("Anna", "anna@police.example", PASSWORD)
    assert accounts.sign_up("Impostor", "ANNA@police.example", "another long password") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    subjects = db.session.scalars(sa.select(OutboxEmail.subject).order_by(OutboxEmail.id)).all()
    assert subjects == ["Confirm your email address", "You already have an account"]


def test_the_verification_link_verifies_the_address(app):
    user = accounts.sign_up("Anna", "anna@police.example", PASSWORD)
    accounts.verify_email(token_from(last_link(user.email, "/account/verify/")))
    assert user.is_verified


def test_the_verification_link_leads_on_to_where_they_were_going(app):
    user = accounts.sign_up("Anna", "anna@police.example", PASSWORD, "/vgt-2014/register?code=X")
    verified = accounts.verify_email(token_from(last_link(user.email, "/account/verify/")))
    assert verified == (user, "/vgt-2014/register?code=X")


def test_the_verification_link_expires(app):
    with freeze_time("2026-01-01 10:00:00"):
        user = accounts.sign_up("Anna", "anna@police.example", PASSWORD)
        token = token_from(last_link(user.email, "/account/verify/"))
    with freeze_time("2026-01-03 10:00:01"), pytest.raises(InvalidToken, match="expired"):
        accounts.verify_email(token)


def test_a_tampered_verification_link_is_refused(app):
    user = accounts.sign_up("Anna", "anna@police.example", PASSWORD)
    token = token_from(last_link(user.email, "/account/verify/"))
    with pytest.raises(InvalidToken):
        accounts.verify_email(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_log_in_needs_the_right_password_and_a_verified_address(app):
    make_user("anna@police.example")
    assert accounts.authenticate("ANNA@police.example", PASSWORD).email == "anna@police.example"
    with pytest.raises(InvalidCredentials):
        accounts.authenticate("anna@police.example", "wrong password here")
    with pytest.raises(InvalidCredentials):
        accounts.authenticate("nobody@police.example", PASSWORD)


def test_an_unverified_log_in_sends_a_fresh_verification_link(app):
    make_user("new@police.example", verified=False)
    assert not accounts.authenticate("new@police.example", PASSWORD).is_verified
    assert last_link("new@police.example", "/account/verify/")


def test_a_reset_link_sets_a_new_password_once_and_ends_old_sessions(app):
    user = make_user("anna@police.example")
    old_session = user.get_id()
    accounts.request_password_reset("anna@police.example")
    token = token_from(last_link(user.email, "/account/reset/"))
    accounts.reset_password(token, "a brand new long password")
    assert accounts.authenticate("anna@police.example", "a brand new long password") == user
    assert accounts.user_for_session(old_session) is None
    assert accounts.user_for_session(user.get_id()) == user
    with pytest.raises(InvalidToken, match="used already"):
        accounts.reset_password(token, "yet another long password")


def test_a_reset_request_for_an_unknown_address_says_there_is_no_account(app):
    """One email either way, so that the work done does not tell the two apart."""
    accounts.request_password_reset("Nobody@Police.example")
    email = db.session.scalars(sa.select(OutboxEmail)).one()
    assert email.recipient == "nobody@police.example"
    assert "has no account with us" in email.body_text
    assert "/account/reset/" not in email.body_text


def test_the_session_loader_refuses_unknown_and_malformed_ids(app):
    user = make_user()
    assert accounts.user_for_session(user.get_id()) == user
    for bad in ["", "abc", f"{user.id}", f"{user.id}:wrong", "99999:x", ":"]:
        assert accounts.user_for_session(bad) is None
