"""A browser, as far as the concurrency tests need one: cookies, forms, and no redirects followed.

Built on the standard library; it talks only to the live server's 127.0.0.1 address.
"""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

REQUEST_TIMEOUT = 30  # seconds, for every HTTP request

# The live server's settings for a storm of browsers, each logged in through the real forms.
STORM_SETTINGS = {
    "WTF_CSRF_ENABLED": True,  # the forms go out as a browser sends them, token and all
    "LOGIN_RATE_LIMIT": "1000 per minute",  # a login per browser, all from 127.0.0.1
    # A database connection for every request of the storm: none waits for the pool, which
    # would cap the race at the pool's size and, past its timeout, answer 500.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 10},
}


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    body: str

    @classmethod
    def read(cls, response) -> "Answer":
        return cls(response.status, response.headers["Location"], response.read().decode())

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400


class _FormFields(HTMLParser):
    """The inputs of each form on a page, by the form's action ("" for a form without one)."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict[str, str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self._form is not None and attrs.get("name"):
            self._form[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class _DoNotFollowRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect comes back as the answer, Location and all


class Browser:
    """One person's browser: its own cookies, no proxy, redirects shown rather than followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # straight to 127.0.0.1, whatever the environment says
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _DoNotFollowRedirects(),
        )

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        data = urllib.parse.urlencode(fields).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=data, method="POST"))

    def form_on(self, path: str, action: str = "") -> dict[str, str]:
        """The fields of the form on the page at `path` that posts to `action`."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        forms = _FormFields(page.body).forms
        assert action in forms, f"no form posting to {action!r} on {path}"
        return forms[action]

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer.read(response)
        except urllib.error.HTTPError as error:  # a redirect, a refusal or an error page
            with error:
                return Answer.read(error)
