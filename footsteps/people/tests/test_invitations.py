"""Invitations (R2): the setting registers a person by email, Footsteps emails a
link, and the person sets up their own account (R1: a personal login).

The mail goes all the way: the manager's page queues it, the task delivers it
over SMTP to a real server on loopback, and the test reads the link from the
message that server received.
"""

import email
import re
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from footsteps.children.models import ParentLink, PendingLink
from footsteps.conftest import PASSWORD, set_up_authenticator_app
from footsteps.people.models import Invitation, Membership, User, hash_token

NEW_PASSWORD = "plum-crumble-on-tuesday"


class Inbox:
    """An SMTP server's handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    def latest_link(self, address: str) -> str:
        """The invitation path in the newest message to this address."""
        body = self.to(address)[-1].get_body(("plain",)).get_content()
        return re.search(r"http://testserver(/invite/[^/\s]+/)", body).group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(world, settings):
    """Deliver mail to an SMTP server on 127.0.0.1 (after the world is built, so
    only the test's own messages arrive)."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {"BACKEND": "footsteps.core.mail.QueuedEmailBackend"},
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        },
    }
    yield inbox
    controller.stop()


@pytest.fixture
def invite_parent(world, django_capture_on_commit_callbacks):
    """The manager registers a parent on the invite page; mail leaves after commit."""

    def invite(email_address, *, child="ben", full_name="Nia Newparent", client=None):
        client = client or world.client("manager")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("parent_invite"),
                {
                    "full_name": full_name,
                    "email": email_address,
                    "child": world.children[child].pk,
                    "relationship": "mother",
                },
            )

    return invite


def _set_password(client, path, password=NEW_PASSWORD, *, again=None):
    return client.post(
        path,
        {"full_name": "Nia Newparent", "password1": password, "password2": again or password},
    )


def _sign_in(email_address, password):
    client = Client()
    response = client.post(reverse("account_login"), {"login": email_address, "password": password})
    return client, response


def test_r2_r1_invited_parent_sets_own_password_from_the_emailed_link_and_signs_in(
    world, inbox, invite_parent
):
    response = invite_parent("nia@family.test")

    membership = Membership.objects.get(user__email="nia@family.test")
    assert response.status_code == 302
    assert response.url == reverse("person_detail", args=[membership.pk])
    assert membership.status == Membership.Status.INVITED
    assert ParentLink.objects.filter(parent=membership, child=world.children["ben"]).exists()
    (message,) = inbox.to("nia@family.test")
    assert message["Subject"] == "[Footsteps] Little Acorns has invited you"
    path = inbox.latest_link("nia@family.test")

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert b"nia@family.test" in page.content
    assert _set_password(visitor, path).url == reverse("home")

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    # R1: stored hashed, never as typed.
    assert NEW_PASSWORD not in membership.user.password
    assert check_password(NEW_PASSWORD, membership.user.password)

    client, signed_in = _sign_in("nia@family.test", NEW_PASSWORD)
    assert signed_in.status_code == 302
    # A new parent's first stop is the agreement (R3).
    assert client.get(reverse("home"), follow=True).redirect_chain[-1][0] == reverse("agreement")
    _, refused = _sign_in("nia@family.test", "not-the-password")
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_r2_r4_staff_are_invited_the_same_way_and_meet_the_staff_agreement(
    world, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("manager").post(
            reverse("staff_invite"),
            {"full_name": "Sam Student", "email": "sam@acorns.test", "role": "practitioner"},
        )
    assert response.url == reverse("staff_list")
    visitor = Client()
    assert _set_password(visitor, inbox.latest_link("sam@acorns.test")).status_code == 302

    # Staff set up their second sign-in step first (R37), then meet the agreement.
    page = visitor.get(reverse("child_list"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("second_factor")
    set_up_authenticator_app(visitor)
    page = visitor.get(reverse("child_list"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("agreement")
    assert b"Staff agreement v1" in page.content
    assert Membership.objects.get(user__email="sam@acorns.test").role == "practitioner"


def test_r2_only_a_hash_of_the_emailed_token_is_stored(
    world, inbox, invite_parent, stored_in_database
):
    invite_parent("nia@family.test")
    token = inbox.latest_link("nia@family.test").split("/")[2]

    assert stored_in_database(token) == []
    invitation = Invitation.objects.get(membership__user__email="nia@family.test")
    assert invitation.token_hash == hash_token(token)


def test_r2_the_link_works_only_once(world, inbox, invite_parent):
    invite_parent("nia@family.test")
    path = inbox.latest_link("nia@family.test")
    _set_password(Client(), path)

    again = Client()
    page = again.get(path)
    assert page.status_code == 410
    assert b"already been used" in page.content
    assert _set_password(again, path, "someone-elses-password").status_code == 410
    user = User.objects.get(email="nia@family.test")
    assert check_password(NEW_PASSWORD, user.password)


def test_r2_an_expired_link_explains_itself_and_a_new_one_works(
    world, inbox, invite_parent, django_capture_on_commit_callbacks
):
    invite_parent("nia@family.test")
    path = inbox.latest_link("nia@family.test")
    membership = Membership.objects.get(user__email="nia@family.test")
    Invitation.objects.filter(membership=membership).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 410
    assert b"This link has expired" in page.content
    assert _set_password(visitor, path).status_code == 410
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED
    assert not membership.user.has_usable_password()

    with django_capture_on_commit_callbacks(execute=True):
        world.client("manager").post(reverse("person_resend", args=[membership.pk]))
    assert _set_password(visitor, inbox.latest_link("nia@family.test")).status_code == 302


def test_r2_tampered_and_unknown_links_are_not_recognised(world, inbox, invite_parent):
    invite_parent("nia@family.test")
    path = inbox.latest_link("nia@family.test")
    token = path.split("/")[2]
    tampered = f"/invite/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/"

    visitor = Client()
    for bad in (tampered, "/invite/not-a-real-token/"):
        page = visitor.get(bad)
        assert page.status_code == 404
        assert b"We do not recognise this link" in page.content
        assert _set_password(visitor, bad).status_code == 404
    assert not User.objects.get(email="nia@family.test").has_usable_password()


def test_r2_resending_an_invitation_invalidates_the_old_link(
    world, inbox, invite_parent, django_capture_on_commit_callbacks
):
    invite_parent("nia@family.test")
    old = inbox.latest_link("nia@family.test")
    membership = Membership.objects.get(user__email="nia@family.test")

    with django_capture_on_commit_callbacks(execute=True):
        resent = world.client("manager").post(reverse("person_resend", args=[membership.pk]))

    assert resent.url == reverse("person_detail", args=[membership.pk])
    new = inbox.latest_link("nia@family.test")
    assert len(inbox.to("nia@family.test")) == 2
    assert new != old
    visitor = Client()
    page = visitor.get(old)
    assert page.status_code == 410
    assert b"A newer invitation has been sent" in page.content
    assert _set_password(visitor, new).status_code == 302


def test_r2_a_suspended_invitees_link_stops_working(world, inbox, invite_parent):
    invite_parent("nia@family.test")
    membership = Membership.objects.get(user__email="nia@family.test")
    world.client("manager").post(reverse("person_suspend", args=[membership.pk]))

    page = Client().get(inbox.latest_link("nia@family.test"))

    assert page.status_code == 410
    assert not User.objects.get(email="nia@family.test").has_usable_password()


def test_r2_r1_an_address_with_an_account_elsewhere_joins_only_signed_in_with_its_password(
    world, inbox, invite_parent
):
    """Zed's parent (at Oak Tree) is registered at Little Acorns too, typed in
    another case: the same login gains a second membership, no second account,
    but only once its owner, signed in, types the password (R1, R2, R5)."""
    zed_parent = world.members["parent_zed"].user
    users_before = User.objects.count()

    invite_parent("Parent_Zed@FAMILY.test", full_name="Somebody Else")

    assert User.objects.count() == users_before
    memberships = Membership.objects.filter(user=zed_parent)
    assert {m.setting.name for m in memberships} == {"Little Acorns", "Oak Tree"}
    joining = memberships.get(setting__name="Little Acorns")
    (message,) = inbox.to("parent_zed@family.test")
    body = message.get_body(("plain",)).get_content()
    assert "You already have a Footsteps account" in body
    assert "Hello Somebody Else" in body  # the name this setting typed, not the account's

    path = inbox.latest_link("parent_zed@family.test")
    visitor = Client()
    page = visitor.get(path)
    assert b"Sign in to accept this invitation" in page.content
    assert "form" not in page.context
    assert b"Sign in to accept" in visitor.post(path).content  # the link alone does nothing
    joining.refresh_from_db()
    assert joining.status == Membership.Status.INVITED

    signed_in = world.client("parent_zed")
    wrong = signed_in.post(path, {"password": "not-my-password"})
    assert wrong.context["form"].errors["password"] == ["That is not your current password."]
    joining.refresh_from_db()
    assert joining.status == Membership.Status.INVITED

    accepted = signed_in.post(path, {"password": PASSWORD})

    assert accepted.url == reverse("home")
    joining.refresh_from_db()
    assert joining.status == Membership.Status.ACTIVE
    zed_parent.refresh_from_db()
    assert check_password(PASSWORD, zed_parent.password)
    assert zed_parent.full_name == "Zed Family"


def test_r2_r1_addresses_already_in_the_setting_match_whatever_their_case(
    world, inbox, invite_parent, django_capture_on_commit_callbacks
):
    users_before, memberships_before = User.objects.count(), Membership.objects.count()
    manager = world.client("manager")

    with django_capture_on_commit_callbacks(execute=True):
        staff = manager.post(
            reverse("staff_invite"),
            {"full_name": "Again", "email": "PRACTITIONER@Acorns.Test", "role": "senior"},
        )
    assert staff.status_code == 200
    assert staff.context["form"].errors["email"] == [
        "Someone with this email address is already in your setting."
    ]

    as_parent = invite_parent("Senior@ACORNS.test")
    assert as_parent.context["form"].errors["email"] == [
        "This address belongs to a member of staff here."
    ]

    # Amy's parent, typed in capitals, is the same person; already active here,
    # they are asked to accept Ben's journal too, and see it only once they do (R5).
    linked = invite_parent("PARENT_AMY@Family.Test")
    assert linked.url == reverse("person_detail", args=[world.members["parent_amy"].pk])
    link = {"parent": world.members["parent_amy"], "child": world.children["ben"]}
    assert not ParentLink.objects.filter(**link).exists()
    assert PendingLink.objects.filter(**link).exists()

    assert (User.objects.count(), Membership.objects.count()) == (
        users_before,
        memberships_before,
    )
    assert [m["To"] for m in inbox.messages] == ["parent_amy@family.test"]
    world.client("parent_amy").post(
        inbox.latest_link("parent_amy@family.test"), {"password": PASSWORD}
    )
    assert ParentLink.objects.filter(**link).exists()
    assert not PendingLink.objects.filter(**link).exists()


def test_r1_two_managers_cannot_create_two_accounts_for_one_address(world, invite_parent):
    invite_parent("nia@family.test")
    invite_parent("NIA@family.test", client=world.client("other_manager"), child="zed")

    assert User.objects.filter(email__iexact="nia@family.test").count() == 1
    assert Membership.objects.filter(user__email="nia@family.test").count() == 2


def test_r2_missing_fields_give_form_errors_and_send_nothing(world, inbox, invite_parent):
    invitations_before = Invitation.objects.count()
    manager = world.client("manager")

    blank = {"full_name": "", "email": "", "child": "", "relationship": "", "role": ""}
    parent = manager.post(reverse("parent_invite"), blank)
    staff = manager.post(reverse("staff_invite"), blank)

    assert parent.status_code == staff.status_code == 200
    assert set(parent.context["form"].errors) == {"full_name", "email", "child", "relationship"}
    assert set(staff.context["form"].errors) == {"full_name", "email", "role"}
    assert Invitation.objects.count() == invitations_before
    assert inbox.messages == []


def test_r2_invalid_email_addresses_are_refused_on_the_page_and_the_api(
    world, inbox, invite_parent
):
    users_before = User.objects.count()

    page = invite_parent("not-an-email")
    api = world.client("manager").post(
        "/api/v1/parents",
        {"email": "also not an email", "full_name": "Nia", "child_id": world.children["ben"].pk},
        content_type="application/json",
    )
    blank_name = world.client("manager").post(
        "/api/v1/staff",
        {"email": "ok@acorns.test", "full_name": "   ", "role": "practitioner"},
        content_type="application/json",
    )

    assert page.status_code == 200
    assert page.context["form"].errors["email"] == ["Enter a valid email address."]
    assert api.status_code == 422
    assert list(api.json()["errors"]) == ["email"]
    assert blank_name.status_code == 422
    assert list(blank_name.json()["errors"]) == ["full_name"]
    assert User.objects.count() == users_before
    assert inbox.messages == []


def test_r2_r1_the_chosen_password_must_match_and_be_strong(world, inbox, invite_parent):
    invite_parent("nia@family.test")
    path = inbox.latest_link("nia@family.test")
    visitor = Client()

    mismatch = _set_password(visitor, path, again="a-different-password")
    weak = _set_password(visitor, path, "password")

    assert mismatch.status_code == weak.status_code == 200
    assert mismatch.context["form"].errors["password2"] == ["The two passwords do not match."]
    assert "This password is too common." in weak.context["form"].non_field_errors()
    invitation = Invitation.objects.get(membership__user__email="nia@family.test")
    assert invitation.used_at is None
    assert not invitation.membership.user.has_usable_password()
    assert _set_password(visitor, path).status_code == 302


def test_r2_r1_nobody_can_sign_up_without_an_invitation(world):
    users_before = User.objects.count()

    Client().post(
        reverse("account_signup"),
        {"email": "stranger@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert User.objects.count() == users_before


# Transactional: the real worker command manages its own connection, as in production.
@pytest.mark.django_db(transaction=True)
def test_r2_the_production_mail_queue_keeps_no_invitation_token(
    world, settings, stored_in_database, django_capture_on_commit_callbacks, mailoutbox
):
    """With the production queue (django_tasks_db) the queued email is encrypted,
    and the worker wipes it once delivered: no working link is ever in the database."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        world.client("manager").post(
            reverse("staff_invite"),
            {"full_name": "Queued Person", "email": "queued@acorns.test", "role": "practitioner"},
        )
    queued = DBTaskResult.objects.get()
    assert "/invite/" not in str(queued.args_kwargs)
    assert "queued@acorns.test" not in str(queued.args_kwargs)

    call_command("db_worker", "--batch", verbosity=0)

    (message,) = [m for m in mailoutbox if "queued@acorns.test" in m.to]
    token = re.search(r"/invite/([^/\s]+)/", message.body).group(1)
    assert stored_in_database(token) == []
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.args_kwargs == {"args": [], "kwargs": {}}
