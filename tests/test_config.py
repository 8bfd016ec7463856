"""Settings from the environment: what the app does when nothing is set, and what overrides it."""

import pytest

from conference.config import settings_from_environment


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """No setting that the machine running the tests may have; returns a setter."""
    for name in ["BASE_URL", "FLASK_RUN_HOST", "FLASK_RUN_PORT", "CONFERENCE_ENV", "SECRET_KEY"]:
        monkeypatch.delenv(name, raising=False)

    def settings(**variables) -> dict:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return settings_from_environment(str(tmp_path))

    return settings


def test_links_in_emails_go_to_the_development_server_by_default(environment):
    assert environment()["BASE_URL"] == "http://127.0.0.1:5000"


def test_links_in_emails_follow_the_port_the_server_runs_on(environment):
    settings = environment(FLASK_RUN_PORT="5001")  # make run PORT=5001 sets it for flask run
    assert settings["BASE_URL"] == "http://127.0.0.1:5001"


def test_links_in_emails_follow_the_host_unless_it_is_every_interface(environment):
    assert environment(FLASK_RUN_HOST="localhost")["BASE_URL"] == "http://localhost:5000"
    assert environment(FLASK_RUN_HOST="0.0.0.0")["BASE_URL"] == "http://127.0.0.1:5000"


def test_base_url_says_otherwise(environment):
    settings = environment(FLASK_RUN_PORT="5001", BASE_URL="https://vgt.politie.example/")
    assert settings["BASE_URL"] == "https://vgt.politie.example"
