"""A shared tablet in a real headless Chromium (R11): the manager registers
it and asks for supervised sign-ins; a practitioner's sign-in waits until the
manager confirms it on that screen; she sets a PIN, signs out, and switches
back in with it; the manager revokes the tablet and its session ends."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from footsteps.conftest import PASSWORD, second_step_code
from footsteps.core.tests.browser import sign_in
from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.tablets.models import Tablet

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)
MANAGER, PRACTITIONER = "manager@acorns.test", "practitioner@acorns.test"
TABLET = {"width": 820, "height": 1180}


def test_r11_register_supervise_switch_with_a_pin_and_revoke(browser, live_server, world):  # noqa: F811
    base = live_server.url
    tablet = browser.new_context(viewport=TABLET).new_page()
    sign_in(tablet, base, MANAGER, PASSWORD, code=lambda: second_step_code(MANAGER))
    tablet.goto(base + reverse("tablets"))
    tablet.get_by_label("Name of this tablet").fill("Rainbow room iPad")
    tablet.get_by_role("button", name="Register this device as a shared tablet").click()
    expect(tablet.get_by_text("This device is registered as Rainbow room iPad")).to_be_visible()
    tablet.get_by_label("A manager confirms each staff sign-in on the device itself").check()
    tablet.get_by_role("button", name="Save").click()
    tablet.get_by_role("button", name="Sign out").click()

    sign_in(tablet, base, PRACTITIONER, PASSWORD, code=lambda: second_step_code(PRACTITIONER))
    expect(tablet.get_by_role("heading", name="A manager confirms this sign-in")).to_be_visible()
    tablet.goto(base + reverse("child_list"))
    expect(tablet.get_by_role("heading", name="A manager confirms this sign-in")).to_be_visible()
    tablet.get_by_label("Manager's email address").fill(MANAGER)
    tablet.get_by_label("Manager's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Confirm the sign-in").click()
    expect(tablet.get_by_text("Your sign-in is confirmed.")).to_be_visible()

    tablet.goto(base + reverse("tablet_pin"))
    tablet.get_by_label("New PIN").fill("4719")
    tablet.get_by_label("Your password").fill(PASSWORD)
    tablet.get_by_role("button", name="Save PIN").click()
    expect(tablet.get_by_text("Your tablet PIN is set.")).to_be_visible()
    tablet.get_by_role("button", name="Sign out").first.click()

    tablet.goto(base + reverse("tablet_switch"))
    expect(tablet.get_by_role("heading", name="Who is using Rainbow room iPad?")).to_be_visible()
    name = world.members["practitioner"].display_name
    tablet.get_by_label(name).check()
    tablet.get_by_label("Your PIN").fill("4719")
    tablet.get_by_role("button", name="Continue").click()
    tablet.goto(base + reverse("child_list"))
    expect(tablet.get_by_role("heading", name="Children")).to_be_visible()

    # From the office computer (the manager's second sign-in within the same
    # 30 seconds would reuse a code, which is refused: her session there is made
    # directly), she revokes it.
    office = world.client("manager")
    listed = office.get(reverse("tablets")).text
    assert "Rainbow room iPad" in listed
    device = Tablet.objects.get(name="Rainbow room iPad")
    assert office.post(reverse("tablet_revoke", args=[device.pk])).status_code == 302

    tablet.goto(base + reverse("child_list"))
    assert "/accounts/login/" in tablet.url
    expect(tablet.get_by_text("no longer registered")).to_be_visible()
    assert tablet.goto(base + reverse("tablet_switch")).status == 404
