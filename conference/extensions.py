"""Every Flask extension, created without an app; `create_app` binds them."""

import time

import sqlalchemy as sa
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from conference.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@sa.event.listens_for(sa.engine.Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite checks foreign keys only when asked to, on every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# A pooled connection unused for this long is tried before it is handed out: the database may
# have closed it meanwhile (a restart, a failover, an idle timeout). A busy pool's connections
# are never that old, so busy requests pay no extra round trip (as pool_pre_ping would).
IDLE_BEFORE_PING = 10.0  # seconds


@sa.event.listens_for(sa.pool.Pool, "checkin")
def _note_when_idle(dbapi_connection, connection_record):
    connection_record.info["idle_since"] = time.monotonic()


@sa.event.listens_for(sa.pool.Pool, "checkout")
def _ping_after_idle(dbapi_connection, connection_record, connection_proxy):
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
        return
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return  # a file, not a server: nothing can close it behind our back
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as error:
        # The pool drops this connection and hands out a fresh one.
        raise sa.exc.DisconnectionError("the database closed this connection") from error
