"""The access policy, cell by cell (R5, R12, R15, R16, R17, R19, R20).

1. `can` agrees with a literal table of who may do what to which object.
2. `scope` agrees with `can` for every action, every person and every object
   in the world, so list pages can never show what detail pages refuse.

Suspension and agreements are enforced where a request comes in (middleware and
API auth) and are covered by the URL matrix; here every person is active.
"""

import pytest
from django.utils import timezone

from footsteps.access.policy import RULES, can, scope
from footsteps.children.models import Child, ParentLink
from footsteps.conftest import PASSWORD
from footsteps.journal import services as journal
from footsteps.journal.models import Comment, NextStep, Observation
from footsteps.people.models import ApiToken, Membership
from footsteps.people.services import api_token_create
from footsteps.tenancy.models import Setting
from footsteps.tenancy.services import setting_update

PEOPLE = (
    "manager",
    "senior",
    "practitioner",
    "parent_amy",
    "parent_ben",
    "parent_unaccepted",
    "other_manager",
    "parent_zed",
)
STAFF = {"manager", "senior", "practitioner"}

# (action, object) -> the people who may. Objects are world names (see conftest).
EXPECTED = {
    ("child.view", "amy"): STAFF | {"parent_amy"},
    ("child.view", "ben"): STAFF | {"parent_ben"},
    ("child.view", "cara"): STAFF | {"parent_unaccepted"},
    ("child.view", "zed"): {"other_manager", "parent_zed"},
    ("child.journal", "amy"): STAFF,
    ("child.edit", "amy"): {"manager"},
    ("child.edit", "zed"): {"other_manager"},
    ("observation.view", "shared"): STAFF | {"parent_amy", "parent_ben"},
    ("observation.view", "staff_only"): STAFF,
    ("observation.view", "draft"): {"practitioner"},
    ("observation.view", "contribution"): STAFF | {"parent_amy"},
    ("observation.view", "zed"): {"other_manager", "parent_zed"},
    ("observation.history", "shared"): STAFF,
    # The practitioner wrote these; reviewers may amend published staff entries (R16).
    ("observation.edit", "shared"): STAFF,
    ("observation.edit", "draft"): {"practitioner"},
    ("observation.edit", "contribution"): set(),  # nobody edits a family's words directly (R20)
    ("contribution.review", "contribution"): STAFF,
    ("contribution.withdraw", "contribution"): {"parent_amy"},
    ("contribution.withdraw", "shared"): set(),
    ("observation.review", "shared"): set(),  # already published
    ("observation.comment", "shared"): STAFF | {"parent_amy", "parent_ben"},
    ("observation.comment", "staff_only"): STAFF,
    ("observation.comment", "draft"): set(),
    ("observation.comment", "zed"): {"other_manager", "parent_zed"},
}


@pytest.mark.parametrize(("action", "name"), sorted(EXPECTED))
def test_can_agrees_with_the_table(world, action, name):
    objects = world.children if action.startswith("child.") else world.observations
    allowed = {person for person in PEOPLE if can(world.actor(person), action, objects[name])}
    assert allowed == EXPECTED[action, name]


def test_r12_only_managers_manage_people_of_their_own_setting(world):
    practitioner = world.members["practitioner"]
    allowed = {p for p in PEOPLE if can(world.actor(p), "membership.manage", practitioner)}
    assert allowed == {"manager"}


def test_r5_parents_see_only_their_own_children_in_lists(world):
    for parent, child in (("parent_amy", "amy"), ("parent_ben", "ben"), ("parent_zed", "zed")):
        visible = scope(world.actor(parent), "child.view", Child.objects.all())
        assert list(visible) == [world.children[child]]


# Which model each action is about, to compare `scope` with `can` on every object.
ACTION_MODELS = {
    "setting.manage": Setting,
    "people.manage": Setting,
    "child.create": Setting,
    "child.list": Setting,
    "observation.create": Setting,
    "review.queue": Setting,
    "monitoring.view": Setting,
    "contribution.create": Setting,
    "feed.view": Setting,
    "profile.use": Setting,
    "child.view": Child,
    "child.journal": Child,
    "child.edit": Child,
    "nextstep.manage": NextStep,
    "membership.manage": Membership,
    "link.manage": ParentLink,
    "token.manage": ApiToken,
    "observation.view": Observation,
    "observation.history": Observation,
    "observation.edit": Observation,
    "observation.review": Observation,
    "contribution.review": Observation,
    "contribution.withdraw": Observation,
    "observation.comment": Observation,
    "comment.view": Comment,
    "comment.approve": Comment,
}


def test_every_action_is_checked_for_agreement():
    assert set(ACTION_MODELS) == set(RULES)


@pytest.mark.parametrize("action", sorted(RULES))
def test_scope_agrees_with_can_for_every_person_and_object(world, action):
    for person in PEOPLE:
        api_token_create(actor=world.actor(person), name=f"{person} key", password=PASSWORD)
    # States the base world lacks: an entry awaiting review and a reply awaiting approval.
    setting_update(actor=world.actor("manager"), moderation="all", approve_parent_comments=True)
    journal.observation_create(
        actor=world.actor("practitioner"),
        children=[world.children["ben"]],
        title="Review me",
        observed_at=timezone.now(),
        publish=True,
    )
    journal.comment_add(
        actor=world.actor("parent_ben"),
        observation=world.observations["shared"],
        child=world.children["ben"],
        body="Pending reply",
    )
    for child in world.children.values():
        NextStep.objects.create(
            child=child, text="Next", created_by=child.setting.memberships.first()
        )
    model = ACTION_MODELS[action]
    everything = list(model.objects.all())
    assert everything, f"the world has no {model.__name__} to check {action} against"
    for person in PEOPLE:
        actor = world.actor(person)
        in_scope = set(scope(actor, action, model.objects.all()).values_list("pk", flat=True))
        by_can = {obj.pk for obj in everything if can(actor, action, obj)}
        assert in_scope == by_can, f"{action} for {person}"


def test_an_unknown_action_is_an_error_not_a_yes(world):
    with pytest.raises(KeyError):
        can(world.actor("manager"), "child.teleport", world.children["amy"])
