"""What the access log may say of a request: its line without the secrets some addresses carry.

Emailed links hold tokens in their path (verification, reset, team invitation, the change of
address) and a delegate's calendar feed holds its private token; queries hold invitation codes,
searches for people by name or address, and `next` addresses that carry all of these. Their
stores keep only hashes, which a request line in a log would undo. So every request line that
werkzeug's development server or gunicorn writes goes through `RedactSecrets` first: the secret
parts of a path become `…`, and so does every value in a query (its names stay, for reading).
"""

import logging
import re

REDACTED = "…"

_SECRET_IN_PATH = re.compile(
    r"(?P<keep>/account/(?:verify|reset|invitations|email/confirm)/|/agenda/[^/?#\s\"]+/)"
    r"[^/?#\s\"]+?(?P<suffix>\.ics)?(?=[?#\s\"]|$)"
)
_QUERY_VALUE = re.compile(r"(?P<name>[?&][^=&#\s\"]*=)[^&#\s\"]*")

# The loggers of the servers that run the app: their request lines, and gunicorn's Referer.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    """`text` with the secrets of any request path or query in it replaced by `…`."""
    text = _SECRET_IN_PATH.sub(lambda m: m["keep"] + REDACTED + (m["suffix"] or ""), text)
    return _QUERY_VALUE.sub(lambda m: m["name"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Takes the secrets out of a log record's arguments: werkzeug passes the request line as
    one of a tuple, gunicorn its atoms (request line, path, query, Referer) in a dict."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


def register() -> None:
    """Put the filter on the servers' request loggers, once however many apps are made."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
