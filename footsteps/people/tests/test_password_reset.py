"""Account recovery through django-allauth's password reset (R1, R8, R9).

Everyone has a personal login (R1), so a forgotten password is recovered by the
person alone: they ask for a reset by email, the queued message is delivered
(queue -> task -> locmem outbox, see footsteps.core.mail), and its one-time link
lets them choose a new password. The old one stops working (R8). Asking for an
address that has no account looks exactly the same to the asker, so the form
cannot be used to find out who has an account, and the email names no child.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from footsteps.conftest import PASSWORD, page_text

NEW_PASSWORD = "a-brand-new-password-42"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)")


@pytest.fixture
def outbox(world):
    """The mail sent from here on (the world's invitations are forgotten)."""
    mail.outbox.clear()
    return mail.outbox


def request_reset(client: Client, email: str, capture):
    """Ask for a reset and let the queued email be delivered (on commit)."""
    with capture(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email}, follow=True)
    assert response.status_code == 200
    return response


def signs_in(email: str, password: str) -> bool:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def reset_link(message) -> str:
    texts = [message.body, *(content for content, _ in getattr(message, "alternatives", []))]
    links = {match for text in texts for match in RESET_LINK.findall(text)}
    assert len(links) == 1, texts
    return links.pop()


def test_r1_r8_a_user_resets_a_forgotten_password_by_email(
    world, outbox, django_capture_on_commit_callbacks
):
    user = world.members["parent_amy"].user
    assert signs_in(user.email, PASSWORD)
    client = Client()

    done = request_reset(client, user.email, django_capture_on_commit_callbacks)

    assert done.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert [message.to for message in outbox] == [[user.email]]
    link = reset_link(outbox[0])

    # allauth moves the key out of the URL into the session, then shows the form.
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    assert set_password_url.endswith("-set-password/")
    assert "password1" in form.content.decode()

    changed = client.post(
        set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assert changed.redirect_chain[-1][0] == reverse("account_reset_password_from_key_done")
    assert not signs_in(user.email, PASSWORD)
    assert signs_in(user.email, NEW_PASSWORD)
    # The link is single-use: a second visit no longer offers the form.
    again = Client().get(link, follow=True)
    assert "password1" not in again.content.decode()


def test_r1_an_unknown_address_sees_the_same_email_sent_page_as_a_known_one(
    world, outbox, django_capture_on_commit_callbacks
):
    known = request_reset(
        Client(), world.members["parent_amy"].user.email, django_capture_on_commit_callbacks
    )
    unknown = request_reset(Client(), "nobody@family.test", django_capture_on_commit_callbacks)

    assert unknown.redirect_chain == known.redirect_chain
    assert known.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert page_text(unknown) == page_text(known)


def test_r1_an_unknown_address_gets_no_email(world, outbox, django_capture_on_commit_callbacks):
    request_reset(Client(), "nobody@family.test", django_capture_on_commit_callbacks)

    # allauth's default (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True) mails an "Unknown
    # Account" notice inviting the address to sign up, which Footsteps never allows (R2).
    assert [(message.to, message.subject) for message in outbox] == []


def test_r1_r5_the_reset_email_names_no_child(world, outbox, django_capture_on_commit_callbacks):
    request_reset(
        Client(), world.members["parent_amy"].user.email, django_capture_on_commit_callbacks
    )

    assert len(outbox) == 1
    message = outbox[0]
    texts = [
        message.subject,
        message.body,
        *(content for content, _ in getattr(message, "alternatives", [])),
    ]
    for child in world.children.values():
        for name in (child.first_name, child.last_name):
            assert all(name not in text for text in texts), name
