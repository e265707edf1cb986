"""Suspension and sessions: a manager stops an account at once and every session
of it ends (R7); people sign out, also of every device (R9)."""

from django.test import Client
from django.urls import reverse

from footsteps.audit.models import AuditEvent
from footsteps.conftest import PASSWORD, activate, sign_in_with_form
from footsteps.people import services as people
from footsteps.people.models import Membership, Role


def _signed_out(client) -> bool:
    return "_auth_user_id" not in client.session


def _sign_in(email, password=PASSWORD):
    client = Client()
    return client, sign_in_with_form(client, email, password)


def _status(world, name):
    return Membership.objects.get(pk=world.members[name].pk).status


def test_r7_a_suspended_members_sessions_end_at_their_next_request(world):
    phone, laptop = world.client("practitioner"), world.client("practitioner")
    assert phone.get(reverse("child_list")).status_code == 200
    assert laptop.get("/api/v1/me").status_code == 200

    done = world.client("manager").post(
        reverse("person_suspend", args=[world.members["practitioner"].pk])
    )

    assert done.url == reverse("person_detail", args=[world.members["practitioner"].pk])
    assert _status(world, "practitioner") == Membership.Status.SUSPENDED
    ended = phone.get(reverse("child_list"))
    assert ended.url.startswith(reverse("account_login"))
    assert _signed_out(phone)
    assert phone.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert laptop.get("/api/v1/me").status_code == 401
    assert laptop.get(reverse("observation_create")).url.startswith(reverse("account_login"))
    assert _signed_out(laptop)
    event = world.members["manager"].setting.audit_events.first()
    assert event.action == "membership.suspended"


def test_r7_a_suspended_member_who_signs_in_again_sees_nothing(world):
    client, signed_in = _sign_in("suspended@acorns.test")
    assert signed_in.status_code == 302

    assert client.get(reverse("child_list")).url == reverse("no_access")
    assert client.get(reverse("no_access")).status_code == 403
    assert client.get("/api/v1/children").status_code == 401


def test_r7_reactivation_lets_them_back_in(world):
    manager = world.client("manager")

    done = manager.post(reverse("person_reactivate", args=[world.members["suspended"].pk]))

    assert done.status_code == 302
    assert _status(world, "suspended") == Membership.Status.ACTIVE
    client, _ = _sign_in("suspended@acorns.test")
    assert client.get(reverse("child_list")).status_code == 200


def test_r7_someone_suspended_before_accepting_needs_a_new_invitation(
    world, django_capture_on_commit_callbacks
):
    from django.core import mail

    manager = world.client("manager")
    invited = people.staff_invite(
        actor=world.actor("manager"),
        email="late@acorns.test",
        full_name="Late Starter",
        role=Role.PRACTITIONER,
    )
    manager.post(reverse("person_suspend", args=[invited.pk]))
    manager.post(reverse("person_reactivate", args=[invited.pk]))
    invited.refresh_from_db()
    assert invited.status == Membership.Status.INVITED

    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("person_resend", args=[invited.pk]))

    assert mail.outbox[-1].to == ["late@acorns.test"]
    assert activate(invited).status == Membership.Status.ACTIVE


def test_r7_a_manager_cannot_suspend_themselves(world):
    manager = world.client("manager")
    own = world.members["manager"].pk

    response = manager.post(reverse("person_suspend", args=[own]), follow=True)

    assert b"You cannot suspend yourself." in response.content
    assert _status(world, "manager") == Membership.Status.ACTIVE
    assert manager.get(reverse("staff_list")).status_code == 200
    api = manager.post(f"/api/v1/people/{own}/suspend")
    assert api.status_code == 409
    assert _status(world, "manager") == Membership.Status.ACTIVE


def test_r7_r12_the_last_manager_stays_and_a_second_manager_can_be_suspended(world):
    manager = world.client("manager")
    own = world.members["manager"].pk

    stepping_down = manager.post(
        reverse("person_role", args=[own]), {"role": "senior"}, follow=True
    )
    assert b"A setting needs at least one active manager." in stepping_down.content
    assert Membership.objects.get(pk=own).role == Role.MANAGER

    manager.post(reverse("person_role", args=[world.members["senior"].pk]), {"role": "manager"})
    second = world.client("senior")  # now a manager
    second.post(reverse("person_suspend", args=[own]))

    assert _status(world, "manager") == Membership.Status.SUSPENDED
    assert manager.get(reverse("staff_list")).url.startswith(reverse("account_login"))
    last = second.post(
        reverse("person_role", args=[world.members["senior"].pk]), {"role": "practitioner"}
    )
    assert last.status_code == 302
    assert Membership.objects.get(pk=world.members["senior"].pk).role == Role.MANAGER


def test_r7_suspension_in_one_setting_leaves_the_other_untouched(world, zed_parent_at_acorns):
    """Zed's parent also has Ben at Little Acorns; suspended there, they still use Oak Tree."""
    at_acorns = zed_parent_at_acorns
    world.members["parent_zed_at_acorns"] = at_acorns
    acorns_session = world.client("parent_zed_at_acorns")
    assert acorns_session.get(reverse("feed")).status_code == 200

    world.client("manager").post(reverse("person_suspend", args=[at_acorns.pk]))

    assert acorns_session.get(reverse("feed")).url.startswith(reverse("account_login"))
    client, _ = _sign_in("parent_zed@family.test")
    feed = client.get(reverse("feed"))
    assert feed.status_code == 200
    assert feed.wsgi_request.actor.setting.name == "Oak Tree"
    assert _status(world, "parent_zed") == Membership.Status.ACTIVE


def test_r9_sign_out_of_all_devices_ends_every_session(world):
    phone, laptop = world.client("practitioner"), world.client("practitioner")
    assert laptop.get(reverse("child_list")).status_code == 200

    response = phone.post(reverse("sign_out_everywhere"))

    assert response.url == reverse("account_login")
    assert _signed_out(phone)
    assert laptop.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert laptop.get("/api/v1/me").status_code == 401
    assert world.client("senior").get(reverse("child_list")).status_code == 200  # others stay
    client, _ = _sign_in("practitioner@acorns.test")
    assert client.get(reverse("child_list")).status_code == 200
    assert AuditEvent.objects.filter(
        action="user.signed_out_everywhere", actor=world.members["practitioner"].user
    ).exists()


def test_r9_signing_out_ends_only_this_session(world):
    phone, laptop = world.client("practitioner"), world.client("practitioner")

    phone.post(reverse("account_logout"))

    assert _signed_out(phone)
    assert phone.get(reverse("child_list")).url.startswith(reverse("account_login"))
    assert laptop.get(reverse("child_list")).status_code == 200


def test_r9_changing_the_password_signs_out_other_devices(world):
    phone, laptop = world.client("practitioner"), world.client("practitioner")
    new_password = "a-brand-new-passphrase"

    changed = phone.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )

    assert changed.status_code == 302
    assert phone.get(reverse("child_list")).status_code == 200  # this device stays in
    assert laptop.get(reverse("child_list")).url.startswith(reverse("account_login"))
    _, old = _sign_in("practitioner@acorns.test", PASSWORD)
    assert old.status_code == 200  # the old password no longer works
