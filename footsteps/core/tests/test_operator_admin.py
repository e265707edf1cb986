"""The operator's admin site (R32) and personal logins (R1).

Whoever runs Footsteps administers settings and accounts, never a setting's
records: the admin registers no child, journal or parent-link model, and a
superuser browsing every admin page reads no child's name.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import IntegrityError, transaction
from django.urls import reverse

from footsteps.children.models import Child, ParentLink
from footsteps.conftest import page_text, signed_in_client
from footsteps.core import seeding
from footsteps.people import services as people
from footsteps.people.models import Membership, Role, User

CHILD_DATA = (
    "Amy Acorn",
    "Ben Acorn",
    "Cara Acorn",
    "Zed Oak",
    "Tower of blocks",
    "Built together",
    "Amy loved this!",
    "Climbed the big slide",
    "Zed paints",
)


@pytest.fixture
def operator(world):
    """A superuser of the service, with no membership in any setting."""
    user = User.objects.create_superuser("ops@footsteps.test", "ops-password-1234", full_name="Ops")
    seeding.authenticator_app(user)  # the operator always has a second step (R37)
    return signed_in_client(user)


def _admin_pages(client):
    """Every page the admin offers for every registered model: list, add, and the
    change page of each object."""
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:{}_{}_changelist".format(*info)) + "?q=Amy")
        for pk in model._default_manager.values_list("pk", flat=True):
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
        if model_admin.has_add_permission(client.get(pages[0]).wsgi_request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
    return pages


def test_r32_the_operator_admin_registers_no_child_journal_or_link_model():
    registered = set(admin.site._registry)

    for app_label in ("children", "journal"):
        assert not registered & set(apps.get_app_config(app_label).get_models()), app_label
    assert Child not in registered
    assert ParentLink not in registered
    # Extra email addresses would let the operator take over an account (issue 11).
    assert {m._meta.label for m in registered} == {"people.User", "tenancy.Setting"}


def test_r32_a_superuser_browsing_the_whole_admin_reads_no_childs_records(world, operator):
    pages = _admin_pages(operator)
    assert len(pages) > 10  # the users and settings of the world are there to open

    for path in pages:
        response = operator.get(path)
        assert response.status_code == 200, path
        content = page_text(response)
        for text in CHILD_DATA:
            assert text not in content, (path, text)
    assert operator.get("/operator/children/child/").status_code == 404
    assert operator.get("/operator/journal/observation/").status_code == 404


def test_r32_r2_the_operator_cannot_read_queued_invitation_links(
    world, operator, settings, django_capture_on_commit_callbacks
):
    """In production emails wait in the database task queue: their arguments hold
    working invitation links, which would let the operator take over an account."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        people.staff_invite(
            actor=world.actor("manager"),
            email="queued@acorns.test",
            full_name="Queued Person",
            role=Role.PRACTITIONER,
        )
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.exists()  # the invitation is queued, not yet sent

    for path in _admin_pages(operator):
        assert "/invite/" not in operator.get(path).content.decode(), path


def test_r32_the_operator_has_no_way_into_a_settings_pages_or_api(world, operator):
    assert operator.get(reverse("child_list")).url == reverse("no_access")
    assert operator.get(reverse("feed")).url == reverse("no_access")
    assert operator.get("/api/v1/children").status_code == 401


@pytest.mark.parametrize("name", ["manager", "parent_amy"])
def test_r32_people_of_a_setting_are_not_let_into_the_operator_admin(world, name):
    client = world.client(name)

    for path in ("/operator/", "/operator/people/user/", "/operator/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("admin:login")), path


def test_r1_emails_are_unique_whatever_their_case_in_the_database(world):
    senior = world.members["senior"].user

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=senior.pk).update(email="MANAGER@Acorns.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Practitioner@ACORNS.TEST", full_name="Twin")])

    senior.email = "  Senior.Person@ACORNS.test "
    senior.save()
    senior.refresh_from_db()
    assert senior.email == "senior.person@acorns.test"


def test_r1_one_login_has_one_membership_per_setting(world):
    practitioner = world.members["practitioner"]

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=practitioner.user, setting=practitioner.setting, role=Role.PARENT
        )


def test_r1_production_hashes_passwords_with_argon2(world):
    """Tests use MD5 for speed (config/test_settings.py); production must not."""
    import config.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in hasher for hasher in production.PASSWORD_HASHERS)
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("a-long-test-password", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("a-long-test-password", encoded)
    assert not hasher.verify("another-password", encoded)
    # Passwords set through the app are never stored as typed.
    stored = world.members["manager"].user.password
    assert "a-long-test-password" not in stored
    assert world.members["manager"].user.check_password("a-long-test-password")


def test_r32_operator_cannot_change_an_accounts_email_to_take_it_over(world, client):
    """Changing a manager's email in the admin, then resetting the password, would
    hand the operator the journals: the email is read-only there."""
    from footsteps.audit.models import AuditEvent
    from footsteps.people.models import User

    operator = User.objects.create_superuser("operator@service.test", "operator-password-1")
    seeding.authenticator_app(operator)
    client = signed_in_client(operator)
    manager = world.members["manager"].user
    url = f"/operator/people/user/{manager.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="email"' not in page.content
    client.post(url, {"email": "operator@evil.test", "is_active": ""})
    manager.refresh_from_db()
    assert manager.email == "manager@acorns.test"
    assert manager.is_active is False  # switching an account off is allowed...
    logged = AuditEvent.objects.get(action="operator.account_changed")
    assert logged.setting_id == world.members["manager"].setting_id  # ...and the setting sees it
