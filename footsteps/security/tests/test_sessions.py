"""Sessions (R9): signed out after the setting's idle time (staff and families
each have theirs) and after an absolute lifetime, on pages and on the API's
session sign-in; a warning a minute before, answered through a small ping; and
everyone's list of where they are signed in, where they end any or all others.

The clock is moved by editing what the session keeps (when it started, when it
was last used), as a session left alone would have it."""

import re

import pytest
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from footsteps.audit.models import AuditEvent
from footsteps.conftest import PASSWORD, page_text, sign_in_with_form
from footsteps.people import services as people
from footsteps.security import devices, sessions
from footsteps.security.models import SessionRecord
from footsteps.security.tests.conftest import RULES_FORM, set_rules
from footsteps.tenancy.models import Setting

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
)


def used(client, url=None):
    """One request, so the session has its clock and its record."""
    response = client.get(url or reverse("sessions"))
    assert response.status_code == 200
    return response


def move_clock(client, *, idle_minutes=0, age_hours=0):
    """As if the session was last used `idle_minutes` ago and began `age_hours` ago."""
    session = client.session
    session[sessions.SEEN] -= idle_minutes * 60
    session[sessions.STARTED] -= age_hours * 3600 + idle_minutes * 60
    session.save()


def signed_out(client) -> bool:
    return USER_KEY not in client.session


def record_of(client) -> SessionRecord:
    return SessionRecord.objects.get(key_hash=sessions.key_hash(client.session.session_key))


def said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_r9_a_staff_session_idle_for_30_minutes_ends_and_says_why(world):
    client = world.client("practitioner")
    used(client, reverse("child_list"))
    record = record_of(client)

    move_clock(client, idle_minutes=31)
    ended = client.get(reverse("child_list"))

    assert ended.status_code == 302
    assert ended.url == reverse("account_login") + "?next=%2Fchildren%2F"
    assert "signed out after 30 minutes without activity" in said(ended)
    assert signed_out(client)
    assert not SessionRecord.objects.filter(pk=record.pk).exists()
    assert client.get(reverse("child_list")).url.startswith(reverse("account_login"))


def test_r9_a_session_used_within_its_idle_time_lives_on(world):
    client = world.client("practitioner")
    used(client, reverse("child_list"))

    move_clock(client, idle_minutes=29)

    assert client.get(reverse("child_list")).status_code == 200
    move_clock(client, idle_minutes=29)  # counted again from that request
    assert client.get(reverse("child_list")).status_code == 200


def test_r9_families_have_their_own_idle_time(world):
    parent = world.client("parent_amy")
    used(parent, reverse("feed"))

    move_clock(parent, idle_minutes=45)
    assert parent.get(reverse("feed")).status_code == 200
    move_clock(parent, idle_minutes=61)
    ended = parent.get(reverse("feed"))

    assert ended.url.startswith(reverse("account_login"))
    assert "signed out after 60 minutes" in said(ended)


def test_r9_a_manager_sets_the_idle_times_and_they_apply_at_the_next_request(world):
    practitioner, parent = world.client("practitioner"), world.client("parent_amy")
    used(practitioner, reverse("child_list"))
    used(parent, reverse("feed"))
    people_version = Setting.objects.get(slug="acorns").people_version

    set_rules(world, staff_idle_minutes=10, parent_idle_minutes=20)

    assert Setting.objects.get(slug="acorns").people_version > people_version
    move_clock(practitioner, idle_minutes=11)
    move_clock(parent, idle_minutes=11)
    assert practitioner.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert parent.get(reverse("feed")).status_code == 200
    event = AuditEvent.objects.filter(action="access_rules.updated").get()
    assert event.data["changes"]["staff_idle_minutes"] == ["30", "10"]
    assert "changed the sign-in rules" in page_text(
        world.client("manager").get(reverse("audit_log"))
    )


def test_r9_idle_times_out_of_bounds_are_refused_with_a_message(world):
    refused = world.client("manager").post(
        reverse("access_rules"),
        {**RULES_FORM, "staff_idle_minutes": 2, "parent_idle_minutes": 600},
    )

    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["staff_idle_minutes"] == ["Ensure this value is greater than or equal to 5."]
    assert errors["parent_idle_minutes"] == ["Ensure this value is less than or equal to 480."]
    assert not AuditEvent.objects.filter(action="access_rules.updated").exists()


def test_r9_the_absolute_lifetime_ends_even_a_busy_session(world):
    client = world.client("senior")
    used(client, reverse("child_list"))

    move_clock(client, age_hours=11)
    assert client.get(reverse("child_list")).status_code == 200
    move_clock(client, age_hours=1, idle_minutes=1)  # 12 hours and a minute since it began
    ended = client.get(reverse("child_list"))

    assert ended.url.startswith(reverse("account_login"))
    assert "signed in for 12 hours, the longest a session lasts" in said(ended)
    assert signed_out(client)


def test_r9_the_apis_session_sign_in_ends_idle_sessions_but_keys_are_not_sessions(world):
    browser = world.client("practitioner")
    assert browser.get("/api/v1/me").status_code == 200
    _token, secret = people.api_token_create(
        actor=world.actor("practitioner"), name="Tablet", password=PASSWORD
    )

    move_clock(browser, idle_minutes=31)

    assert browser.get("/api/v1/me").status_code == 401
    assert signed_out(browser)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_r9_an_idle_htmx_request_is_sent_to_sign_in_as_a_whole_page(world):
    client = world.client("practitioner")
    used(client, reverse("child_list"))
    move_clock(client, idle_minutes=31)

    ended = client.get(reverse("child_list"), HTTP_HX_REQUEST="true")

    assert ended["HX-Redirect"].startswith(reverse("account_login"))


def test_r9_every_page_carries_the_warning_with_the_seconds_left(world):
    client = world.client("practitioner")
    used(client, reverse("child_list"))
    move_clock(client, idle_minutes=10)

    page = page_text(client.get(reverse("child_list")))

    assert re.search(r'<dialog id="idle-warning"[^>]*data-ends-in="(\d+)"', page)
    ends_in = int(re.search(r'data-ends-in="(\d+)"', page).group(1))
    assert 1790 <= ends_in <= 1800  # the page itself was activity
    assert "signs you out after 30 minutes without activity" in page
    assert '<script src="/static/js/idle-warning.js" defer></script>' in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_r9_asking_how_long_is_left_is_not_activity_and_staying_is(world):
    client = world.client("practitioner")
    used(client, reverse("child_list"))
    move_clock(client, idle_minutes=29)

    left = client.get(reverse("session_ping")).json()
    assert 50 <= left["ends_in"] <= 60
    assert left["warn_before"] == 60
    assert 50 <= client.get(reverse("session_ping")).json()["ends_in"] <= 60

    stayed = client.post(reverse("session_ping")).json()
    assert 1790 <= stayed["ends_in"] <= 1800
    move_clock(client, idle_minutes=29)
    assert client.get(reverse("child_list")).status_code == 200


def test_r9_staying_signed_in_needs_the_csrf_token(world):
    client = world.client("practitioner")
    used(client)

    forged = client.post(reverse("session_ping"), HTTP_X_CSRFTOKEN="forged")

    assert forged.status_code == 403


def test_r9_an_ended_session_asking_how_long_is_left_is_sent_to_sign_in(world):
    client = world.client("practitioner")
    used(client)
    move_clock(client, idle_minutes=31)

    ended = client.get(reverse("session_ping"))

    assert ended.status_code == 302
    assert ended.url == reverse("account_login")  # not back to the ping after signing in


def test_r9_signing_in_records_the_device_and_address_and_signing_out_forgets_it(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="10.0.0.2")
    signed_in = sign_in_with_form(client, "senior@acorns.test", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert signed_in.status_code == 302
    record = record_of(client)
    assert record.ip == "203.0.113.77"  # what the trusted proxy saw, not the socket

    listed = page_text(client.get(reverse("sessions"), HTTP_X_FORWARDED_FOR="203.0.113.77"))
    assert "Safari on iPhone" in listed
    assert "network 203.0.113.x" in listed
    assert "This device" in listed
    assert "203.0.113.77" not in listed

    client.post(reverse("account_logout"))
    assert not SessionRecord.objects.filter(pk=record.pk).exists()


def test_r9_a_session_ended_from_the_list_stops_working_at_its_next_request(world):
    laptop = world.client("practitioner")
    laptop.defaults.update(HTTP_USER_AGENT=WINDOWS_EDGE, REMOTE_ADDR="198.51.100.20")
    phone = world.client("practitioner")
    phone.defaults["HTTP_USER_AGENT"] = IPHONE
    used(laptop, reverse("child_list"))
    listed = page_text(used(phone))
    assert "Edge on Windows" in listed
    assert "network 198.51.100.x" in listed
    laptop_record = record_of(laptop)

    done = phone.post(reverse("session_end", args=[laptop_record.pk]))

    assert done.url == reverse("sessions")
    assert laptop.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert signed_out(laptop)
    assert not SessionRecord.objects.filter(pk=laptop_record.pk).exists()
    assert phone.get(reverse("child_list")).status_code == 200
    assert "Edge on Windows" not in page_text(phone.get(reverse("sessions")))
    assert AuditEvent.objects.filter(action="user.session_ended").exists()


def test_r9_a_session_whose_key_changed_since_its_record_was_written_still_ends(world):
    """Its record had the old key; the next write finds the record gone."""
    laptop, phone = world.client("practitioner"), world.client("practitioner")
    used(laptop)
    used(phone)
    record = record_of(laptop)
    SessionRecord.objects.filter(pk=record.pk).update(key_prefix="zzzzzzzz", key_hash="0" * 64)

    phone.post(reverse("session_end", args=[record.pk]))
    move_clock(laptop, idle_minutes=2)  # its next request writes its use

    assert laptop.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert "ended from another of your devices" in said(laptop.get(reverse("account_login")))


def test_r9_nobody_ends_another_persons_session(world):
    senior = world.client("senior")
    used(senior)
    record = record_of(senior)

    for name in ("practitioner", "manager", "other_manager"):
        assert world.client(name).post(reverse("session_end", args=[record.pk])).status_code == 404

    assert senior.get(reverse("child_list")).status_code == 200


def test_r9_ending_this_session_from_the_list_signs_out(world):
    client = world.client("parent_amy")
    used(client)

    done = client.post(reverse("session_end", args=[record_of(client).pk]))

    assert done.url == reverse("account_login")
    assert signed_out(client)


def test_r9_ending_every_other_session_keeps_this_one_and_the_api_keys(world):
    phone, laptop, tablet = (world.client("senior") for _ in range(3))
    for client in (phone, laptop, tablet):
        used(client)
    _token, secret = people.api_token_create(
        actor=world.actor("senior"), name="App", password=PASSWORD
    )
    assert page_text(phone.get(reverse("sessions"))).count("End this session") == 2

    done = phone.post(reverse("sessions_end_others"))

    assert done.url == reverse("sessions")
    for other in (laptop, tablet):
        assert other.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert phone.get(reverse("child_list")).status_code == 200
    listed = page_text(phone.get(reverse("sessions")))
    assert listed.count("This device") == 1
    assert "End this session" not in listed
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert AuditEvent.objects.filter(action="user.signed_out_elsewhere").exists()


@pytest.mark.parametrize("how", ["password-change", "sign-out-everywhere", "suspension"])
def test_r7_r9_sessions_ended_by_the_existing_flows_end_and_leave_the_list(world, how):
    """A new password, "sign out of all devices" and a suspension end sessions
    by a new per-person salt (footsteps.people); their records stop being listed."""
    old, current = world.client("practitioner"), world.client("practitioner")
    used(old)
    used(current)
    if how == "password-change":
        current.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-new-long-phrase",
                "password2": "a-new-long-phrase",
            },
        )
    elif how == "sign-out-everywhere":
        current.post(reverse("sign_out_everywhere"))
    else:
        manager = world.actor("manager")
        people.membership_suspend(actor=manager, membership=world.members["practitioner"])
        people.membership_reactivate(actor=manager, membership=world.members["practitioner"])

    assert old.get(reverse("child_list")).url.startswith(reverse("account_login"))
    fresh = current if how == "password-change" else Client()
    if how != "password-change":
        sign_in_with_form(fresh, "practitioner@acorns.test")
    listed = page_text(fresh.get(reverse("sessions")))
    assert listed.count("This device") == 1
    assert "End this session" not in listed


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (IPHONE, "Safari on iPhone"),
        (WINDOWS_EDGE, "Edge on Windows"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Mac",
        ),
        ("python-httpx/0.27", "An unknown browser or app"),
    ],
)
def test_r9_devices_are_named_simply_from_the_user_agent(user_agent, shown):
    assert devices.device(user_agent) == shown


def test_r9_addresses_are_shown_as_networks_never_places():
    assert devices.network("203.0.113.77") == "network 203.0.113.x"
    assert devices.network("192.168.1.20") == "network 192.168.1.x"
    assert devices.network("2001:db8:5:1::7") == "network 2001:db8:5::/48"
    assert devices.network("2a00:23c5:1234:1::9") == "network 2a00:23c5:1234::/48"
    assert devices.network("unknown") == "an unknown address"
