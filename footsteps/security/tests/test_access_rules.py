"""Staff access rules (R10): a manager sets staff hours, the networks staff may
use and who has home access. They are checked at sign-in, on every page and
on every API request (keys and sessions), so a session that runs past closing
time stops working; managers are never locked out, parents are not staff;
every refusal is recorded and shown to the manager."""

from datetime import UTC, datetime, time

import pytest
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.conftest import PASSWORD, page_text, sign_in_with_form
from footsteps.people import services as people
from footsteps.security import access
from footsteps.security.models import AccessRules
from footsteps.security.tests.conftest import RULES_FORM, closed_today, set_rules

SETTING_NET = "203.0.113.0/24"
AT_THE_SETTING = "203.0.113.40"
AT_HOME = "198.51.100.9"


def sign_in(email, **extra):
    client = Client(**extra)
    return client, sign_in_with_form(client, email)


def signed_in(client) -> bool:
    return USER_KEY in client.session


def key_for(world, name) -> str:
    _token, secret = people.api_token_create(actor=world.actor(name), name="App", password=PASSWORD)
    return secret


def api_me(secret, **extra):
    return Client(**extra).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")


def refusals(action=None):
    events = AuditEvent.objects.filter(action__in=[access.DENIED_HOURS, access.DENIED_NETWORK])
    return events.filter(action=action) if action else events


# --- Staff hours -----------------------------------------------------------------------


def test_r10_staff_outside_the_hours_are_refused_at_sign_in_and_it_is_recorded(world):
    set_rules(world, **closed_today(world))

    client, response = sign_in("practitioner@acorns.test")

    assert response.status_code == 200
    assert not signed_in(client)
    assert "Little Acorns opens Footsteps to staff on" in page_text(response)
    event = refusals(access.DENIED_HOURS).get()
    assert event.actor_id == world.members["practitioner"].user_id
    assert event.data["where"] == "at sign-in"


def test_r10_a_session_that_runs_past_closing_time_stops_with_a_page_saying_why(world):
    client = world.client("practitioner")
    assert client.get(reverse("child_list")).status_code == 200

    set_rules(world, **closed_today(world))
    refused = client.get(reverse("child_list"))

    assert refused.status_code == 403
    text = page_text(refused)
    assert "Outside staff access hours" in text
    assert "Little Acorns opens Footsteps to staff on" in text
    assert "You have been signed out" in text
    assert "Ben Acorn" not in text
    assert "idle-warning" not in text
    assert not signed_in(client)
    assert refusals(access.DENIED_HOURS).get().data["where"] == "on a page"


def test_r10_staff_outside_the_hours_are_refused_on_the_api_with_a_key_or_a_session(world):
    secret = key_for(world, "senior")
    browser = world.client("senior")
    assert api_me(secret).status_code == browser.get("/api/v1/me").status_code == 200

    set_rules(world, **closed_today(world))

    for response in (api_me(secret), browser.get("/api/v1/me")):
        assert response.status_code == 403
        body = response.json()
        assert set(body) == {"detail", "errors"}
        assert body["detail"].startswith("Little Acorns opens Footsteps to staff on")


def test_r10_staff_inside_the_hours_are_let_in(world):
    if timezone.localtime().time() >= time(23, 59):
        pytest.skip("the last minute of the day is outside 00:00 to 23:59")
    set_rules(
        world, limit_hours="on", staff_days=list("0123456"), opens_at="00:00", closes_at="23:59"
    )
    secret = key_for(world, "practitioner")

    client, response = sign_in("practitioner@acorns.test")

    assert signed_in(client)
    assert client.get(reverse("child_list")).status_code == 200
    assert api_me(secret).status_code == 200
    assert not refusals().exists()


def test_r10_a_manager_is_never_locked_out_of_their_own_setting(world):
    set_rules(world, **closed_today(world), networks=SETTING_NET)
    secret = key_for(world, "manager")

    client, _ = sign_in("manager@acorns.test", REMOTE_ADDR=AT_HOME)

    assert signed_in(client)
    assert client.get(reverse("access_rules"), REMOTE_ADDR=AT_HOME).status_code == 200
    assert api_me(secret, REMOTE_ADDR=AT_HOME).status_code == 200
    assert not refusals().exists()


def test_r10_parents_are_not_held_to_staff_hours_or_networks(world):
    set_rules(world, **closed_today(world), networks=SETTING_NET)
    secret = key_for(world, "parent_amy")

    client, _ = sign_in("parent_amy@family.test", REMOTE_ADDR=AT_HOME)

    assert signed_in(client)
    assert client.get(reverse("feed"), REMOTE_ADDR=AT_HOME).status_code == 200
    assert world.client("parent_ben").get(reverse("feed")).status_code == 200
    assert api_me(secret, REMOTE_ADDR=AT_HOME).status_code == 200
    assert not refusals().exists()


def test_r10_someone_staff_here_and_a_parent_elsewhere_still_signs_in(world, zed_parent_at_acorns):
    """Zed's parent is a parent at Oak Tree; made a practitioner at Little
    Acorns, which is closed, they sign in and use Oak Tree only."""
    zed_parent_at_acorns.role = "practitioner"
    zed_parent_at_acorns.save(update_fields=["role"])
    set_rules(world, **closed_today(world))

    client, _ = sign_in("parent_zed@family.test")

    assert signed_in(client)
    chosen = {"membership": zed_parent_at_acorns.pk}
    assert client.post(reverse("choose_setting"), chosen).url == reverse("home")
    # The staff agreement comes first; its page is refused too.
    assert client.get(reverse("child_list")).url == reverse("agreement")
    assert client.get(reverse("agreement")).status_code == 403
    assert not signed_in(client)


def test_r10_hours_are_read_in_the_settings_time_zone(world):
    """Monday to Friday 07:30 to 18:30, in June (British Summer Time, UTC+1)."""
    rules = AccessRules(
        setting=world.members["manager"].setting,
        limit_hours=True,
        staff_days="01234",
        opens_at=time(7, 30),
        closes_at=time(18, 30),
    )

    def at(day, hour, minute):
        return datetime(2026, 6, day, hour, minute, tzinfo=UTC)

    assert not access.within_hours(rules, at(1, 6, 29))  # Monday 07:29 BST
    assert access.within_hours(rules, at(1, 6, 30))  # 07:30
    assert access.within_hours(rules, at(5, 17, 29))  # Friday 18:29
    assert not access.within_hours(rules, at(5, 17, 30))  # 18:30: closed
    assert not access.within_hours(rules, at(6, 10, 0))  # Saturday
    assert access.within_hours(rules, datetime(2026, 1, 5, 7, 30, tzinfo=UTC))  # GMT, Monday
    practitioner = world.members["practitioner"]
    practitioner.setting.access_rules = rules
    refusal = access.refusal_for(practitioner, AT_THE_SETTING, at(6, 10, 0))
    assert refusal.message == (
        "Little Acorns opens Footsteps to staff on Monday to Friday, 07:30 to 18:30. It is now "
        "Saturday 11:00. Please sign in again then, or ask a manager."
    )


def test_r10_days_are_said_in_words():
    assert access.days_in_words("01234") == "Monday to Friday"
    assert access.days_in_words("024") == "Monday, Wednesday and Friday"
    assert access.days_in_words("56") == "Saturday and Sunday"
    assert access.days_in_words("3") == "Thursday"


# --- Networks and home access --------------------------------------------------------------


def test_r10_staff_outside_the_settings_network_are_refused(world):
    set_rules(world, networks=f"{SETTING_NET}\n2001:db8:5::/48")
    at_setting, at_home = world.client("practitioner"), world.client("senior")
    secret = key_for(world, "practitioner")

    assert at_setting.get(reverse("child_list"), REMOTE_ADDR=AT_THE_SETTING).status_code == 200
    assert at_setting.get(reverse("child_list"), REMOTE_ADDR="2001:db8:5::7").status_code == 200
    refused = at_home.get(reverse("child_list"), REMOTE_ADDR=AT_HOME)
    assert refused.status_code == 403
    assert "Not from this network" in page_text(refused)
    assert f"address ({AT_HOME}) is not on it" in page_text(refused)
    assert not signed_in(at_home)
    assert api_me(secret, REMOTE_ADDR=AT_THE_SETTING).status_code == 200
    assert api_me(secret, REMOTE_ADDR=AT_HOME).status_code == 403
    _client, response = sign_in("senior@acorns.test", REMOTE_ADDR=AT_HOME)
    assert "is not on it" in page_text(response)
    # The senior's refusal at sign-in, minutes after the page's, is not recorded again.
    assert {e.data["where"] for e in refusals(access.DENIED_NETWORK)} == {
        "on a page",
        "through the API",
    }


def test_r10_the_address_comes_only_from_the_trusted_proxy(world, settings):
    set_rules(world, networks=SETTING_NET)
    client = world.client("practitioner")
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": AT_THE_SETTING}

    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(reverse("child_list"), **forged).status_code == 200

    settings.TRUSTED_PROXY_COUNT = 0  # no proxy: the header is anyone's to write
    assert client.get(reverse("child_list"), **forged).status_code == 403


def test_r10_staff_given_home_access_sign_in_from_anywhere_within_the_hours(world):
    practitioner = world.members["practitioner"]
    set_rules(world, networks=SETTING_NET, home_access=[practitioner.pk])

    client, _ = sign_in("practitioner@acorns.test", REMOTE_ADDR=AT_HOME)
    assert signed_in(client)
    assert client.get(reverse("child_list"), REMOTE_ADDR=AT_HOME).status_code == 200
    assert world.client("senior").get(reverse("child_list"), REMOTE_ADDR=AT_HOME).status_code == 403
    # Home access is where, not when.
    set_rules(world, networks=SETTING_NET, home_access=[practitioner.pk], **closed_today(world))
    assert client.get(reverse("child_list"), REMOTE_ADDR=AT_HOME).status_code == 403
    assert refusals(access.DENIED_HOURS).filter(actor_id=practitioner.user_id).exists()


def test_r10_home_access_is_offered_for_this_settings_staff_only(world):
    form = world.client("manager").get(reverse("access_rules")).context["form"]

    offered = {m.display_name for m in form.fields["home_access"].queryset}
    assert offered == {"Practitioner Person", "Senior Person"}  # no managers, no suspended
    other = world.client("other_manager").post(
        reverse("access_rules"), {**RULES_FORM, "home_access": [world.members["senior"].pk]}
    )
    assert "home_access" in other.context["form"].errors


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("203.0.113.7/24", "write the range, 203.0.113.0/24, or the single address"),
        ("the office", "“the office” is not an address or an address range"),
        ("0.0.0.0/0", "is every address there is: leave the box empty instead"),
    ],
)
def test_r10_networks_are_checked_with_clear_messages(world, typed, message):
    refused = world.client("manager").post(
        reverse("access_rules"), {**RULES_FORM, "networks": f"{SETTING_NET}\n{typed}"}
    )

    assert refused.status_code == 200
    assert message in " ".join(refused.context["form"].errors["networks"])
    assert not AccessRules.objects.exists()


def test_r10_hours_need_days_and_closing_after_opening(world):
    form = world.client("manager").post(
        reverse("access_rules"),
        {**RULES_FORM, "limit_hours": "on", "staff_days": [], "closes_at": "06:00"},
    )

    errors = form.context["form"].errors
    assert errors["staff_days"] == ["Choose the days staff may sign in."]
    form = world.client("manager").post(
        reverse("access_rules"), {**RULES_FORM, "limit_hours": "on", "closes_at": "06:00"}
    )
    assert form.context["form"].errors["closes_at"] == [
        "Closing must be later than opening, on the same day."
    ]


# --- What the manager sees -----------------------------------------------------------------


def test_r10_r39_refused_attempts_are_shown_to_the_manager(world):
    set_rules(world, networks=SETTING_NET)
    world.client("practitioner").get(reverse("child_list"), REMOTE_ADDR=AT_HOME)

    rules_page = page_text(world.client("manager").get(reverse("access_rules")))
    assert "Practitioner Person</strong> was refused: not on the setting" in rules_page
    assert AT_HOME in rules_page
    log = world.client("manager").get(reverse("audit_log"), {"action": access.DENIED_NETWORK})
    assert "was refused: not on the setting" in page_text(log)
    other = page_text(world.client("other_manager").get(reverse("access_rules")))
    assert "Nobody has been refused." in other


def test_r10_one_person_refused_again_and_again_is_recorded_once_in_ten_minutes(world):
    set_rules(world, **closed_today(world))
    secret = key_for(world, "practitioner")

    for _ in range(5):
        assert api_me(secret).status_code == 403

    assert refusals().count() == 1


def test_r10_a_refused_htmx_request_sends_the_window_to_sign_in(world):
    client = world.client("practitioner")
    set_rules(world, **closed_today(world))

    refused = client.get(reverse("child_list"), HTTP_HX_REQUEST="true")

    assert refused["HX-Redirect"] == reverse("account_login")
    assert not signed_in(client)


def test_r10_r39_rule_changes_are_in_the_log(world):
    set_rules(world, networks=SETTING_NET, home_access=[world.members["senior"].pk])

    event = AuditEvent.objects.filter(action="access_rules.updated").get()
    assert event.data["changes"]["networks"] == ["", SETTING_NET]
    assert event.data["changes"]["home_access"] == [[], [world.members["senior"].pk]]
