"""The access policy, cell by cell (R5, R12, R15-R20, R25, R28, R38).

1. `can` agrees with a literal table: for every action, who may do it to which
   object, for every kind of person, over objects in every state they can be in.
2. `scope` agrees with `can` for every action, every person and every object,
   so a list can never show what a detail page refuses.
3. The same agreement holds in random small worlds (Hypothesis).

Suspension and agreements are enforced where a request comes in (middleware
and API auth; see the URL matrix); here a suspended member is an object that
managers act on, and an unaccepted agreement one that people accept.
"""

import uuid
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footsteps.access.actor import Actor
from footsteps.access.policy import RULES, can, scope
from footsteps.assessments import services as assessment_services
from footsteps.assessments.models import Assessment, AssessmentPeriod, Framework
from footsteps.audit.models import AuditEvent
from footsteps.children import services as children_services
from footsteps.children.models import Child, ParentLink, Room
from footsteps.conftest import PASSWORD
from footsteps.exports.models import Export
from footsteps.journal import services as journal
from footsteps.journal.models import Comment, NextStep, Observation, ObservationChild
from footsteps.media import services as media
from footsteps.media.models import Media
from footsteps.people import services as people
from footsteps.people.models import ApiToken, Membership, User
from footsteps.records import services as records
from footsteps.records.models import Deletion
from footsteps.subject_access.models import SubjectAccessExport
from footsteps.support import services as support
from footsteps.support.models import SupportGrant
from footsteps.tablets import services as tablets
from footsteps.tablets.models import Tablet
from footsteps.tenancy.models import Agreement, Setting
from footsteps.tenancy.services import setting_update
from footsteps.transfers.models import ImportedPackage, Transfer

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
A_FAMILIES = {"parent_amy", "parent_ben", "parent_unaccepted"}
NOBODY: set[str] = set()

# Which model each action is about.
ACTION_MODELS = {
    "setting.manage": Setting,
    "access_rules.manage": Setting,
    "people.manage": Setting,
    "child.create": Setting,
    "child.list": Setting,
    "observation.create": Setting,
    "review.queue": Setting,
    "monitoring.view": Setting,
    "contribution.create": Setting,
    "feed.view": Setting,
    "profile.use": Setting,
    "preferences.journal_emails": Setting,
    "observation.list": Setting,
    "room.view": Room,
    "membership.view": Membership,
    "audit.view": AuditEvent,
    "agreement.manage": Agreement,
    "agreement.accept": Agreement,
    "child.view": Child,
    "child.journal": Child,
    "child.edit": Child,
    "child.consent": Child,
    "child.full_name": Child,
    "nextstep.manage": NextStep,
    "membership.manage": Membership,
    "link.manage": ParentLink,
    "token.manage": ApiToken,
    "observation.view": Observation,
    "observation.history": Observation,
    "observation.staff_detail": Observation,
    "observation.edit": Observation,
    "observation.review": Observation,
    "contribution.review": Observation,
    "contribution.withdraw": Observation,
    "observation.comment": Observation,
    "comment.view": Comment,
    "comment.approve": Comment,
    "media.upload": Setting,
    "media.view": Media,
    "media.download": Media,
    "media.edit": Media,
    "framework.view": Framework,
    "framework.manage": Setting,
    "period.manage": Setting,
    "assessment.points": Setting,
    "period.view": AssessmentPeriod,
    "assessment.record": Child,
    "assessment.view": Assessment,
    "progress.view": Child,
    "cohort.view": Setting,
    "child.delete": Child,
    "observation.delete": Observation,
    "comment.delete": Comment,
    "deletion.view": Setting,
    "deletion.restore": Deletion,
    "support.manage": Setting,
    "support.end": SupportGrant,
    "tablet.manage": Setting,
    "tablet.revoke": Tablet,
    "pin.set": Setting,
    "comment.remove": Comment,
    "journal_pdf.request": Child,
    "export.view": Export,
    "transfer.export": Child,
    "transfer.view": Transfer,
    "transfer.import": Setting,
    "transfer.view_import": ImportedPackage,
    "subject_access.request": Child,
    "subject_access.request_person": Membership,
    "subject_access.entries": Observation,
    "subject_access.view": SubjectAccessExport,
    "contribution.remove": Observation,
}

# (action, object) -> the people who may. Objects are named in the `states` fixture.
EXPECTED = {
    # Setting-wide actions: the object is a setting.
    ("setting.manage", "acorns"): {"manager"},
    ("setting.manage", "oak"): {"other_manager"},
    ("access_rules.manage", "acorns"): {"manager"},
    ("access_rules.manage", "oak"): {"other_manager"},
    ("people.manage", "acorns"): {"manager"},
    ("child.create", "acorns"): {"manager"},
    ("child.list", "acorns"): STAFF,
    ("child.list", "oak"): {"other_manager"},
    ("observation.create", "acorns"): STAFF,
    ("review.queue", "acorns"): {"manager", "senior"},
    ("monitoring.view", "acorns"): {"manager"},
    ("contribution.create", "acorns"): A_FAMILIES,
    ("contribution.create", "oak"): {"parent_zed"},
    ("feed.view", "acorns"): A_FAMILIES,
    ("profile.use", "acorns"): STAFF | A_FAMILIES,
    ("profile.use", "oak"): {"other_manager", "parent_zed"},
    ("preferences.journal_emails", "acorns"): A_FAMILIES,
    ("observation.list", "acorns"): STAFF,
    # The setting's own records (R12, R39).
    ("room.view", "room"): STAFF,
    ("membership.view", "m_practitioner"): STAFF,
    ("membership.view", "m_parent_zed"): {"other_manager"},
    ("audit.view", "event"): {"manager"},
    ("agreement.manage", "staff_agreement"): {"manager"},
    # Each accepts their own audience's agreement, in their own setting (R3, R4).
    ("agreement.accept", "staff_agreement"): STAFF,
    ("agreement.accept", "parent_agreement"): A_FAMILIES,
    ("agreement.accept", "oak_parent_agreement"): {"parent_zed"},
    # Children (R5, R6, R13).
    ("child.view", "amy"): STAFF | {"parent_amy"},
    ("child.view", "ben"): STAFF | {"parent_ben"},
    ("child.view", "cara"): STAFF | {"parent_unaccepted"},
    ("child.view", "zed"): {"other_manager", "parent_zed"},
    ("child.view", "dan_left"): STAFF,  # Ben's parent's link to Dan no longer counts
    ("child.view", "eve_deleted"): NOBODY,
    ("child.journal", "amy"): STAFF,
    ("child.journal", "dan_left"): STAFF,
    ("child.journal", "eve_deleted"): NOBODY,
    ("child.edit", "amy"): {"manager"},
    ("child.edit", "zed"): {"other_manager"},
    ("child.consent", "amy"): {"manager", "parent_amy"},
    ("child.consent", "dan_left"): {"manager"},
    ("child.full_name", "amy"): STAFF,
    ("nextstep.manage", "amy_step"): STAFF,
    # People (R7, R12).
    ("membership.manage", "m_practitioner"): {"manager"},
    ("membership.manage", "m_suspended"): {"manager"},
    ("membership.manage", "m_parent_zed"): {"other_manager"},
    ("membership.manage", "m_deleted"): NOBODY,  # in the deleted area (R34)
    ("link.manage", "amy_link"): {"manager"},
    ("token.manage", "manager_token"): {"manager"},
    ("token.manage", "parent_token"): {"parent_amy"},
    # The journal, in every state (R5, R14-R20, R34).
    ("observation.view", "shared"): STAFF | {"parent_amy", "parent_ben"},
    ("observation.view", "staff_only"): STAFF,
    ("observation.view", "draft"): {"practitioner"},
    ("observation.view", "awaiting"): STAFF,
    ("observation.view", "returned"): STAFF,
    ("observation.view", "contribution"): STAFF | {"parent_amy"},
    ("observation.view", "declined"): STAFF | {"parent_amy"},
    ("observation.view", "withdrawn"): {"parent_amy"},
    ("observation.view", "deleted"): NOBODY,
    ("observation.view", "zed_entry"): {"other_manager", "parent_zed"},
    ("observation.history", "shared"): STAFF,
    ("observation.history", "draft"): {"practitioner"},
    ("observation.staff_detail", "shared"): STAFF,
    ("observation.staff_detail", "zed_entry"): {"other_manager"},
    # The practitioner wrote these; reviewers may amend published staff entries (R16).
    ("observation.edit", "shared"): STAFF,
    ("observation.edit", "draft"): {"practitioner"},
    ("observation.edit", "awaiting"): STAFF,
    ("observation.edit", "returned"): {"practitioner"},
    ("observation.edit", "contribution"): NOBODY,  # nobody edits a family's words (R20)
    ("observation.edit", "deleted"): NOBODY,
    ("observation.review", "awaiting"): {"manager", "senior"},  # never one's own (R17)
    ("observation.review", "shared"): NOBODY,
    ("contribution.review", "contribution"): STAFF,
    ("contribution.review", "declined"): NOBODY,
    ("contribution.withdraw", "contribution"): {"parent_amy"},
    ("contribution.withdraw", "declined"): NOBODY,
    ("contribution.withdraw", "shared"): NOBODY,
    ("observation.comment", "shared"): STAFF | {"parent_amy", "parent_ben"},
    ("observation.comment", "staff_only"): STAFF,
    ("observation.comment", "draft"): NOBODY,
    ("observation.comment", "deleted"): NOBODY,
    ("observation.comment", "zed_entry"): {"other_manager", "parent_zed"},
    # Replies (R5, R18): each family reads its own child's thread only.
    ("comment.view", "amy_reply"): STAFF | {"parent_amy"},
    ("comment.view", "ben_reply"): STAFF | {"parent_ben"},
    ("comment.view", "pending_reply"): STAFF | {"parent_ben"},  # awaiting approval: its author
    ("comment.view", "staff_reply"): STAFF,  # written on a staff-only entry
    ("comment.approve", "pending_reply"): STAFF,
    ("comment.approve", "amy_reply"): NOBODY,
    # Photos and videos (R14, R19, R28, R31).
    ("media.upload", "acorns"): STAFF | A_FAMILIES,
    ("media.upload", "oak"): {"other_manager", "parent_zed"},
    ("media.view", "photo_shared"): STAFF | {"parent_amy", "parent_ben"},
    # Cara's family withdrew consent after it was published: Amy's family no longer sees it.
    ("media.view", "photo_withdrawn"): STAFF | {"parent_unaccepted"},
    # ... until Cara is covered in the copy other journals get.
    ("media.view", "photo_covered"): STAFF | {"parent_amy", "parent_unaccepted"},
    # Shows Ben only, and is left out of Amy's journal.
    ("media.view", "photo_left_out"): STAFF | {"parent_ben"},
    ("media.view", "photo_draft"): {"practitioner"},
    ("media.view", "photo_contribution"): STAFF | {"parent_amy"},
    ("media.view", "upload_staff"): {"practitioner"},
    ("media.view", "upload_parent"): {"parent_amy"},
    ("media.view", "photo_deleted"): NOBODY,
    ("media.view", "photo_zed"): {"other_manager", "parent_zed"},
    ("media.download", "photo_shared"): STAFF | {"parent_amy", "parent_ben"},
    ("media.download", "photo_covered"): STAFF | {"parent_amy", "parent_unaccepted"},
    ("media.download", "photo_zed"): {"other_manager"},  # Oak keeps families to viewing
    ("media.edit", "photo_shared"): STAFF,
    ("media.edit", "upload_staff"): {"practitioner"},
    ("media.edit", "upload_parent"): {"parent_amy"},
    ("media.edit", "photo_contribution"): STAFF,  # sent: the family no longer changes it
    ("media.edit", "photo_deleted"): NOBODY,
    ("media.edit", "photo_zed"): {"other_manager"},
    # EYFS frameworks and assessments (R23, R24): shipped frameworks for all,
    # a setting's own for its people; judgements for staff, and for a family
    # their own child's once the period is shared; cohorts never for families.
    ("framework.view", "eyfs"): STAFF | A_FAMILIES | {"other_manager", "parent_zed"},
    ("framework.view", "acorns_framework"): STAFF | A_FAMILIES,
    ("framework.manage", "acorns"): {"manager"},
    ("framework.manage", "oak"): {"other_manager"},
    ("period.manage", "acorns"): {"manager"},
    ("assessment.points", "acorns"): STAFF,
    ("period.view", "period_shared"): STAFF | A_FAMILIES,
    ("period.view", "period_private"): STAFF,
    ("assessment.record", "amy"): STAFF,
    ("assessment.record", "zed"): {"other_manager"},
    ("assessment.record", "eve_deleted"): NOBODY,
    ("assessment.view", "amy_shared"): STAFF | {"parent_amy"},
    ("assessment.view", "amy_private"): STAFF,
    ("assessment.view", "ben_shared"): STAFF | {"parent_ben"},
    ("progress.view", "amy"): STAFF | {"parent_amy"},
    ("progress.view", "dan_left"): STAFF,
    ("progress.view", "zed"): {"other_manager", "parent_zed"},
    ("cohort.view", "acorns"): {"manager", "senior"},
    ("cohort.view", "oak"): {"other_manager"},
    # The deleted area (R34): managers delete children; managers and seniors
    # any entry, a practitioner their own; a reply its author or a reviewer;
    # a manager restores. Nothing already deleted is deleted again.
    ("child.delete", "amy"): {"manager"},
    ("child.delete", "zed"): {"other_manager"},
    ("child.delete", "eve_deleted"): NOBODY,
    ("observation.delete", "shared"): STAFF,  # the practitioner wrote it
    ("observation.delete", "awaiting"): STAFF,
    ("observation.delete", "contribution"): {"manager", "senior"},
    ("observation.delete", "returned"): STAFF,
    ("observation.delete", "deleted"): NOBODY,
    ("observation.delete", "zed_entry"): {"other_manager"},
    ("comment.delete", "amy_reply"): {"manager", "senior", "parent_amy"},
    ("comment.delete", "staff_reply"): {"manager", "senior"},
    ("comment.delete", "pending_reply"): {"manager", "senior", "parent_ben"},
    ("deletion.view", "acorns"): {"manager"},
    ("deletion.view", "oak"): {"other_manager"},
    ("deletion.restore", "deleted_item"): {"manager"},
    # Support access (R32): a setting's managers let the operator in and end it.
    ("support.manage", "acorns"): {"manager"},
    ("support.manage", "oak"): {"other_manager"},
    ("support.end", "support_grant"): {"manager"},
    # Shared tablets (R11): managers register and revoke, staff set a PIN.
    ("tablet.manage", "acorns"): {"manager"},
    ("tablet.manage", "oak"): {"other_manager"},
    ("tablet.revoke", "tablet"): {"manager"},
    ("pin.set", "acorns"): STAFF,
    ("pin.set", "oak"): {"other_manager"},
    # Taking down what is inappropriate (R38): reviewers, published items only.
    ("comment.remove", "amy_reply"): {"manager", "senior"},
    ("comment.remove", "pending_reply"): NOBODY,
    ("contribution.remove", "approved_contribution"): {"manager", "senior"},
    ("contribution.remove", "contribution"): NOBODY,  # still waiting
    ("contribution.remove", "shared"): NOBODY,  # staff's own entries are amended, not removed
    # PDF journals (R35): staff for any child, leavers too; families only where
    # their setting allows it (Acorns does, Oak does not).
    ("journal_pdf.request", "amy"): STAFF | {"parent_amy"},
    ("journal_pdf.request", "dan_left"): STAFF,
    ("journal_pdf.request", "zed"): {"other_manager"},
    ("export.view", "manager_export"): {"manager"},
    ("export.view", "parent_export"): {"manager", "parent_amy"},
    # Moving a journal to another setting (R36): managers, for any child of
    # theirs (leavers too); each setting's packages and imports its own.
    ("transfer.export", "amy"): {"manager"},
    ("transfer.export", "dan_left"): {"manager"},
    ("transfer.export", "eve_deleted"): NOBODY,
    ("transfer.export", "zed"): {"other_manager"},
    ("transfer.view", "amy_transfer"): {"manager"},
    ("transfer.view", "deleted_child_transfer"): NOBODY,
    ("transfer.import", "acorns"): {"manager"},
    ("transfer.import", "oak"): {"other_manager"},
    ("transfer.view_import", "oak_import"): {"other_manager"},
    # Subject access (R33, R35): managers, for their own setting's children
    # and people; every entry kept but deleted ones; an export no longer once
    # its child is in the deleted area.
    ("subject_access.request", "amy"): {"manager"},
    ("subject_access.request", "dan_left"): {"manager"},
    ("subject_access.request", "eve_deleted"): NOBODY,
    ("subject_access.request", "zed"): {"other_manager"},
    ("subject_access.request_person", "m_practitioner"): {"manager"},
    ("subject_access.request_person", "m_suspended"): {"manager"},
    ("subject_access.request_person", "m_parent_zed"): {"other_manager"},
    ("subject_access.entries", "draft"): {"manager"},
    ("subject_access.entries", "withdrawn"): {"manager"},
    ("subject_access.entries", "declined"): {"manager"},
    ("subject_access.entries", "deleted"): NOBODY,
    ("subject_access.entries", "zed_entry"): {"other_manager"},
    ("subject_access.view", "child_subject_export"): {"manager"},
    ("subject_access.view", "person_subject_export"): {"manager"},
    ("subject_access.view", "deleted_child_subject_export"): NOBODY,
}


@pytest.fixture
def states(world, django_capture_on_commit_callbacks, small_photo):
    """Every state the policy distinguishes, named: observations from draft to
    deleted, replies pending and staff-only, a child who left and one deleted,
    a suspended member, agreements not yet accepted."""
    manager, practitioner = world.actor("manager"), world.actor("practitioner")
    yesterday = timezone.now() - timedelta(days=1)
    amy, ben = world.children["amy"], world.children["ben"]
    objects = {
        "acorns": world.members["manager"].setting,
        "oak": world.members["other_manager"].setting,
        **world.children,
        **{name: o for name, o in world.observations.items() if name != "zed"},
        "zed_entry": world.observations["zed"],
        "amy_reply": world.comments["amy"],
        "ben_reply": world.comments["ben"],
        "m_practitioner": world.members["practitioner"],
        "m_suspended": world.members["suspended"],
        "m_parent_zed": world.members["parent_zed"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        setting_update(actor=manager, moderation="all", approve_parent_comments=True)
        objects["awaiting"] = journal.observation_create(
            actor=practitioner,
            children=[ben],
            title="Awaiting",
            observed_at=yesterday,
            publish=True,
        )
        returned = journal.observation_create(
            actor=practitioner,
            children=[ben],
            title="Returned",
            observed_at=yesterday,
            publish=True,
        )
        objects["returned"] = journal.observation_return(
            actor=world.actor("senior"), observation=returned, note="More detail, please."
        )
        for name, end in (("declined", journal.contribution_decline), ("withdrawn", None)):
            sent = journal.contribution_create(
                actor=world.actor("parent_amy"),
                children=[amy],
                title=name,
                notes="From home",
                observed_at=yesterday,
            )
            if end is None:
                objects[name] = journal.contribution_withdraw(
                    actor=world.actor("parent_amy"), observation=sent
                )
            else:
                objects[name] = end(actor=manager, observation=sent, reason="Not about Amy.")
        deleted = journal.observation_create(
            actor=world.actor("senior"), children=[amy], title="Gone", observed_at=yesterday
        )
        journal.observation_update(
            actor=world.actor("senior"),
            observation=deleted,
            expected_version=1,
            publish=True,
        )
        # No deletion service yet (records lifecycle): the deleted area is a date.
        Observation.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
        objects["deleted"] = Observation.objects.get(pk=deleted.pk)
        objects["pending_reply"] = journal.comment_add(
            actor=world.actor("parent_ben"),
            observation=world.observations["shared"],
            child=ben,
            body="Waiting for approval",
        )
        objects["staff_reply"] = journal.comment_add(
            actor=world.actor("senior"),
            observation=world.observations["staff_only"],
            child=amy,
            body="Between us",
        )
        dan = children_services.child_create(
            actor=manager, first_name="Dan", last_name="Acorn", date_of_birth=date(2022, 2, 2)
        )
        people.parent_link(
            actor=manager, parent=world.members["parent_ben"], child=dan, relationship="parent"
        )
        objects["dan_left"] = children_services.child_set_status(
            actor=manager, child=dan, status="left"
        )
        eve = children_services.child_create(
            actor=manager, first_name="Eve", last_name="Acorn", date_of_birth=date(2022, 3, 3)
        )
        Child.objects.filter(pk=eve.pk).update(deleted_at=timezone.now())
        objects["eve_deleted"] = Child.objects.get(pk=eve.pk)
        objects["room"] = children_services.room_create(actor=manager, name="Garden")
        objects["amy_step"] = journal.next_step_add(actor=practitioner, child=amy, text="Scissors")
        objects["amy_link"] = ParentLink.objects.get(child=amy)
        objects["manager_token"], _ = people.api_token_create(
            actor=manager, name="m", password=PASSWORD
        )
        objects["parent_token"], _ = people.api_token_create(
            actor=world.actor("parent_amy"), name="p", password=PASSWORD
        )
    objects["event"] = AuditEvent.objects.filter(setting=objects["acorns"]).first()
    for audience in ("staff", "parent"):
        objects[f"{audience}_agreement"] = Agreement.objects.get(
            setting=objects["acorns"], audience=audience
        )
    objects["oak_parent_agreement"] = Agreement.objects.get(
        setting=objects["oak"], audience="parent"
    )
    objects.update(_assessment_states(world))
    spare = journal.observation_create(
        actor=world.actor("senior"),
        children=[amy],
        title="Spare",
        observed_at=yesterday,
        publish=True,
    )
    objects["deleted_item"] = records.observation_delete(actor=manager, observation=spare)
    objects["support_grant"] = support.grant(actor=manager, hours=4, reason="Uploads fail")
    objects["tablet"], _ = tablets.register(actor=manager, name="Rainbow room iPad")
    leaving = people.staff_invite(
        actor=manager, email="leaving@acorns.test", full_name="Leaving Soon", role="practitioner"
    )
    records.membership_delete(actor=manager, membership=leaving)
    objects["m_deleted"] = Membership.objects.get(pk=leaving.pk)
    sent = journal.contribution_create(
        actor=world.actor("parent_amy"),
        children=[amy],
        title="Approved",
        notes="From home",
        observed_at=yesterday,
    )
    setting_update(actor=manager, parents_may_download_pdf=True)
    objects["manager_export"], objects["parent_export"] = (
        Export.objects.create(setting=objects["acorns"], child=amy, requested_by=world.members[who])
        for who in ("manager", "parent_amy")
    )
    objects["approved_contribution"] = journal.contribution_approve(actor=manager, observation=sent)
    objects["amy_transfer"], objects["deleted_child_transfer"] = (
        Transfer.objects.create(
            setting=objects["acorns"], child=child, requested_by=world.members["manager"]
        )
        for child in (amy, objects["eve_deleted"])
    )
    objects["oak_import"] = ImportedPackage.objects.create(
        setting=objects["oak"],
        package_id=uuid.uuid4(),
        child=world.children["zed"],
        imported_by=world.members["other_manager"],
    )
    for name, kind, child, member in (
        ("child_subject_export", "child", amy, None),
        ("person_subject_export", "parent", None, world.members["parent_amy"]),
        ("deleted_child_subject_export", "child", objects["eve_deleted"], None),
    ):
        objects[name] = SubjectAccessExport.objects.create(
            setting=objects["acorns"],
            requested_by=world.members["manager"],
            kind=kind,
            subject_child=child,
            subject_member=member,
        )
    with django_capture_on_commit_callbacks(execute=True):
        made = _media_states(world, small_photo)
    objects.update(_media_after(world, made))
    objects["acorns"] = Setting.objects.get(pk=objects["acorns"].pk)
    objects["oak"] = Setting.objects.get(pk=objects["oak"].pk)
    return objects


def _media_states(world, photo: bytes) -> dict:
    """Photos in every state the policy tells apart (R28, R31)."""
    yesterday = timezone.now() - timedelta(days=1)
    senior, manager = world.actor("senior"), world.actor("manager")
    amy, ben, cara = (world.children[name] for name in ("amy", "ben", "cara"))
    for child in (amy, ben, cara):
        children_services.child_set_image_consent(actor=manager, child=child, consent="granted")

    def sent(actor):
        item = media.upload_start(actor=actor, name="p.jpg", size=len(photo))
        media.upload_chunk(actor=actor, media=item, offset=0, data=photo)
        return item

    def entry(actor, children, *, publish=True, contribution=False):
        item = sent(actor)
        if contribution:
            journal.contribution_create(
                actor=actor,
                children=children,
                title="With a photo",
                notes="Home",
                observed_at=yesterday,
                media=[item.key],
            )
        else:
            journal.observation_create(
                actor=actor,
                children=children,
                title="With a photo",
                observed_at=yesterday,
                publish=publish,
                media=[item.key],
            )
        return item

    found = {
        "photo_shared": entry(senior, [amy, ben]),
        "photo_withdrawn": entry(senior, [amy, cara]),
        "photo_covered": entry(senior, [amy, cara]),
        "photo_left_out": entry(senior, [amy, ben]),
        "photo_draft": entry(world.actor("practitioner"), [amy], publish=False),
        "photo_contribution": entry(world.actor("parent_amy"), [amy], contribution=True),
        "photo_deleted": entry(senior, [amy]),
        "upload_staff": sent(world.actor("practitioner")),
        "upload_parent": sent(world.actor("parent_amy")),
        "photo_zed": entry(world.actor("other_manager"), [world.children["zed"]]),
    }
    setting_update(actor=world.actor("other_manager"), parents_may_download=False)
    return found


def _media_after(world, found: dict) -> dict:
    """What happens to photos after they are published: consent withdrawn, a
    child covered, a photo left out of a journal, one deleted."""
    manager = world.actor("manager")
    cara = world.children["cara"]
    children_services.child_set_image_consent(actor=manager, child=cara, consent="refused")
    loaded = {name: Media.objects.get(pk=item.pk) for name, item in found.items()}
    media.redact(
        actor=manager,
        media=loaded["photo_covered"],
        regions='[{"x": 0.5, "y": 0, "w": 0.5, "h": 0.5}]',
        covered={cara.pk},
    )
    media.tag(
        actor=manager,
        media=loaded["photo_left_out"],
        appears={world.children["ben"].pk},
        left_out={world.children["amy"].pk},
    )
    media.remove(actor=manager, media=loaded["photo_deleted"])
    return {name: Media.objects.get(pk=item.pk) for name, item in found.items()}


def _assessment_states(world) -> dict:
    manager = world.actor("manager")
    eyfs = Framework.objects.get(key="development-matters", setting=None)
    own = assessment_services.framework_import(
        actor=manager,
        raw=b"type,name,area,aspect,band,from_months,to_months,plain_words\n"
        b"framework,Acorn ways,,,,,,\narea,Outside,,,,,,\naspect,Climbing,Outside,,,,,\n",
    )
    shared, private = (
        assessment_services.period_create(
            actor=manager, name=name, assessed_on=date(2026, 10, 1), framework=eyfs
        )
        for name in ("Autumn", "Spring")
    )
    assessment_services.period_update(actor=manager, period=shared, shared_with_parents=True)
    aspect = eyfs.aspects.first()
    made = {}
    for name, period, child in (
        ("amy_shared", shared, "amy"),
        ("amy_private", private, "amy"),
        ("ben_shared", shared, "ben"),
    ):
        assessment_services.assessments_record(
            actor=manager,
            period=period,
            child=world.children[child],
            judgements={
                aspect.pk: assessment_services.Judgement(judgement="secure", on_track=True)
            },
        )
        made[name] = Assessment.objects.get(period=period, child=world.children[child])
    return {
        "eyfs": eyfs,
        "acorns_framework": own,
        "period_shared": AssessmentPeriod.objects.get(pk=shared.pk),
        "period_private": private,
        **made,
    }


def test_the_table_covers_every_action():
    assert {action for action, _name in EXPECTED} == set(RULES)
    assert set(ACTION_MODELS) == set(RULES)


def test_can_agrees_with_the_table_for_every_person(world, states):
    actors = {person: world.actor(person) for person in PEOPLE}
    wrong = {}
    for (action, name), expected in EXPECTED.items():
        allowed = {person for person, actor in actors.items() if can(actor, action, states[name])}
        if allowed != expected:
            wrong[action, name] = (sorted(allowed), sorted(expected))
    assert wrong == {}


def test_scope_agrees_with_can_for_every_action_person_and_state(world, states):
    for action, model in ACTION_MODELS.items():
        everything = list(model.objects.all())
        assert everything, f"no {model.__name__} to check {action} against"
        for person in [*PEOPLE, "suspended"]:
            actor = world.actor(person)
            in_scope = set(scope(actor, action, model.objects.all()).values_list("pk", flat=True))
            by_can = {obj.pk for obj in everything if can(actor, action, obj)}
            assert in_scope == by_can, f"{action} for {person}"


def test_an_unknown_action_is_an_error_not_a_yes(world):
    with pytest.raises(KeyError):
        can(world.actor("manager"), "child.teleport", world.children["amy"])


# --- Random small worlds -------------------------------------------------------------

ROLES = ("manager", "senior", "practitioner", "parent")
OBSERVATION_STATES = [s for s, _label in Observation.Status.choices]


@st.composite
def small_worlds(draw):
    """Two settings with a few people, children, links, entries and replies in
    any state: the shapes a real setting's data can take."""
    return {
        "people": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 1),
                    st.sampled_from(ROLES),
                    st.sampled_from(["active", "invited", "suspended"]),
                ),
                min_size=2,
                max_size=6,
            )
        ),
        "children": draw(
            st.lists(
                st.tuples(st.integers(0, 1), st.sampled_from(["active", "left"]), st.booleans()),
                min_size=1,
                max_size=4,
            )
        ),
        "links": draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=6)),
        "observations": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 5),  # author
                    st.sampled_from(OBSERVATION_STATES),
                    st.booleans(),  # shared with parents
                    st.booleans(),  # deleted
                    st.lists(st.integers(0, 3), min_size=1, max_size=3),  # children
                ),
                max_size=5,
            )
        ),
        "comments": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 4),  # observation
                    st.integers(0, 3),  # child
                    st.integers(0, 5),  # author
                    st.sampled_from(["published", "pending"]),
                    st.booleans(),  # staff only
                ),
                max_size=5,
            )
        ),
    }


def _build(shape) -> list[Membership]:
    """Rows straight into the database (no services: any state at all)."""
    settings_ = [
        Setting.objects.create(name=f"S{n}", slug=f"s{n}-{Setting.objects.count()}") for n in (0, 1)
    ]
    members = []
    for n, (where, role, status) in enumerate(shape["people"]):
        user = User.objects.create(email=f"p{n}-{User.objects.count()}@h.test", full_name=f"P{n}")
        members.append(
            Membership.objects.create(user=user, setting=settings_[where], role=role, status=status)
        )
    children = [
        Child.objects.create(
            setting=settings_[where],
            first_name=f"C{n}",
            last_name="H",
            date_of_birth=date(2022, 1, 1),
            status=status,
            deleted_at=timezone.now() if deleted else None,
        )
        for n, (where, status, deleted) in enumerate(shape["children"])
    ]
    for member_n, child_n in shape["links"]:
        member, child = members[member_n % len(members)], children[child_n % len(children)]
        if member.role == "parent" and member.setting_id == child.setting_id:
            ParentLink.objects.get_or_create(parent=member, child=child)
    observations = []
    for author_n, status, shared, deleted, child_ns in shape["observations"]:
        author = members[author_n % len(members)]
        source = "parent" if author.role == "parent" else "staff"
        observation = Observation.objects.create(
            setting_id=author.setting_id,
            author=author,
            source=source,
            title="T",
            observed_at=timezone.now(),
            status=status,
            shared_with_parents=shared,
            deleted_at=timezone.now() if deleted else None,
        )
        for child in {children[n % len(children)] for n in child_ns}:
            ObservationChild.objects.create(observation=observation, child=child)
        observations.append(observation)
    for obs_n, child_n, author_n, status, staff_only in shape["comments"]:
        if observations:
            Comment.objects.create(
                observation=observations[obs_n % len(observations)],
                child=children[child_n % len(children)],
                author=members[author_n % len(members)],
                body="B",
                status=status,
                staff_only=staff_only,
            )
    for member in members:
        ApiToken.objects.create(
            membership=member,
            name="k",
            token_hash=f"{member.pk}-{ApiToken.objects.count()}",
            prefix="fs_",
            expires_at=timezone.now() + timedelta(days=1),
        )
        NextStep.objects.create(child=children[0], text="N", created_by=member)
    return members


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=small_worlds())
def test_r5_r12_scope_agrees_with_can_in_random_small_worlds(shape):
    with transaction.atomic():
        members = _build(shape)
        for member in members:
            actor = Actor(user=member.user, membership=member)
            for action, model in ACTION_MODELS.items():
                everything = list(model.objects.all())
                in_scope = set(
                    scope(actor, action, model.objects.all()).values_list("pk", flat=True)
                )
                by_can = {obj.pk for obj in everything if can(actor, action, obj)}
                assert in_scope == by_can, (action, member.role, member.status)
        transaction.set_rollback(True)
