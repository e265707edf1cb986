"""Shared tablets (R11): a manager registers the device; on it, staff who
signed in fully earlier today switch to themselves with a PIN (hashed,
throttled); it locks when idle; a lost one is revoked in one click."""

import time

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.conftest import PASSWORD, BrowserClient
from footsteps.people import services as people
from footsteps.tablets.models import StaffPin, Tablet
from footsteps.tablets.services import COOKIE, SESSION_SEEN

PIN = "4719"


@pytest.fixture
def tablet(world):
    """The manager registers the device: its browser keeps the cookie."""
    manager = world.client("manager")
    answer = manager.post(reverse("tablets"), {"name": "Rainbow room iPad"})
    assert answer.status_code == 302
    device = BrowserClient()
    device.cookies[COOKIE] = answer.cookies[COOKIE].value
    return device


def _set_pin(world, who="practitioner", pin=PIN):
    return world.client(who).post(reverse("tablet_pin"), {"pin": pin, "password": PASSWORD})


def _signed_in_today(world, who="practitioner"):
    people.sign_in_recorded(user=world.members[who].user, ip="192.0.2.10")


def _switch(device, world, who="practitioner", pin=PIN):
    return device.post(reverse("tablet_switch"), {"person": world.members[who].pk, "pin": pin})


def test_r11_staff_switch_in_with_their_pin_after_a_full_sign_in_today(world, tablet):
    assert _set_pin(world).status_code == 302
    stored = StaffPin.objects.get(membership=world.members["practitioner"])
    assert PIN not in stored.pin_hash
    assert check_password(PIN, stored.pin_hash)  # a hash (Argon2 outside the tests)

    # Not signed in fully today: not offered, and a right PIN does not open it.
    assert (
        world.members["practitioner"].display_name not in tablet.get(reverse("tablet_switch")).text
    )
    assert _switch(tablet, world).status_code == 200
    assert tablet.get(reverse("home")).status_code == 302

    _signed_in_today(world)
    page = tablet.get(reverse("tablet_switch")).text
    assert world.members["practitioner"].display_name in page
    assert "That PIN is not right" in _switch(tablet, world, pin="9999").text
    switched = _switch(tablet, world)
    assert switched.status_code == 302
    assert tablet.get(reverse("child_list")).status_code == 200


def test_r11_r37_a_pin_is_no_fresh_check_for_sensitive_actions(world, tablet, settings):
    """The session's second step is dated before the check-again window, and
    a PIN switch is not a full sign-in: switching in twice does not make the
    second one fresh (support grants, exports and the like ask again)."""
    _set_pin(world)
    _signed_in_today(world)
    full = AuditEvent.objects.filter(action="user.signed_in").count()
    for _ in range(2):
        _switch(tablet, world)
        records = tablet.session["account_authentication_methods"]
        (pin,) = [record for record in records if record.get("type") == "tablet_pin"]
        assert pin["at"] < time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        tablet.post(reverse("account_logout"))
    assert AuditEvent.objects.filter(action="user.signed_in").count() == full
    assert AuditEvent.objects.filter(action="tablet.switched_in").count() == 2


def test_r11_r8_a_pin_ends_with_new_login_details_or_a_new_password(world, tablet):
    _set_pin(world)
    _signed_in_today(world)
    people.login_details_reset(
        actor=world.actor("manager"), membership=world.members["practitioner"]
    )
    assert not StaffPin.objects.exists()
    assert _switch(tablet, world).status_code == 200  # not offered, nothing opens
    assert tablet.get(reverse("child_list")).status_code == 302


def test_r11_the_pin_limit_is_per_person_whichever_tablet(world, tablet):
    _set_pin(world)
    _signed_in_today(world)
    second = world.client("manager").post(reverse("tablets"), {"name": "Garden iPad"})
    other = BrowserClient()
    other.cookies[COOKIE] = second.cookies[COOKIE].value
    for device in (tablet, tablet, tablet, other, other):
        assert "That PIN is not right" in _switch(device, world, pin="8642").text
    assert "Too many wrong PINs" in _switch(other, world).text


def test_r11_r32_the_api_holds_the_same_rules_as_the_pages(world, tablet):
    """A revoked tablet's session and a sign-in waiting for a manager get
    nothing from the API."""
    _set_pin(world)
    _signed_in_today(world)
    _switch(tablet, world)
    api = reverse("api:api_children")
    assert tablet.get(api).status_code == 200
    Tablet.objects.update(revoked_at=timezone.now())
    assert tablet.get(api).status_code == 401
    world.client("manager").post(reverse("tablet_rules"), {"supervised_sign_in": "on"})
    assert world.client("practitioner").get(api).status_code == 403


def test_r11_a_guessable_pin_is_refused_and_the_password_is_asked(world):
    for weak in ("1111", "1234", "9876", "12", "abcd"):
        answer = _set_pin(world, pin=weak)
        assert answer.status_code == 200, weak
    wrong = world.client("practitioner").post(
        reverse("tablet_pin"), {"pin": PIN, "password": "not-my-password"}
    )
    assert wrong.status_code == 200
    assert not StaffPin.objects.exists()


def test_r11_pins_are_throttled(world, tablet):
    _set_pin(world)
    _signed_in_today(world)
    for _ in range(5):
        assert "That PIN is not right" in _switch(tablet, world, pin="8642").text
    refused = _switch(tablet, world)
    assert "Too many wrong PINs" in refused.text
    assert tablet.get(reverse("home")).status_code == 302


def test_r11_the_tablet_locks_when_idle(world, tablet, settings):
    _set_pin(world)
    _signed_in_today(world)
    _switch(tablet, world)
    session = tablet.session
    session[SESSION_SEEN] -= settings.TABLET_IDLE_MINUTES * 60 + 1
    session.save()

    locked = tablet.get(reverse("child_list"))

    assert locked.status_code == 302
    assert locked["Location"] == reverse("tablet_switch")
    assert tablet.get(reverse("child_list")).status_code == 302  # signed out


def test_r11_a_revoked_tablet_ends_its_sessions_and_opens_nothing(world, tablet):
    _set_pin(world)
    _signed_in_today(world)
    _switch(tablet, world)
    assert tablet.get(reverse("child_list")).status_code == 200

    revoked = world.client("manager").post(reverse("tablet_revoke", args=[Tablet.objects.get().pk]))

    assert revoked.status_code == 302
    ended = tablet.get(reverse("child_list"))
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("account_login"))
    assert tablet.get(reverse("tablet_switch")).status_code == 404


def test_r11_r12_only_the_settings_manager_registers_and_revokes(world, tablet):
    device = Tablet.objects.get()
    for who in ("senior", "practitioner", "parent_amy"):
        assert world.client(who).post(reverse("tablets"), {"name": "Mine"}).status_code == 403
    other = world.client("other_manager")
    assert other.post(reverse("tablet_revoke", args=[device.pk])).status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None
    # A made-up cookie is not a tablet.
    stranger = BrowserClient()
    stranger.cookies[COOKIE] = f"{device.pk}:not-the-token"
    assert stranger.get(reverse("tablet_switch")).status_code == 404


# --- Supervised sign-in --------------------------------------------------------------


@pytest.fixture
def supervised(world):
    answer = world.client("manager").post(reverse("tablet_rules"), {"supervised_sign_in": "on"})
    assert answer.status_code == 302


def _confirm(client, email, password=PASSWORD):
    return client.post(reverse("signin_supervise"), {"email": email, "password": password})


def test_r11_a_staff_sign_in_waits_until_a_manager_confirms_it_on_that_screen(world, supervised):
    practitioner = world.client("practitioner")
    waiting = practitioner.get(reverse("child_list"))
    assert waiting.status_code == 302
    assert waiting["Location"] == reverse("signin_supervise")

    manager_email = world.members["manager"].user.email
    assert "not a manager" in _confirm(practitioner, manager_email, "wrong-password").text
    senior_email = world.members["senior"].user.email
    assert "not a manager" in _confirm(practitioner, senior_email).text  # not a manager
    other = world.members["other_manager"].user.email
    assert "not a manager" in _confirm(practitioner, other).text  # another setting's
    assert practitioner.get(reverse("child_list")).status_code == 302

    assert _confirm(practitioner, manager_email).status_code == 302
    assert practitioner.get(reverse("child_list")).status_code == 200
    event = AuditEvent.objects.get(action="signin.supervised")
    assert event.actor == world.members["manager"].user
    assert event.target_id == str(world.members["practitioner"].pk)


def test_r11_managers_and_families_are_not_asked(world, supervised):
    assert world.client("manager").get(reverse("child_list")).status_code == 200
    assert world.client("parent_amy").get(reverse("feed")).status_code == 200


def test_r11_a_tablet_pin_needs_a_supervised_sign_in_today_where_asked(world, supervised, tablet):
    # The PIN was set on an earlier day.
    StaffPin.objects.create(membership=world.members["practitioner"], pin_hash=make_password(PIN))
    _signed_in_today(world)
    name = world.members["practitioner"].display_name
    assert name not in tablet.get(reverse("tablet_switch")).text
    _confirm(world.client("practitioner"), world.members["manager"].user.email)
    assert name in tablet.get(reverse("tablet_switch")).text
    assert _switch(tablet, world).status_code == 302
    assert tablet.get(reverse("child_list")).status_code == 200  # no second confirmation
