"""Managers correct people's names, addresses and relationships (R33), kept as
history (R39); an address that is someone's sign-in changes only when its
owner proves it (issue 11's rule: identity changes only through flows that
prove who is asking)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from footsteps.audit.models import AuditEvent
from footsteps.children.models import ParentLink
from footsteps.conftest import PASSWORD, signed_in_client
from footsteps.people import services as people
from footsteps.people.models import Role, User

LINK = re.compile(r"https?://[^/\s]+(/account/email/confirm/[^\s]+/)")


@pytest.fixture
def outbox(world):
    mail.outbox.clear()
    return mail.outbox


def correct(world, membership, capture, **data):
    with capture(execute=True):
        return world.client("manager").post(
            reverse("person_details", args=[membership.pk]), data, follow=True
        )


def test_r33_a_manager_corrects_someone_not_yet_joined_and_the_invitation_goes_again(
    world, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = people.staff_invite(
            actor=world.actor("manager"),
            email="jo.typo@acorns.test",
            full_name="Jo Smiht",
            role=Role.PRACTITIONER,
        )
    outbox.clear()

    page = correct(
        world,
        newcomer,
        django_capture_on_commit_callbacks,
        full_name="Jo Smith",
        email="jo.smith@acorns.test",
    )

    assert page.status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.display_name == "Jo Smith"
    assert newcomer.user.email == "jo.smith@acorns.test"
    assert [m.to for m in outbox] == [["jo.smith@acorns.test"]]  # the invitation, again
    text = page.content.decode()
    assert "a new invitation went to jo.smith@acorns.test" in text
    # The history on their page says what each correction replaced.
    assert "corrected a person&#x27;s name" in text
    assert "was “Jo Smiht”, now “Jo Smith”" in text
    assert "was “jo.typo@acorns.test”" in text


def test_r33_a_joined_persons_new_address_changes_only_when_they_confirm_it_signed_in(
    world, outbox, django_capture_on_commit_callbacks
):
    parent = world.members["parent_amy"]
    old = parent.user.email

    page = correct(
        world,
        parent,
        django_capture_on_commit_callbacks,
        full_name="Amy's Mum",
        email="amy.mum@family.test",
    )

    assert "The address changes when Amy&#x27;s Mum opens it" in page.content.decode()
    parent.user.refresh_from_db()
    assert parent.user.full_name == "Amy's Mum"  # a name is corrected at once
    assert parent.user.email == old  # an address is not
    (sent,) = outbox
    assert sent.to == ["amy.mum@family.test"]
    assert "Little Acorns corrected the email address" in sent.body
    path = LINK.search(sent.body).group(1)

    # The manager who asked, or anyone else holding the link, cannot complete it.
    manager = world.client("manager")
    manager.post(path, {})
    parent.user.refresh_from_db()
    assert parent.user.email == old

    with django_capture_on_commit_callbacks(execute=True):
        world.client("parent_amy").post(path, {})
    parent.user.refresh_from_db()
    assert parent.user.email == "amy.mum@family.test"
    assert User.objects.get(pk=parent.user.pk).check_password(PASSWORD)


def test_r33_an_address_that_has_an_account_gets_a_notice_and_nothing_changes(
    world, outbox, django_capture_on_commit_callbacks
):
    parent = world.members["parent_amy"]
    taken = world.members["parent_ben"].user.email

    correct(
        world,
        parent,
        django_capture_on_commit_callbacks,
        full_name=parent.display_name,
        email=taken,
    )

    parent.user.refresh_from_db()
    assert parent.user.email != taken
    (sent,) = outbox
    assert sent.to == [taken]
    assert "/account/email/confirm/" not in sent.body


def test_r33_r32_a_name_carried_into_another_setting_is_not_changed_by_one_manager(
    world, zed_parent_at_acorns, django_capture_on_commit_callbacks
):
    """Zed's parent also belongs to Oak Tree: Little Acorns' manager may not
    rename the account both settings know."""
    page = correct(
        world,
        zed_parent_at_acorns,
        django_capture_on_commit_callbacks,
        full_name="Someone Else",
        email=zed_parent_at_acorns.user.email,
    )

    assert "also belongs to another setting" in page.content.decode()
    zed_parent_at_acorns.user.refresh_from_db()
    assert zed_parent_at_acorns.user.full_name != "Someone Else"
    assert not AuditEvent.objects.filter(action="person.name_corrected").exists()


def test_r33_bad_input_is_told_and_nothing_changes(world, django_capture_on_commit_callbacks):
    parent = world.members["parent_amy"]
    page = correct(
        world,
        parent,
        django_capture_on_commit_callbacks,
        full_name="   ",
        email="not-an-address",
    )
    text = page.content.decode()
    assert page.redirect_chain == []
    assert "This field is required." in text or "Enter their name." in text
    assert "Enter a valid email address." in text
    parent.user.refresh_from_db()
    assert parent.user.full_name != ""


def test_r33_r39_a_relationship_is_corrected_and_the_history_shows_it(world):
    link = ParentLink.objects.get(parent=world.members["parent_amy"], child=world.children["amy"])
    before = link.relationship

    page = world.client("manager").post(
        reverse("link_relationship", args=[link.pk]), {"relationship": "grandparent"}, follow=True
    )

    link.refresh_from_db()
    assert link.relationship == "grandparent"
    event = AuditEvent.objects.get(action="parent.relationship_changed")
    assert (event.data["before"], event.data["after"]) == (before, "grandparent")
    text = page.content.decode()
    assert "corrected how a parent or carer is related to a child" in text
    assert f"was “{before}”, now “grandparent”" in text
    # Another setting's manager cannot touch it (R12).
    other = signed_in_client(
        world.members["other_manager"].user, membership=world.members["other_manager"]
    )
    answer = other.post(reverse("link_relationship", args=[link.pk]), {"relationship": "carer"})
    assert answer.status_code == 404
    link.refresh_from_db()
    assert link.relationship == "grandparent"
