"""Whole journeys in a real headless Chromium against the live server.

Each person gets their own browser context (their own cookies), signs in through
the real forms and clicks through the pages as they would. Data that is not the
point of the journey comes from the `world` fixture (built through the services).
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from footsteps.conftest import PASSWORD, second_step_code
from footsteps.core.tests.browser import PHONE, sign_in
from footsteps.journal import services as journal
from footsteps.journal.models import Observation
from footsteps.people.models import Membership
from footsteps.tenancy.models import AgreementAcceptance

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)


@pytest.fixture
def window(browser, live_server):
    """Opens a phone-sized browser window with its own cookies (a person's own
    device), signed in as `email` when given. Any console error (a CSP violation,
    a stylesheet that fails to load) or failed request fails the test."""
    problems = []

    def record_console(message):
        if message.type == "error":
            problems.append(message.text)

    def record_response(response):
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    def open_window(email: str | None = None) -> Page:
        context = browser.new_context(viewport=PHONE)
        context.set_default_timeout(5_000)
        context.on("console", record_console)
        context.on("response", record_response)
        page = context.new_page()
        if email:
            sign_in(page, live_server.url, email, PASSWORD, code=lambda: second_step_code(email))
        return page

    yield open_window
    assert problems == []


def invitation_link(live_server, email: str) -> str:
    """The link from the invitation emailed to this address, pointed at the live server."""
    (message,) = [m for m in mail.outbox if m.to == [email] and "invited you" in m.subject]
    path = re.search(r"https?://[^/\s]+(/invite/\S+/)", message.body).group(1)
    return live_server.url + path


def test_issue2_registered_parent_accepts_invitation_and_agreement_then_sees_own_child(
    window, live_server, world
):
    """R2 R3 R5 R29: the manager registers a parent; the parent sets a password
    from the emailed link, sees nothing but the agreement until they accept it
    with the family's consents, then sees only their own child's journal."""
    cara, amy = world.children["cara"], world.children["amy"]
    journal.observation_create(
        actor=world.actor("practitioner"),
        children=[cara, amy],
        title="Sand castles",
        notes="Cara and a friend filled buckets of sand.",
        observed_at=timezone.now() - timedelta(hours=2),
        publish=True,
    )

    manager = window("manager@acorns.test")
    manager.get_by_role("link", name="Parents", exact=True).click()
    manager.get_by_role("link", name="Register a parent or carer").click()
    manager.get_by_label("Full name").fill("Dana Fox")
    manager.get_by_label("Email address").fill("dana@family.test")
    manager.get_by_label(re.compile(r"^Child\b")).select_option(label="Cara Acorn")
    manager.get_by_label("Relationship to the child").select_option("parent")
    manager.get_by_role("button", name="Send invitation").click()
    expect(manager.locator(".messages")).to_contain_text("Dana Fox is linked to Cara Acorn")

    parent = window()
    parent.goto(invitation_link(live_server, "dana@family.test"))
    expect(parent.get_by_role("heading", level=1)).to_have_text("Join Little Acorns on Footsteps")
    parent.get_by_label("Choose a password").fill("sandcastle-tuesday-42")
    parent.get_by_label("Type it again").fill("sandcastle-tuesday-42")
    parent.get_by_role("button", name="Set password and continue").click()

    # Signed in, but only the agreement page until it is accepted (R3).
    expect(parent).to_have_url(f"{live_server.url}/agreement/")
    expect(parent.get_by_role("navigation", name="Main")).to_have_count(0)
    for path in ("/journal/", "/journal/add/", f"/observations/{world.observations['shared'].pk}/"):
        parent.goto(live_server.url + path)
        expect(parent).to_have_url(f"{live_server.url}/agreement/")
    expect(parent.locator("main")).not_to_contain_text("Sand castles")

    parent.get_by_label("I have read and accept this agreement").check()
    parent.get_by_label("I consent to the setting keeping an online learning journal").check()
    parent.get_by_role("group", name="May photos of Cara appear").get_by_label("No").check()
    parent.get_by_role("button", name="Accept and continue").click()

    expect(parent).to_have_url(f"{live_server.url}/journal/")
    main = parent.locator("main")
    expect(main).to_contain_text("Sand castles")
    expect(main).to_contain_text("Cara and 1 other child")
    for other in ("Amy", "Ben", "Tower of blocks", "Staff note"):
        expect(parent.locator("body")).not_to_contain_text(other)
    parent.get_by_role("link", name="Sand castles").click()
    expect(parent.locator("body")).not_to_contain_text("Amy")

    membership = Membership.objects.get(user__email="dana@family.test")
    acceptance = AgreementAcceptance.objects.get(membership=membership)
    assert acceptance.journal_consent is True  # R29: recorded for the family
    assert acceptance.agreement.version == 1
    cara.refresh_from_db()
    assert cara.image_consent == "refused"


def test_issue3_observation_of_two_children_replies_and_a_home_observation(
    window, live_server, world
):
    """R5 R14 R18 R19: a practitioner records one observation of Amy and Ben; each
    family sees it naming only their own child and only their own conversation;
    a parent's observation from home joins the journal once staff approve it."""
    practitioner = window("practitioner@acorns.test")
    practitioner.get_by_role("link", name="New observation").click()
    practitioner.get_by_label("Title").fill("Puddle jumping")
    practitioner.get_by_label("Amy Acorn").check()
    practitioner.get_by_label("Ben Acorn").check()
    practitioner.get_by_label("What happened").fill("Both counted their jumps out loud to ten.")
    practitioner.get_by_role("button", name="Publish").click()
    expect(practitioner.locator(".messages")).to_contain_text("Published to the journal.")
    expect(practitioner.locator("main")).to_contain_text("Amy Acorn")
    expect(practitioner.locator("main")).to_contain_text("Ben Acorn")
    observation = Observation.objects.get(title="Puddle jumping")
    assert observation.author == world.members["practitioner"]  # R14: author and children
    assert {link.child.first_name for link in observation.links.all()} == {"Amy", "Ben"}

    parent_amy = window("parent_amy@family.test")
    entry = parent_amy.locator("article.entry", has_text="Puddle jumping")
    expect(entry).to_contain_text("Amy and 1 other child")
    expect(parent_amy.locator("body")).not_to_contain_text("Ben")

    parent_ben = window("parent_ben@family.test")
    entry = parent_ben.locator("article.entry", has_text="Puddle jumping")
    expect(entry).to_contain_text("Ben and 1 other child")
    expect(parent_ben.locator("body")).not_to_contain_text("Amy")

    # Parent A replies in Amy's thread (R18); parent B never sees it (R5).
    parent_amy.get_by_role("link", name="Puddle jumping").click()
    expect(parent_amy.locator("body")).not_to_contain_text("Ben")
    parent_amy.get_by_label("Your reply").fill("Amy would not stop talking about it!")
    parent_amy.get_by_role("button", name="Send reply").click()
    expect(parent_amy.locator(".thread")).to_contain_text("Amy would not stop talking about it!")

    parent_ben.get_by_role("link", name="Puddle jumping").click()
    expect(parent_ben.locator("main")).to_contain_text("Both counted their jumps")
    expect(parent_ben.locator("main")).to_contain_text("No replies yet.")
    expect(parent_ben.locator("body")).not_to_contain_text("would not stop talking")
    expect(parent_ben.locator("body")).not_to_contain_text("Amy")

    # A home observation (R19): visible to its family as waiting, then approved by staff.
    parent_amy.get_by_role("link", name="Add from home").click()
    parent_amy.get_by_label("Title").fill("Baking at Grandma's")
    parent_amy.get_by_label("What happened").fill("Amy weighed the flour all by herself.")
    parent_amy.get_by_role("button", name="Send to the setting").click()
    expect(parent_amy).to_have_url(f"{live_server.url}/journal/")
    baking = parent_amy.locator("article.entry", has_text="Baking at Grandma's")
    expect(baking).to_contain_text("Waiting for approval")
    parent_ben.goto(f"{live_server.url}/journal/")
    expect(parent_ben.locator("body")).not_to_contain_text("Baking at Grandma's")

    senior = window("senior@acorns.test")
    senior.get_by_role("link", name="Review", exact=True).click()
    senior.get_by_role("link", name="Baking at Grandma's").click()
    approve = senior.locator("form", has_text="Approve for the journal")
    approve.get_by_role("button", name="Approve").click()
    expect(senior.locator(".messages")).to_contain_text("Approved: it is now in the journal.")
    expect(senior.locator("main")).not_to_contain_text("Baking at Grandma's")

    parent_amy.reload()
    baking = parent_amy.locator("article.entry", has_text="Baking at Grandma's")
    expect(baking).to_contain_text("From home")
    expect(baking.locator(".badge")).to_have_text(["From home"])  # no longer waiting
    parent_ben.reload()
    expect(parent_ben.locator("body")).not_to_contain_text("Baking at Grandma's")


def test_r33_child_details_corrected_in_the_browser_keep_their_dates(window, live_server, world):
    """R33: a manager corrects a child's details. Date fields are HTML date inputs,
    which accept only ISO dates: the stored date of birth must show in the form
    (not a blank field) and survive a save. The monitoring period likewise."""
    manager = window("manager@acorns.test")
    amy = world.children["amy"]
    manager.goto(f"{live_server.url}/children/{amy.pk}/edit/")
    expect(manager.get_by_label("Date of birth")).to_have_value("2022-05-01")
    manager.get_by_label("Last name").fill("Acorn-Smith")
    manager.get_by_role("button", name="Save", exact=True).click()
    expect(manager.locator(".messages")).to_contain_text("details are saved")
    expect(manager.locator("main")).to_contain_text("Born 1 May 2022")
    amy.refresh_from_db()
    assert (amy.last_name, amy.date_of_birth.isoformat()) == ("Acorn-Smith", "2022-05-01")

    manager.get_by_role("link", name="Monitoring").click()
    manager.locator("summary", has_text="change").click()
    today = timezone.localdate()
    expect(manager.locator("input[name=end]")).to_have_value(today.isoformat())
    manager.get_by_role("button", name="Show").click()
    expect(manager.locator(".errorlist")).to_have_count(0)
