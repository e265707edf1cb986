"""Agreements and consent (R3, R4, R28, R29): nobody sees anything until they
accept their setting's current agreement; acceptance is recorded with its version
and time, with the family's consents; a new version is accepted again."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from footsteps.children.models import Child
from footsteps.core import seeding
from footsteps.people import services as people
from footsteps.tenancy import services as tenancy
from footsteps.tenancy.models import Agreement, AgreementAcceptance
from footsteps.tenancy.selectors import current_agreement


def _gated_paths(world):
    """Pages a parent may normally open, and one of each kind a parent may not."""
    return [
        reverse("home"),
        reverse("feed"),
        reverse("contribution_create"),
        reverse("preferences"),
        reverse("api_tokens"),
        reverse("observation_detail", args=[world.observations["shared"].pk]),
        reverse("child_list"),
        reverse("staff_list"),
    ]


def _accept(client, **fields):
    return client.post(reverse("agreement"), {"accept": "on", **fields})


def _publish(world, audience, body):
    return world.client("manager").post(
        reverse("agreement_list"), {"audience": audience, "body": body}
    )


def test_r3_a_parent_who_has_not_accepted_sees_only_the_agreement(world):
    client = world.client("parent_unaccepted")

    for path in _gated_paths(world):
        response = client.get(path)
        assert (path, response.status_code, response.url) == (path, 302, reverse("agreement"))
    page = client.get(reverse("agreement"))
    assert page.status_code == 200
    assert b"Parent agreement v1" in page.content
    assert b"Version 1" in page.content
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json() == {
        "detail": "Accept your setting's agreement in Footsteps first.",
        "errors": {},
    }


def test_r3_r29_r28_acceptance_records_version_time_and_the_familys_consents(world):
    cara = world.children["cara"]
    client = world.client("parent_unaccepted")
    before = timezone.now()

    response = _accept(client, journal_consent="on", **{f"image_{cara.pk}": "refused"})

    assert response.url == reverse("home")
    acceptance = AgreementAcceptance.objects.get(membership=world.members["parent_unaccepted"])
    assert acceptance.agreement.audience == "parent"
    assert acceptance.agreement.version == 1
    assert acceptance.membership.user.email == "parent_unaccepted@family.test"
    assert before <= acceptance.accepted_at <= timezone.now()
    assert acceptance.journal_consent is True
    cara.refresh_from_db()
    assert cara.image_consent == Child.ImageConsent.REFUSED
    assert cara.image_consent_changed_at >= before
    assert client.get(reverse("feed")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_r29_the_journal_consent_is_required(world):
    cara = world.children["cara"]
    client = world.client("parent_unaccepted")

    page = _accept(client, **{f"image_{cara.pk}": "granted"})

    assert page.status_code == 200
    assert page.context["form"].errors["journal_consent"] == [
        "To use the journal, please give this consent."
    ]
    assert not AgreementAcceptance.objects.filter(membership=world.members["parent_unaccepted"])
    assert client.get(reverse("feed")).url == reverse("agreement")
    with pytest.raises(ValidationError):
        tenancy.agreement_accept(
            actor=world.actor("parent_unaccepted"),
            agreement=current_agreement(world.members["manager"].setting_id, "parent"),
            journal_consent=False,
        )


def test_r3_ticking_accept_is_required(world):
    client = world.client("parent_unaccepted")

    page = client.post(reverse("agreement"), {"journal_consent": "on"})

    assert "accept" in page.context["form"].errors
    assert not AgreementAcceptance.objects.filter(membership=world.members["parent_unaccepted"])


def test_r28_image_consent_is_asked_per_child(world):
    """A parent of two children answers for each; each child keeps its own answer."""
    people.parent_link(
        actor=world.actor("manager"),
        parent=world.members["parent_unaccepted"],
        child=world.children["ben"],
        relationship="carer",
    )
    cara, ben = world.children["cara"], world.children["ben"]
    client = world.client("parent_unaccepted")

    form = client.get(reverse("agreement")).context["form"]
    assert {f"image_{cara.pk}", f"image_{ben.pk}"} <= set(form.fields)
    missing_one = _accept(client, journal_consent="on", **{f"image_{cara.pk}": "refused"})
    assert f"image_{ben.pk}" in missing_one.context["form"].errors
    _accept(
        client,
        journal_consent="on",
        **{f"image_{cara.pk}": "refused", f"image_{ben.pk}": "granted"},
    )

    cara.refresh_from_db()
    ben.refresh_from_db()
    assert (cara.image_consent, ben.image_consent) == ("refused", "granted")


def test_r28_the_manager_records_a_later_change_of_image_consent(world):
    amy = world.children["amy"]
    amy.refresh_from_db()
    assert amy.image_consent == Child.ImageConsent.GRANTED  # given on accepting

    withdrawn = world.client("manager").post(
        reverse("child_consent", args=[amy.pk]), {"image_consent": "refused"}
    )

    assert withdrawn.url == reverse("child_edit", args=[amy.pk])
    amy.refresh_from_db()
    assert amy.image_consent == Child.ImageConsent.REFUSED
    assert amy.image_consent_changed_at > timezone.now() - timedelta(minutes=1)
    event = amy.setting.audit_events.filter(action="child.image_consent").first()
    assert event.data == {"before": "granted", "after": "refused"}
    # Only managers record it; a parent asks the setting (the agreement says so).
    assert (
        world.client("practitioner")
        .post(reverse("child_consent", args=[amy.pk]), {"image_consent": "granted"})
        .status_code
        == 403
    )
    assert (
        world.client("parent_amy")
        .post(reverse("child_consent", args=[amy.pk]), {"image_consent": "granted"})
        .status_code
        == 403
    )
    amy.refresh_from_db()
    assert amy.image_consent == Child.ImageConsent.REFUSED


def test_r3_a_new_parent_agreement_is_accepted_again_by_that_settings_parents_only(world):
    published = _publish(world, "parent", "Parent agreement v2: no screenshots either.")
    assert published.url == reverse("agreement_list")
    assert Agreement.objects.get(body__startswith="Parent agreement v2").version == 2

    parent = world.client("parent_amy")
    assert parent.get(reverse("feed")).url == reverse("agreement")
    assert b"no screenshots either" in parent.get(reverse("agreement")).content
    assert parent.get("/api/v1/me").status_code == 403
    # Staff and the other setting's families are not asked.
    assert world.client("practitioner").get(reverse("child_list")).status_code == 200
    assert world.client("parent_zed").get(reverse("feed")).status_code == 200

    amy = world.children["amy"]
    _accept(parent, journal_consent="on", **{f"image_{amy.pk}": "granted"})
    assert parent.get(reverse("feed")).status_code == 200
    versions = AgreementAcceptance.objects.filter(
        membership=world.members["parent_amy"]
    ).values_list("agreement__version", flat=True)
    assert sorted(versions) == [1, 2]


def test_r4_staff_accept_the_staff_agreement_and_each_new_version(world):
    _publish(world, "staff", "Staff agreement v2: phones stay in lockers.")

    practitioner = world.client("practitioner")
    for path in (reverse("child_list"), reverse("observation_create"), reverse("home")):
        assert practitioner.get(path).url == reverse("agreement")
    page = practitioner.get(reverse("agreement"))
    assert b"phones stay in lockers" in page.content
    assert "journal_consent" not in page.context["form"].fields
    assert world.client("parent_amy").get(reverse("feed")).status_code == 200
    # The manager who published it is staff too.
    assert world.client("manager").get(reverse("child_list")).url == reverse("agreement")

    _accept(practitioner)
    acceptance = AgreementAcceptance.objects.get(
        membership=world.members["practitioner"], agreement__version=2
    )
    assert acceptance.agreement.audience == "staff"
    assert acceptance.journal_consent is None
    assert practitioner.get(reverse("child_list")).status_code == 200


def test_r4_new_staff_accept_before_first_use(world):
    from footsteps.conftest import activate

    newcomer = activate(
        people.staff_invite(
            actor=world.actor("manager"),
            email="newcomer@acorns.test",
            full_name="New Comer",
            role="practitioner",
        )
    )
    world.members["newcomer"] = newcomer
    seeding.authenticator_app(newcomer.user)  # staff sign in with a second step (R37)
    client = world.client("newcomer")

    assert client.get(reverse("child_list")).url == reverse("agreement")
    assert client.get("/api/v1/children").status_code == 403
    _accept(client)
    assert client.get(reverse("child_list")).status_code == 200


def test_r3_r4_only_managers_publish_and_each_accepts_only_their_own_agreement(world):
    refused = world.client("senior").post(
        reverse("agreement_list"), {"audience": "staff", "body": "Sneaky"}
    )
    assert refused.status_code == 403
    assert not Agreement.objects.filter(body="Sneaky").exists()

    setting_id = world.members["manager"].setting_id
    # The policy's agreement.accept: each accepts their own audience's, in their setting.
    with pytest.raises(PermissionDenied):  # a parent cannot accept the staff text
        tenancy.agreement_accept(
            actor=world.actor("parent_unaccepted"),
            agreement=current_agreement(setting_id, "staff"),
            journal_consent=True,
        )
    with pytest.raises(PermissionDenied):  # nor another setting's
        tenancy.agreement_accept(
            actor=world.actor("parent_unaccepted"),
            agreement=current_agreement(world.members["other_manager"].setting_id, "parent"),
            journal_consent=True,
        )
    blank = _publish(world, "parent", "   ")
    assert blank.status_code == 200
    assert "body" in blank.context["form"].errors
    assert Agreement.objects.filter(setting_id=setting_id, audience="parent").count() == 1


def test_r3_r4_a_new_setting_opens_with_agreements_so_nobody_skips_them(db):
    from footsteps.access.membership import pending_agreement
    from footsteps.tenancy import services as tenancy_services

    _setting, manager = tenancy_services.setting_create(
        name="Willow Room", slug="willow", manager_email="boss@willow.test", manager_name="Boss"
    )
    agreement = pending_agreement(manager)
    assert agreement is not None
    assert agreement.audience == "staff"
    assert agreement.version == 1
