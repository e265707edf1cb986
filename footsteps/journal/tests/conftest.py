"""What the journal tests share on top of the named people in footsteps/conftest.py."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from footsteps.conftest import parent_joins
from footsteps.journal import services as journal
from footsteps.people import services as people
from footsteps.tenancy import services as tenancy


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def form_time(moment) -> str:
    """A moment as a browser's datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def entry_form(title: str, *children, **fields) -> dict:
    """What the observation and contribution forms post; observed yesterday unless told."""
    return {
        "title": title,
        "children": [child.pk for child in children],
        "observed_at": form_time(days_ago(1)),
        **fields,
    }


def entry_json(title: str, *children, **fields) -> dict:
    """The same for the API."""
    return {
        "title": title,
        "child_ids": [child.pk for child in children],
        "observed_at": days_ago(1).isoformat(),
        **fields,
    }


def edit_form(observation, **changes) -> dict:
    """What the edit page posts for this observation, with some fields changed."""
    data = {
        "title": observation.title,
        "children": [link.child_id for link in observation.links.all()],
        "observed_at": form_time(observation.observed_at),
        "notes": observation.notes,
        "next_steps": observation.next_steps,
        "shared_with_parents": "on",
        "version": observation.version,
    }
    data.update(changes)
    return data


def titles(response) -> list[str]:
    """The titles of the observations on a listed page, in order."""
    return [observation.title for observation in response.context["page"]]


def every_title(client, url: str) -> list[str]:
    """The titles on a list and on every older page after it, following its links."""
    found, page = [], client.get(url)
    while True:
        assert page.status_code == 200, url
        found += titles(page)
        older = page.context["page"].older_cursor
        if older is None:
            return found
        page = client.get(url, {"before": older})


@pytest.fixture
def observe(world):
    """Record an observation through the real service: `observe("senior", "amy",
    "ben", title=..., publish=True)`; observed yesterday unless told."""

    def record(author: str, *children: str, **fields):
        fields.setdefault("title", "Sharing the sand tray")
        fields.setdefault("observed_at", days_ago(1))
        return journal.observation_create(
            actor=world.actor(author),
            children=[world.children[name] for name in children],
            **fields,
        )

    return record


@pytest.fixture
def moderated(world):
    """Little Acorns reviews the practitioner's observations, by name (R17)."""
    manager = world.actor("manager")
    tenancy.setting_update(actor=manager, moderation="named")
    people.staff_set_review(
        actor=manager, membership=world.members["practitioner"], needs_review=True
    )


@pytest.fixture
def comments_approved_first(world):
    """Little Acorns approves parents' replies before they join a thread (R18)."""
    tenancy.setting_update(actor=world.actor("manager"), approve_parent_comments=True)


@pytest.fixture
def second_amy_parent(world, django_capture_on_commit_callbacks):
    """Amy's other parent: the same child, a separate account (R1)."""
    with django_capture_on_commit_callbacks(execute=True):
        membership = parent_joins(
            world.actor("manager"),
            email="carer_amy@family.test",
            full_name="Carer Amy",
            child=world.children["amy"],
            relationship="carer",
        )
    world.members["carer_amy"] = membership
    return membership


@pytest.fixture
def outbox(world):
    """The mail sent from here on (the world's invitations are forgotten)."""
    mail.outbox.clear()
    return mail.outbox
