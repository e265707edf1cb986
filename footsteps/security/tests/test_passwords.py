"""Passwords (R1, R37): 12 characters for staff, 10 for parents and carers, none
that is common or has leaked, no composition rules, every form saying the rule
before the person types. Each test goes through a real form: the invitation's
page (new staff, new parents, new login details from a manager), allauth's
password change and its reset by email."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from footsteps.conftest import PASSWORD, page_text
from footsteps.people.models import User

INVITE_LINK = re.compile(r"http://testserver(/invite/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/\S+/)")
ELEVEN = "plum crumbl"  # 11 characters, spaces count
TWELVE = "plum crumble"
TEN = "rhubarb ok"


def _latest_link(pattern, address):
    message = [m for m in mail.outbox if address in m.to][-1]
    return pattern.search(message.body).group(1)


@pytest.fixture
def invite(world, django_capture_on_commit_callbacks):
    """The manager invites someone on the real page; returns the emailed link."""

    def send(kind: str, address: str) -> str:
        manager = world.client("manager")
        data = {"full_name": "New Person", "email": address}
        if kind == "staff":
            data["role"] = "practitioner"
        else:
            data.update(child=world.children["ben"].pk, relationship="mother")
        with django_capture_on_commit_callbacks(execute=True):
            done = manager.post(reverse(f"{kind}_invite"), data)
        assert done.status_code == 302
        return _latest_link(INVITE_LINK, address)

    return send


def _choose(path, password):
    return Client().post(
        path, {"full_name": "New Person", "password1": password, "password2": password}
    )


def test_r1_r2_new_staff_read_the_12_character_rule_and_11_are_refused(world, invite):
    path = invite("staff", "newstaff@acorns.test")

    form = Client().get(path)
    assert "At least 12 characters" in page_text(form)
    short = _choose(path, ELEVEN)

    assert short.status_code == 200
    errors = short.context["form"].non_field_errors()
    assert "Use at least 12 characters: this one has 11." in errors
    assert not User.objects.get(email="newstaff@acorns.test").has_usable_password()
    assert _choose(path, TWELVE).status_code == 302
    assert User.objects.get(email="newstaff@acorns.test").check_password(TWELVE)


def test_r1_r2_new_parents_read_the_10_character_rule_and_10_are_enough(world, invite):
    path = invite("parent", "newparent@family.test")

    form = Client().get(path)
    assert "At least 10 characters" in page_text(form)
    assert "Use at least 10 characters" in str(_choose(path, "rhubarb o").context["form"])
    assert _choose(path, TEN).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password!2024", "too common, even with numbers or symbols added"),
        ("password1234", "This password is too common."),
        ("Liverpool2024!", "too common, even with numbers or symbols added"),
        ("1qaz2wsx3edc", "This password is too common."),
        ("qwertyuiopas", "runs along the keyboard"),
        ("abababababab", "repeats"),
        ("Little Acorns 1", "the name of the nursery"),
    ],
)
def test_r1_common_leaked_and_guessable_passwords_are_refused(world, invite, password, message):
    path = invite("staff", "guessable@acorns.test")

    refused = _choose(path, password)

    assert refused.status_code == 200
    assert message in " ".join(refused.context["form"].non_field_errors())


def test_r1_no_composition_rules_and_spaces_are_kept(world, invite):
    """Lower-case words and spaces only: long enough is strong enough. A
    leading or trailing space is part of the password, as typed or pasted."""
    path = invite("staff", "phrase@acorns.test")
    phrase = " tea kettle on the hob "

    assert _choose(path, phrase).status_code == 302
    assert User.objects.get(email="phrase@acorns.test").check_password(phrase)


def test_r1_nothing_on_the_pages_stops_pasting(world, invite):
    path = invite("staff", "paste@acorns.test")
    page = page_text(Client().get(path))
    change = page_text(world.client("senior").get(reverse("account_change_password")))

    for html in (page, change):
        assert "onpaste" not in html
        assert 'autocomplete="off"' not in html


def test_r1_a_staff_password_change_needs_12_and_says_so(world):
    senior = world.client("senior")

    form = senior.get(reverse("account_change_password"))
    assert "At least 12 characters" in page_text(form)
    short = senior.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": ELEVEN, "password2": ELEVEN},
    )

    assert short.status_code == 200
    assert short.context["form"].errors["password1"] == [
        "Use at least 12 characters: this one has 11."
    ]
    user = world.members["senior"].user
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    done = senior.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": TWELVE, "password2": TWELVE},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(TWELVE)


def test_r1_a_parent_password_change_needs_10(world):
    parent = world.client("parent_amy")

    assert "At least 10 characters" in page_text(parent.get(reverse("account_change_password")))
    done = parent.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": TEN, "password2": TEN},
    )

    assert done.status_code == 302


def test_r1_r8_a_reset_by_email_says_and_applies_the_staff_rule(
    world, django_capture_on_commit_callbacks
):
    email = world.members["practitioner"].user.email
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": email})
    form = client.get(_latest_link(RESET_LINK, email), follow=True)
    set_password = form.redirect_chain[-1][0]

    assert "At least 12 characters" in page_text(form)
    short = client.post(set_password, {"password1": ELEVEN, "password2": ELEVEN})
    assert short.context["form"].errors["password1"] == [
        "Use at least 12 characters: this one has 11."
    ]
    common = client.post(set_password, {"password1": "123456789012", "password2": "123456789012"})
    assert "This password is entirely numeric." in common.context["form"].errors["password1"]
    done = client.post(set_password, {"password1": TWELVE, "password2": TWELVE})
    assert done.status_code == 302


def test_r1_r8_new_login_details_from_a_manager_need_the_staff_rule(
    world, django_capture_on_commit_callbacks
):
    practitioner = world.members["practitioner"]
    with django_capture_on_commit_callbacks(execute=True):
        world.client("manager").post(reverse("person_new_login", args=[practitioner.pk]))
    path = _latest_link(INVITE_LINK, practitioner.user.email)

    assert "At least 12 characters" in page_text(Client().get(path))
    assert _choose(path, ELEVEN).status_code == 200
    assert _choose(path, TWELVE).status_code == 302


def test_r1_someone_both_parent_and_staff_needs_the_staff_length(world, zed_parent_at_acorns):
    """Zed's parent is only a parent; once staff anywhere, 12 characters."""
    user = zed_parent_at_acorns.user
    validate_password(TEN, user)
    zed_parent_at_acorns.role = "practitioner"
    zed_parent_at_acorns.save(update_fields=["role"])

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password(TEN, user)


def test_r1_the_operator_and_a_person_not_yet_saved_need_12(world):
    operator = User(email="ops@footsteps.test", is_staff=True, is_superuser=True)

    for user in (operator, None):
        with pytest.raises(ValidationError, match="at least 12 characters"):
            validate_password(TEN, user)
