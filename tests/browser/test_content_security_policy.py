"""The browser tests' watch for Content-Security-Policy violations catches one when it happens:
without it, the suite would pass however much our pages broke the policy."""

import pytest

from conference.security import CONTENT_SECURITY_POLICY
from tests.browser.conftest import watch_for_csp_violations

pytestmark = pytest.mark.browser

# A page under our policy with an inline script and an inline style, both of which it forbids.
BREAKS_THE_POLICY = "<p style='color: red'>Inline style</p><script>document.title = 'x'</script>"


def test_a_page_that_breaks_the_policy_is_reported(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    violations: list[str] = []
    watch_for_csp_violations(context, violations)
    context.route(
        "**/breaks-the-policy",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
            body=BREAKS_THE_POLICY,
        ),
    )
    page = context.new_page()
    page.goto("/breaks-the-policy")
    assert page.title() == ""  # the policy held: the script did not run
    context.close()
    reported = "\n".join(violations)
    assert "script-src" in reported and "style-src" in reported, reported
    assert "/breaks-the-policy" in reported
