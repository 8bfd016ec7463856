"""Which page of a long list (registrations, the audit log) a request asks for."""

from flask import abort, request

# Far past the end of any list the back office shows (five million rows at 50 a page), and
# small enough that the database's OFFSET holds it.
LAST_POSSIBLE_PAGE = 100_000


def requested_page() -> int:
    """The `page` of the query string, 1 when none is given; one that no list can have is a
    400, rather than a number the database cannot take."""
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= LAST_POSSIBLE_PAGE:
        abort(400)
    return page
