"""The objects the URL matrix and the API write tests act on."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from footsteps.assessments import services as assessments
from footsteps.assessments.models import Framework
from footsteps.conftest import PASSWORD
from footsteps.core import seeding
from footsteps.exports.models import Export
from footsteps.journal import services as journal
from footsteps.journal.models import NextStep
from footsteps.media import services as media_services
from footsteps.media.models import Media
from footsteps.people import services as people
from footsteps.people.models import User
from footsteps.records import services as records
from footsteps.security.models import SessionRecord
from footsteps.security.tests.passkeys import stored_passkey
from footsteps.subject_access.models import SubjectAccessExport
from footsteps.support import services as support
from footsteps.tablets import services as tablets
from footsteps.tenancy import services as tenancy
from footsteps.tenancy.models import Setting
from footsteps.transfers.models import ImportedPackage, Transfer


@pytest.fixture
def matrix_world(world, django_capture_on_commit_callbacks, upload, small_photo):
    """The shared world plus the objects the matrix acts on."""
    manager = world.actor("manager")
    tenancy.setting_update(actor=manager, approve_parent_comments=True, moderation="named")
    people.staff_set_review(
        actor=manager, membership=world.members["practitioner"], needs_review=True
    )
    yesterday = timezone.now() - timedelta(days=1)
    practitioner = world.actor("practitioner")
    amy_only = journal.observation_create(
        actor=world.actor("senior"),
        children=[world.children["amy"]],
        title="Amy alone",
        observed_at=yesterday,
        publish=True,
        next_steps="Try scissors",
    )
    awaiting = journal.observation_create(
        actor=practitioner,
        children=[world.children["amy"]],
        title="Needs review",
        observed_at=yesterday,
        publish=True,
    )
    assert awaiting.status == "awaiting_review"
    pending = journal.comment_add(
        actor=world.actor("parent_amy"),
        observation=amy_only,
        child=world.children["amy"],
        body="Waiting for approval",
    )
    assert pending.status == "pending"
    token, _secret = people.api_token_create(actor=manager, name="Tablet", password=PASSWORD)
    # Photos: one on Amy's entry, the manager's upload still arriving (2 bytes
    # announced: the matrix's "{}" body completes it), one waiting for tools.
    photo = upload(world.actor("senior"), small_photo)
    media_services.attach(actor=world.actor("senior"), observation=amy_only, keys=[photo.key])
    arriving = media_services.upload_start(actor=manager, name="a.jpg", size=2)
    waiting = media_services.upload_start(actor=manager, name="b.jpg", size=2)
    media_services.upload_chunk(actor=manager, media=waiting, offset=0, data=b"ab")
    Media.objects.filter(pk=waiting.pk).update(status=Media.Status.NEEDS_TOOLS)
    eyfs = Framework.objects.get(key="development-matters", setting=None)
    period = assessments.period_create(
        actor=manager, name="Autumn", assessed_on=timezone.localdate(), framework=eyfs
    )
    assessments.period_update(actor=manager, period=period, shared_with_parents=True)
    profile = assessments.period_create(
        actor=manager,
        name="Profile",
        assessed_on=timezone.localdate(),
        framework=Framework.objects.get(key="eyfs-profile", setting=None),
    )
    spare = journal.observation_create(
        actor=manager,
        children=[world.children["amy"]],
        title="Deleted by mistake",
        observed_at=yesterday,
        publish=True,
    )
    deleted = records.observation_delete(actor=manager, observation=spare)
    support_grant = support.grant(actor=manager, hours=4, reason="Uploads fail")
    tablet, _ = tablets.register(actor=manager, name="Rainbow room iPad")
    from_home = journal.contribution_create(
        actor=world.actor("parent_amy"),
        children=[world.children["amy"]],
        title="Approved from home",
        notes="Cooking",
        observed_at=yesterday,
    )
    journal.contribution_approve(actor=manager, observation=from_home)
    export = Export.objects.create(
        setting_id=world.members["manager"].setting_id,
        child=world.children["amy"],
        requested_by=world.members["manager"],
        status=Export.Status.READY,
        file=default_storage.save("exports/matrix.pdf", ContentFile(b"%PDF-1.4 matrix")),
    )
    subject_export = SubjectAccessExport.objects.create(
        setting_id=world.members["manager"].setting_id,
        requested_by=world.members["manager"],
        kind="child",
        subject_child=world.children["amy"],
        status=SubjectAccessExport.Status.READY,
        file=default_storage.save("subject-access/matrix.zip", ContentFile(b"PK\x05\x06")),
    )
    transfer = Transfer.objects.create(
        setting_id=world.members["manager"].setting_id,
        child=world.children["amy"],
        requested_by=world.members["manager"],
        status=Transfer.Status.READY,
        code="ABCD-EFGH-JKMN-PQRS",
        file=default_storage.save("transfers/matrix.zip", ContentFile(b"PK\x05\x06")),
    )
    imported = ImportedPackage.objects.create(
        setting_id=world.members["manager"].setting_id,
        package_id=uuid.uuid4(),
        child=world.children["cara"],
        imported_by=world.members["manager"],
    )
    operator = User.objects.create_superuser("ops@footsteps.test", PASSWORD, full_name="Ops")
    seeding.authenticator_app(operator)  # the operator always has a second step (R37)
    # One of the manager's sessions on another device (R9).
    manager_session = SessionRecord.objects.create(
        user=world.members["manager"].user,
        key_prefix="elsewher",
        key_hash="e" * 64,
        auth_digest="",
        ends_at=timezone.now() + timedelta(hours=1),
        ip="203.0.113.5",
    )
    manager_passkey = stored_passkey(world.members["manager"].user)  # R37
    return {
        "operator_user": operator,
        "manager_passkey": manager_passkey.pk,
        "manager_user": world.members["manager"].user_id,
        "setting": world.members["manager"].setting_id,
        "setting_type": ContentType.objects.get_for_model(Setting).pk,
        **{key: m.pk for key, m in world.members.items()},
        **{key: c.pk for key, c in world.children.items()},
        "amy_only": amy_only.pk,
        "awaiting": awaiting.pk,
        "contribution": world.observations["contribution"].pk,
        "pending_comment": pending.pk,
        "manager_token": token.pk,
        "amy_link": world.children["amy"].parent_links.get().pk,
        "amy_step": NextStep.objects.get(observation=amy_only).pk,
        "amy_photo": photo.key,
        "manager_upload": arriving.key,
        "waiting_upload": waiting.key,
        "period": period.pk,
        "profile_period": profile.pk,
        "deleted_item": deleted.pk,
        "support_grant": support_grant.pk,
        "tablet": tablet.pk,
        "manager_export": str(export.key),
        "manager_session": manager_session.pk,
        "subject_export": str(subject_export.key),
        "manager_transfer": str(transfer.key),
        "imported_package": imported.pk,
        "amy_reply": world.comments["amy"].pk,
        "approved_contribution": from_home.pk,
        "world": world,
    }
