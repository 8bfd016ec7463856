"""conference: runs a closed, vetted international conference, end to end."""

import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from conference import extensions
from conference.config import refuse_unsafe_production_settings, settings_from_environment
from conference.models.base import LARGEST_ID

PACKAGE_DIR = Path(__file__).resolve().parent


def _templates_folder() -> Path:
    """Top-level templates/ in a source checkout; conference/templates in an installed wheel."""
    source_tree = PACKAGE_DIR.parent / "templates"
    return source_tree if source_tree.is_dir() else PACKAGE_DIR / "templates"


def _migrations_folder() -> Path:
    return PACKAGE_DIR.parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(_templates_folder()), instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    refuse_unsafe_production_settings(app.config)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_commands(app)
    register_template_helpers(app)
    configure_logger(app)
    return app


def register_extensions(app: Flask) -> None:
    from conference.services.people.accounts import user_for_session

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(_migrations_folder()))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(user_for_session)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in our URLs: an id no larger than the database's integer columns hold, so an
    absurd number is a 404 like any unknown id, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    from conference.accounts.views import blueprint as accounts
    from conference.check_in.views import blueprint as check_in
    from conference.delegate.views import blueprint as delegate
    from conference.organiser import blueprint as organiser
    from conference.public.views import blueprint as public

    app.register_blueprint(public)
    app.register_blueprint(accounts)
    app.register_blueprint(delegate)
    app.register_blueprint(organiser)
    app.register_blueprint(check_in)


def register_errorhandlers(app: Flask) -> None:
    from conference.errors import register

    register(app)


def register_security(app: Flask) -> None:
    from conference import security, session_lifetime

    security.register(app)
    session_lifetime.register(app)


def register_commands(app: Flask) -> None:
    from conference.cli import register_commands as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from conference.templating import register

    register(app)


def configure_logger(app: Flask) -> None:
    from conference import request_log

    request_log.register()
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
