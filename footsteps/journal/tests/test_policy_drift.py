"""Two rules that had been written twice and drifted apart (issue 13), now each
decided in one place and pinned here."""

import re

from django.urls import reverse

from footsteps.journal.models import Observation
from footsteps.journal.tests.conftest import entry_form
from footsteps.people import services as people
from footsteps.tenancy import services as tenancy


def _publish_button(page) -> str:
    return re.search(r'name="publish" value="1">([^<]+)<', page.content.decode()).group(1)


def test_r17_the_publish_button_says_what_publishing_will_do(world):
    """A named reviewee in a setting that reviews nobody publishes at once: the
    button said "Send for review" while the service published."""
    manager, client = world.actor("manager"), world.client("practitioner")
    people.staff_set_review(
        actor=manager, membership=world.members["practitioner"], needs_review=True
    )
    tenancy.setting_update(actor=manager, moderation="none")

    assert _publish_button(client.get(reverse("observation_create"))) == "Publish"
    client.post(
        reverse("observation_create"),
        {**entry_form("Straight in", world.children["amy"]), "publish": "1"},
    )
    assert Observation.objects.get(title="Straight in").status == "published"

    tenancy.setting_update(actor=manager, moderation="named")
    assert _publish_button(client.get(reverse("observation_create"))) == "Send for review"
    client.post(
        reverse("observation_create"),
        {**entry_form("Reviewed first", world.children["amy"]), "publish": "1"},
    )
    assert Observation.objects.get(title="Reviewed first").status == "awaiting_review"


def test_r15_a_suspended_member_of_staff_is_never_made_key_person(world):
    """The child form left suspended staff out; the API and the service did not."""
    suspended = world.members["suspended"]
    amy = world.children["amy"]
    manager = world.client("manager")

    form = manager.get(reverse("child_edit", args=[amy.pk]))
    api = manager.patch(
        f"/api/v1/children/{amy.pk}",
        {"key_person_id": suspended.pk},
        content_type="application/json",
    )
    new = manager.post(
        "/api/v1/children",
        {
            "first_name": "Fin",
            "last_name": "Acorn",
            "date_of_birth": "2023-04-04",
            "key_person_id": suspended.pk,
        },
        content_type="application/json",
    )

    assert suspended not in form.context["form"].fields["key_person"].queryset
    assert api.status_code == new.status_code == 404
    amy.refresh_from_db()
    assert amy.key_person_id == world.members["senior"].pk
