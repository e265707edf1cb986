"""The idle warning in a real headless Chromium (R9): a minute before an idle
session ends the person is asked whether they are still there, "Stay signed
in" keeps them, typing on the page keeps them without asking, and otherwise
the server signs them out and the sign-in page says why.

The browser's clock is moved with Playwright's; the server's by editing what
the session keeps (when it was last used)."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from playwright.sync_api import expect

from footsteps.conftest import PASSWORD, second_step_code
from footsteps.core.tests.browser import PHONE, sign_in
from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.security import sessions

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)
MINUTE = 60_000


@pytest.fixture
def practitioner_page(browser, live_server, world):  # noqa: F811
    problems = []
    context = browser.new_context(viewport=PHONE)
    context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page = context.new_page()
    page.clock.install()
    email = "practitioner@acorns.test"
    sign_in(page, live_server.url, email, PASSWORD, code=lambda: second_step_code(email))
    yield page
    context.close()
    assert problems == []


def server_clock_back(page, seconds: int) -> None:
    """As if the session's last use was `seconds` earlier."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(cookie["value"])
    session[sessions.SEEN] -= seconds
    session[sessions.STARTED] -= seconds
    session.save()


def ends_in(page, live_server) -> int:
    """What the server says is left (asking is not activity)."""
    return page.request.get(live_server.url + reverse("session_ping")).json()["ends_in"]


def test_r9_warned_a_minute_before_then_kept_then_signed_out(practitioner_page, live_server):
    page = practitioner_page
    page.goto(live_server.url + reverse("child_list"))
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_hidden()

    # 29 minutes 10 seconds later, nothing done: the warning.
    server_clock_back(page, 29 * 60 + 10)
    page.clock.fast_forward(29 * MINUTE + 10_000)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("signs you out after 30 minutes without activity")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert ends_in(page, live_server) > 1700

    # Left alone this time: signed out, and told why.
    server_clock_back(page, 30 * 60 + 10)
    page.clock.fast_forward(29 * MINUTE + 10_000)
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("signed out after 30 minutes without activity")).to_be_visible()


def test_r9_typing_on_the_page_keeps_the_session_without_a_warning(practitioner_page, live_server):
    page = practitioner_page
    page.goto(live_server.url + reverse("observation_create"))
    page.get_by_label("Title").fill("Building a den")

    server_clock_back(page, 29 * 60 + 10)
    page.clock.fast_forward(29 * MINUTE + 10_000)

    # The script asks how long is left, sees the typing, and stays signed in.
    deadline = time.monotonic() + 5
    while ends_in(page, live_server) < 1700 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ends_in(page, live_server) > 1700
    expect(page.get_by_role("dialog", name="Are you still there?")).to_be_hidden()
    assert page.get_by_label("Title").input_value() == "Building a den"
