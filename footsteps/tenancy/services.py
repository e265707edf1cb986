"""Writes about a setting: its options and its agreements (R3, R4, R17, R22, R29)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit.services import audit_act, audit_record
from footsteps.tenancy.models import Agreement, AgreementAcceptance, Setting
from footsteps.tenancy.selectors import latest_version

DEFAULT_PARENT_AGREEMENT = """Welcome to our online learning journal.

1. Only you, our staff and the setting's management can see your child's journal.
2. Please do not download, copy or share photos or observations on social media.
3. Some observations include other children. Keep what you see private.
4. You can reply to observations and add your own from home; staff look at them first.
5. Sign out when you have finished, especially on shared devices."""

DEFAULT_STAFF_AGREEMENT = """Code of conduct for the online learning journal.

1. Use only setting devices to take photographs of children.
2. Never share your sign-in; sign out when you leave a device.
3. Enter observations within a week, accurately and appropriately.
4. Never discuss children's journals outside the setting."""

OPTION_FIELDS = (
    "name",
    "moderation",
    "approve_parent_comments",
    "late_entry_days",
    "purge_after_days",
    "parents_may_download_pdf",
    "parents_may_download",
    "media_max_mb",
    "media_max_megapixels",
    "media_max_video_seconds",
)


@transaction.atomic
def setting_update(*, actor: Actor, **options) -> Setting:
    require(actor, "setting.manage", actor.member.setting)
    setting = Setting.objects.select_for_update().get(pk=actor.member.setting_id)
    unknown = set(options) - set(OPTION_FIELDS)
    if unknown:
        raise ValueError(f"Not a setting option: {sorted(unknown)}")
    changed = {}
    for name, value in options.items():
        if getattr(setting, name) != value:
            changed[name] = [str(getattr(setting, name)), str(value)]
            setattr(setting, name, value)
    setting.full_clean()
    setting.save()  # the database raises the journal version (footsteps.core.stamps)
    if changed:
        audit_record(
            actor=actor.member.user, setting=setting, action="setting.updated", changes=changed
        )
    return setting


def agreement_publish(*, actor: Actor, audience: str, body: str) -> Agreement:
    """Publish a new version; everyone of that audience must accept it again."""
    require(actor, "setting.manage", actor.member.setting)
    if audience not in Agreement.Audience.values:
        raise ValidationError({"audience": "Choose parents or staff."})
    if not body.strip():
        raise ValidationError({"body": "Write the agreement's text."})
    for _attempt in range(3):
        try:
            with transaction.atomic():
                agreement = Agreement.objects.create(
                    setting_id=actor.member.setting_id,
                    audience=audience,
                    version=latest_version(actor.member.setting_id, audience) + 1,
                    body=body.strip(),
                    published_by=actor.member.user,
                )
                audit_act(
                    actor,
                    "agreement.published",
                    target=agreement,
                    audience=audience,
                    version=agreement.version,
                )
                return agreement
        except IntegrityError:
            continue  # another manager published at the same moment; number again
    raise ValidationError("Could not publish the agreement; please try again.")


@transaction.atomic
def agreement_accept(
    *,
    actor: Actor,
    agreement: Agreement,
    journal_consent: bool | None = None,
    image_consents: dict[int, str] | None = None,
) -> AgreementAcceptance:
    """Record that the actor accepted this version, with the family's consents (R3, R4,
    R28, R29). A parent must consent to the journal itself to accept."""
    from footsteps.children.selectors import children_for
    from footsteps.children.services import child_set_image_consent

    require(actor, "agreement.accept", agreement)
    for_families = agreement.audience == Agreement.Audience.PARENT
    if for_families:
        if not journal_consent:
            raise ValidationError(
                {"journal_consent": "To use the journal, please consent to it being kept."}
            )
        children = children_for(actor, "child.consent").in_bulk(list(image_consents or {}))
        for child_id, consent in (image_consents or {}).items():
            if child_id in children:
                child_set_image_consent(actor=actor, child=children[child_id], consent=consent)
    acceptance, _created = AgreementAcceptance.objects.get_or_create(
        agreement=agreement,
        membership=actor.member,
        defaults={"journal_consent": journal_consent if for_families else None},
    )
    audit_act(
        actor,
        "agreement.accepted",
        target=agreement,
        version=agreement.version,
    )
    return acceptance


@transaction.atomic
def setting_create(
    *,
    name: str,
    slug: str,
    manager_email: str,
    manager_name: str,
    parent_agreement: str = DEFAULT_PARENT_AGREEMENT,
    staff_agreement: str = DEFAULT_STAFF_AGREEMENT,
):
    """The operator opens a new setting and invites its first manager, who then
    runs everything else (R12). The operator gets no access to its records (R32).

    A setting opens with both agreements published, so nobody uses it before
    accepting one (R3, R4); its manager can publish its own wording later."""
    from footsteps.access.actor import Actor
    from footsteps.people.models import Membership, Role
    from footsteps.people.services import _user_for_email, invitation_send

    if Setting.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A setting with this short name already exists."})
    setting = Setting.objects.create(name=name.strip(), slug=slug)
    user = _user_for_email(email=manager_email, full_name=manager_name)
    manager = Membership.objects.create(user=user, setting=setting, role=Role.MANAGER)
    for audience, body in (("parent", parent_agreement), ("staff", staff_agreement)):
        Agreement.objects.create(setting=setting, audience=audience, version=1, body=body)
    audit_record(actor=None, setting=setting, action="setting.created", target=setting)
    invitation_send(actor=Actor(user=user, membership=manager), membership=manager)
    return setting, manager
