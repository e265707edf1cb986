"""The operator reads no journal unless a manager lets support in, for a
limited time; everything support does is in the setting's log and shown to
its managers (R32, R39)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.conftest import signed_in_client
from footsteps.core import seeding
from footsteps.people import services as people
from footsteps.people.models import Membership, User
from footsteps.support import services as support
from footsteps.support.models import SupportGrant

OPERATOR_PASSWORD = "ops-password-1234"


@pytest.fixture
def operator_user(world):
    user = User.objects.create_superuser("ops@footsteps.test", OPERATOR_PASSWORD, full_name="Ops")
    seeding.authenticator_app(user)  # the operator always has a second step (R37)
    return user


@pytest.fixture
def operator(operator_user):
    return signed_in_client(operator_user)


def _grant(world, hours=1):
    return support.grant(actor=world.actor("manager"), hours=hours, reason="Photos fail to upload")


def _enter(operator, grant):
    entered = operator.post(reverse("operator_support_enter", args=[grant.pk]))
    assert entered.status_code == 302
    return entered


def _accept_staff_agreement(operator):
    page = operator.get(reverse("agreement"))
    if page.status_code == 200:
        operator.post(reverse("agreement"), {"accept": "on"})


def test_r32_without_a_grant_the_operator_reads_no_journal(world, operator):
    amy = world.children["amy"]
    assert "No setting has let support in" in operator.get(reverse("operator_support")).text
    assert operator.get(reverse("child_detail", args=[amy.pk])).status_code in (302, 403)
    assert operator.post(reverse("operator_support_enter", args=[999])).status_code == 404
    grant = _grant(world)
    support.end(actor=world.actor("manager"), support=grant)
    assert operator.post(reverse("operator_support_enter", args=[grant.pk])).status_code == 404
    assert not Membership.objects.filter(user__is_superuser=True).exists()


def test_r32_r39_under_a_grant_every_request_is_logged_and_shown_to_the_manager(world, operator):
    amy = world.children["amy"]
    grant = _grant(world)
    assert "Little Acorns" in operator.get(reverse("operator_support")).text

    _enter(operator, grant)
    _accept_staff_agreement(operator)
    journal = operator.get(reverse("child_detail", args=[amy.pk]))

    assert journal.status_code == 200
    assert "as Footsteps support until" in journal.text
    seen = list(AuditEvent.objects.filter(action="support.request").values_list("data", flat=True))
    assert {"method": "GET", "path": reverse("child_detail", args=[amy.pk])} in seen
    assert AuditEvent.objects.filter(action="support.entered").count() == 1
    page = world.client("manager").get(reverse("support_access")).text
    assert reverse("child_detail", args=[amy.pk]) in page
    assert "Support can enter now" in page


def test_r32_a_manager_ends_support_access_and_the_next_request_is_refused(world, operator):
    amy = world.children["amy"]
    grant = _grant(world)
    _enter(operator, grant)
    _accept_staff_agreement(operator)
    assert operator.get(reverse("child_detail", args=[amy.pk])).status_code == 200

    ended = world.client("manager").post(reverse("support_end", args=[grant.pk]))

    assert ended.status_code == 302
    answer = operator.get(reverse("child_detail", args=[amy.pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))
    grant.refresh_from_db()
    assert grant.membership.status == Membership.Status.SUSPENDED
    assert AuditEvent.objects.filter(action="support.ended").exists()


def test_r32_support_access_ends_by_itself_when_its_time_is_up(world, operator):
    amy = world.children["amy"]
    grant = _grant(world)
    _enter(operator, grant)
    _accept_staff_agreement(operator)
    SupportGrant.objects.filter(pk=grant.pk).update(ends_at=timezone.now() - timedelta(seconds=1))

    answer = operator.get(reverse("child_detail", args=[amy.pk]))

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))
    grant.refresh_from_db()
    assert grant.ended_at is not None
    assert grant.membership.status == Membership.Status.SUSPENDED
    assert AuditEvent.objects.filter(action="support.expired").exists()


def test_r32_only_the_operator_enters_and_only_where_let_in(world, operator_user):
    grant = _grant(world)
    other_manager = world.client("other_manager")
    assert other_manager.get(reverse("operator_support")).status_code == 404
    assert other_manager.post(reverse("operator_support_enter", args=[grant.pk])).status_code == (
        404
    )
    # Another setting's manager cannot end Little Acorns' grant either.
    assert other_manager.post(reverse("support_end", args=[grant.pk])).status_code == 404
    grant.refresh_from_db()
    assert grant.is_current


def test_r32_support_gets_no_api_key(world, operator_user):
    grant = _grant(world)
    membership = support.enter(user=operator_user, support=grant)
    from footsteps.access.actor import Actor

    with pytest.raises(ValidationError, match="browser only"):
        people.api_token_create(
            actor=Actor.of(membership), name="script", password=OPERATOR_PASSWORD
        )


def test_r32_bad_grants_are_refused_with_a_message(world):
    page = world.client("manager").post(reverse("support_access"), {"hours": "5", "reason": " "})
    assert page.status_code == 200
    assert not SupportGrant.objects.exists()
    assert "Select a valid choice" in page.text


def test_r32_support_reads_nothing_through_the_api(world, operator):
    """Every request under a grant is logged on pages; the API is closed to
    support, so nothing is read unlogged, nor after the grant ends."""
    grant = _grant(world)
    _enter(operator, grant)
    _accept_staff_agreement(operator)
    answer = operator.get(reverse("api:api_children"))
    assert answer.status_code == 403
    assert "browser only" in answer.json()["detail"]
