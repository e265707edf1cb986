"""Two-step sign-in in a real headless Chromium (R37, R9): staff sign in with
their password and their authenticator app's code, are warned a minute before
their idle time ends and signed out after it (issue 18's "done when"); and a
passkey is added and then used to sign in, with Chromium's virtual
authenticator standing in for a phone's screen lock."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from footsteps.conftest import PASSWORD, second_step_code
from footsteps.core.tests.browser import PHONE, sign_in
from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.security.tests.test_idle_browser import MINUTE, server_clock_back

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)
PRACTITIONER = "practitioner@acorns.test"


@pytest.fixture
def window(browser):  # noqa: F811
    """A phone-sized window; any console error fails the test."""
    problems = []
    context = browser.new_context(viewport=PHONE)
    context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield context.new_page()
    context.close()
    assert problems == []


def test_r37_r9_signed_in_with_the_apps_code_warned_then_signed_out_when_idle(
    window, live_server, world
):
    page = window
    page.clock.install()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(PRACTITIONER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Sign in: second step")).to_be_visible()
    assert reverse("child_list") not in page.url
    page.get_by_label("Code from your authenticator app").fill(second_step_code(PRACTITIONER))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Children", exact=True)).to_be_visible()

    page.goto(live_server.url + reverse("child_list"))
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_hidden()
    server_clock_back(page, 29 * 60 + 10)
    page.clock.fast_forward(29 * MINUTE + 10_000)
    expect(warning).to_be_visible()

    server_clock_back(page, 60)
    page.clock.fast_forward(MINUTE)
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("signed out after 30 minutes without activity")).to_be_visible()
    page.goto(live_server.url + reverse("child_list"))
    assert "/accounts/login/" in page.url


def test_r37_a_passkey_is_added_then_signs_in_as_the_second_step(window, live_server, world):
    page = window
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(
        page, live_server.url, PRACTITIONER, PASSWORD, code=lambda: second_step_code(PRACTITIONER)
    )

    page.goto(live_server.url + reverse("second_factor"))
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Name").fill("My phone")
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    expect(page.get_by_text("My phone")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(PRACTITIONER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use my passkey").click()

    expect(page.get_by_role("link", name="Children", exact=True)).to_be_visible()
    page.goto(live_server.url + reverse("child_list"))
    assert page.url.endswith(reverse("child_list"))
