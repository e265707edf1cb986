"""The one access policy of Footsteps.

`can(actor, action, obj)` answers "may this person do this to this object";
`scope(actor, action, queryset)` narrows a queryset to the objects for which
`can` would say yes. Both read the same table, RULES: for each action, the roles
that may ever do it and the relationship the object must have to them. A role
missing from an action's row may not do it at all (default deny).

Every rule is a relationship that knows both how to test one object and how to
filter a queryset, so the object check and the list filter cannot drift apart
(tests check that they agree for every action, role and object).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery

from footsteps.access.actor import Actor
from footsteps.people.models import Role


class Rule:
    def holds(self, actor: Actor, obj) -> bool:
        raise NotImplementedError

    def q(self, actor: Actor) -> Q:
        raise NotImplementedError

    def __and__(self, other):
        return _All(self, other)

    def __or__(self, other):
        return _Any(self, other)

    def __invert__(self):
        return _Not(self)


class _All(Rule):
    def __init__(self, *rules):
        self.rules = rules

    def holds(self, actor, obj):
        return all(rule.holds(actor, obj) for rule in self.rules)

    def q(self, actor):
        result = Q()
        for rule in self.rules:
            result &= rule.q(actor)
        return result


class _Any(Rule):
    def __init__(self, *rules):
        self.rules = rules

    def holds(self, actor, obj):
        return any(rule.holds(actor, obj) for rule in self.rules)

    def q(self, actor):
        result = Q(pk__in=[])
        for rule in self.rules:
            result |= rule.q(actor)
        return result


class _Not(Rule):
    def __init__(self, rule):
        self.rule = rule

    def holds(self, actor, obj):
        return not self.rule.holds(actor, obj)

    def q(self, actor):
        return ~self.rule.q(actor)


def _follow(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


class InSetting(Rule):
    """The object belongs to the actor's setting. `path` leads from the object to
    its setting id ("setting_id", "child__setting_id"; "pk" for a Setting itself)."""

    def __init__(self, path: str = "setting_id"):
        self.path = path

    def holds(self, actor, obj):
        return actor.setting_id is not None and _follow(obj, self.path) == actor.setting_id

    def q(self, actor):
        return Q(**{self.path: actor.setting_id})


class FieldIn(Rule):
    """A field of the object has one of the given values (a status, a source)."""

    def __init__(self, field: str, *values):
        self.field, self.values = field, frozenset(values)

    def holds(self, actor, obj):
        return _follow(obj, self.field) in self.values

    def q(self, actor):
        return Q(**{f"{self.field}__in": self.values})


class NotDeleted(Rule):
    """Not in the deleted area (R34)."""

    def __init__(self, path: str = "deleted_at"):
        self.path = path

    def holds(self, actor, obj):
        return _follow(obj, self.path) is None

    def q(self, actor):
        return Q(**{f"{self.path}__isnull": True})


class Unset(NotDeleted):
    """A field is empty (a photo not yet on an entry)."""


class IsActorsMembership(Rule):
    """The object's membership (author, token owner) is the actor's own."""

    def __init__(self, path: str = "author_id"):
        self.path = path

    def holds(self, actor, obj):
        return actor.membership is not None and _follow(obj, self.path) == actor.membership.pk

    def q(self, actor):
        return Q(**{self.path: actor.membership.pk if actor.membership else None})


class OwnChild(Rule):
    """The child (at `path`) is one of the parent's attending children (R5, R6)."""

    def __init__(self, path: str = "pk"):
        self.path = path

    def holds(self, actor, obj):
        return _follow(obj, self.path) in actor.child_ids

    def q(self, actor):
        return Q(**{f"{self.path}__in": actor.child_ids})


class AboutOwnChild(Rule):
    """An observation that names at least one of the parent's children."""

    def holds(self, actor, obj):
        # Use links a selector already loaded (own_links) rather than query again.
        links = getattr(obj, "own_links", None)
        if links is None:
            links = obj.links.all()
        ids = [link.child_id for link in links]
        return any(child_id in actor.child_ids for child_id in ids)

    def q(self, actor):
        from footsteps.journal.models import ObservationChild

        return Q(
            pk__in=Subquery(
                ObservationChild.objects.filter(child_id__in=actor.child_ids).values(
                    "observation_id"
                )
            )
        )


def _prefixed(q: Q, path: str) -> Q:
    """The same conditions, asked of the object at `path`."""
    copy = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            copy.children.append(_prefixed(child, path))
        elif isinstance(child, tuple):
            copy.children.append((f"{path}__{child[0]}", child[1]))
        else:
            raise TypeError(f"cannot ask {child!r} through {path}")
    return copy


class Via(Rule):
    """The rule holds for the object at `path` (a photo's observation)."""

    def __init__(self, path: str, rule: Rule):
        self.path, self.rule = path, rule

    def holds(self, actor, obj):
        target = _follow(obj, self.path)
        return target is not None and self.rule.holds(actor, target)

    def q(self, actor):
        return Q(**{f"{self.path}__isnull": False}) & _prefixed(self.rule.q(actor), self.path)


class ConsentAllows(Rule):
    """Every other family's child who appears in a photo may be seen in other
    children's journals (image consent granted), or is covered in its redacted
    copy (R28). "Other": not one of the parent's own children."""

    def holds(self, actor, obj):
        return not any(_blocks(link, obj, actor.child_ids) for link in obj.child_links.all())

    def q(self, actor):
        from footsteps.media.models import MediaChild

        blocking = (
            MediaChild.objects.filter(media=OuterRef("pk"), appears=True)
            .exclude(child_id__in=actor.child_ids)
            .exclude(child__image_consent="granted")
            .exclude(covered=True, media__redacted_display__gt="")
        )
        return ~Q(Exists(blocking))


def _blocks(link, media, own) -> bool:
    return (
        link.appears
        and link.child_id not in own
        and link.child.image_consent != "granted"
        and not (link.covered and media.redacted_display)
    )


class InOwnJournal(Rule):
    """A photo belongs in the journal of one of the parent's children: it is on
    an entry about them or shows them, and was not left out of their journal."""

    def holds(self, actor, obj):
        left_out = {link.child_id for link in obj.child_links.all() if link.left_out}
        shown = {link.child_id for link in obj.child_links.all() if link.appears}
        about = (
            {link.child_id for link in obj.observation.links.all()} if obj.observation else set()
        )
        return any(c in actor.child_ids and c not in left_out for c in shown | about)

    def q(self, actor):
        from footsteps.journal.models import ObservationChild
        from footsteps.media.models import MediaChild

        left_out = MediaChild.objects.filter(media=OuterRef(OuterRef("pk")), left_out=True)
        about = ObservationChild.objects.filter(
            observation_id=OuterRef("observation_id"), child_id__in=actor.child_ids
        ).exclude(child_id__in=left_out.values("child_id"))
        shown = MediaChild.objects.filter(
            media=OuterRef("pk"), appears=True, left_out=False, child_id__in=actor.child_ids
        )
        return Q(Exists(about)) | Q(Exists(shown))


# --- Relationships used in the table -----------------------------------------

SETTING_ITSELF = InSetting("pk")
CHILD_IN_SETTING = InSetting() & NotDeleted()

OBS_IN_SETTING = InSetting() & NotDeleted()
OBS_AUTHOR = IsActorsMembership("author_id")
OBS_STAFF_SOURCE = FieldIn("source", "staff")
OBS_PARENT_SOURCE = FieldIn("source", "parent")
# Staff see everything in the journal but other people's unfinished drafts and
# parents' withdrawn contributions; returned entries are the author's and reviewers'.
OBS_STAFF_VISIBLE = OBS_IN_SETTING & (
    OBS_AUTHOR | ~FieldIn("status", "draft", "returned", "withdrawn")
)
OBS_REVIEWER_VISIBLE = OBS_IN_SETTING & (OBS_AUTHOR | ~FieldIn("status", "draft", "withdrawn"))
# Parents see published entries shared with parents about their own child, and
# their own contributions whatever their state (R5, R19), both only while the
# child attends (R6).
OBS_PARENT_VISIBLE = OBS_IN_SETTING & (
    (FieldIn("status", "published") & FieldIn("shared_with_parents", True) & AboutOwnChild())
    | (OBS_AUTHOR & OBS_PARENT_SOURCE & AboutOwnChild())
)
_AMENDABLE = ("draft", "returned", "awaiting_review", "published")
OBS_OWN_AMENDABLE = OBS_IN_SETTING & OBS_STAFF_SOURCE & OBS_AUTHOR & FieldIn("status", *_AMENDABLE)
OBS_REVIEWER_AMENDABLE = (
    OBS_IN_SETTING & OBS_STAFF_SOURCE & FieldIn("status", "awaiting_review", "published")
)

COMMENT_IN_SETTING = (
    InSetting("observation__setting_id")
    & NotDeleted("observation__deleted_at")
    & NotDeleted("deleted_at")
)

# Photos and videos (R14, R19, R28, R31): staff see those of entries they may
# see; families those of entries they may see, once processed, where every
# other child in them may be seen (or is covered); everyone their own uploads.
MEDIA_IN_SETTING = InSetting() & NotDeleted()
# A person in the deleted area is out of every list and page until restored.
MEMBER_IN_SETTING = InSetting() & ~FieldIn("status", "deleted")
MEDIA_OWN_UPLOAD = MEDIA_IN_SETTING & IsActorsMembership("uploaded_by_id")
MEDIA_FOR_FAMILY = (
    MEDIA_IN_SETTING
    & FieldIn("status", "ready")
    & Via("observation", OBS_PARENT_VISIBLE)
    & ConsentAllows()
    & InOwnJournal()
)

# EYFS frameworks (R23): those Footsteps ships, and a setting's own.
FRAMEWORK_USABLE = Unset("setting_id") | InSetting()
# Assessments (R23, R24): staff of the setting; a family their own child's, in
# periods the setting has shared with families.
ASSESSMENT_IN_SETTING = InSetting("period__setting_id") & NotDeleted("child__deleted_at")

MANAGER, SENIOR, PRACTITIONER, PARENT = Role.MANAGER, Role.SENIOR, Role.PRACTITIONER, Role.PARENT


def _staff(rule, *, roles=(MANAGER, SENIOR, PRACTITIONER)):
    return dict.fromkeys(roles, rule)


def _reviewers(rule):
    return _staff(rule, roles=(MANAGER, SENIOR))


def _managers(rule):
    return {MANAGER: rule}


# action -> {role: relationship the object must have to the actor}
RULES: dict[str, dict[str, Rule]] = {
    # Setting-wide pages and actions: the object is the actor's Setting.
    "setting.manage": _managers(SETTING_ITSELF),
    # Sign-in rules: idle time, staff hours and networks, home access (R9, R10).
    "access_rules.manage": _managers(SETTING_ITSELF),
    "people.manage": _managers(SETTING_ITSELF),
    "child.create": _managers(SETTING_ITSELF),
    "child.list": _staff(SETTING_ITSELF),
    "observation.create": _staff(SETTING_ITSELF),
    "review.queue": _reviewers(SETTING_ITSELF),
    "monitoring.view": _managers(SETTING_ITSELF),
    "contribution.create": {PARENT: SETTING_ITSELF},
    "feed.view": {PARENT: SETTING_ITSELF},
    "profile.use": {**_staff(SETTING_ITSELF), PARENT: SETTING_ITSELF},
    # How a family hears about new entries: a parent's own choice.
    "preferences.journal_emails": {PARENT: SETTING_ITSELF},
    # The list of every observation behind a monitoring figure (R26).
    "observation.list": _staff(SETTING_ITSELF),
    # The setting's rooms, its staff and families (R12).
    "room.view": _staff(InSetting()),
    "membership.view": _staff(InSetting()),
    "audit.view": _managers(InSetting()),
    # Agreements (R3, R4): managers publish them; each person accepts their own.
    "agreement.manage": _managers(InSetting()),
    "agreement.accept": {
        **_staff(InSetting() & FieldIn("audience", "staff")),
        PARENT: InSetting() & FieldIn("audience", "parent"),
    },
    # Children (R5, R12, R15).
    "child.view": {**_staff(CHILD_IN_SETTING), PARENT: CHILD_IN_SETTING & OwnChild()},
    "child.journal": _staff(CHILD_IN_SETTING),
    "child.edit": _managers(CHILD_IN_SETTING),
    # The deleted area (R34): managers delete children; entries go with the
    # managers and seniors, or with their staff author; a reply with reviewers
    # or its author. A manager restores any of them until it is purged.
    "child.delete": _managers(CHILD_IN_SETTING),
    "observation.delete": {
        **_reviewers(OBS_IN_SETTING),
        PRACTITIONER: OBS_IN_SETTING & OBS_STAFF_SOURCE & OBS_AUTHOR,
    },
    "comment.delete": {
        **_reviewers(COMMENT_IN_SETTING),
        PRACTITIONER: COMMENT_IN_SETTING & IsActorsMembership("author_id"),
        PARENT: COMMENT_IN_SETTING & IsActorsMembership("author_id") & OwnChild("child_id"),
    },
    # PDF journals (R35, R36): staff for any child of the setting (leavers
    # too); a family for their own child where the setting allows it.
    "journal_pdf.request": {
        **_staff(CHILD_IN_SETTING),
        PARENT: CHILD_IN_SETTING & OwnChild() & FieldIn("setting__parents_may_download_pdf", True),
    },
    "export.view": {
        MANAGER: InSetting(),
        **_staff(InSetting() & IsActorsMembership("requested_by_id"), roles=(SENIOR, PRACTITIONER)),
        PARENT: InSetting() & IsActorsMembership("requested_by_id") & OwnChild("child_id"),
    },
    # Moving a journal to another setting (R36): managers make the package for
    # any child of theirs (leavers too) and see their setting's packages (not
    # once the child is deleted); they import one as a new child and see what
    # their setting imported.
    "transfer.export": _managers(CHILD_IN_SETTING),
    "transfer.view": _managers(InSetting() & NotDeleted("child__deleted_at")),
    "transfer.import": _managers(SETTING_ITSELF),
    "transfer.view_import": _managers(InSetting() & NotDeleted("child__deleted_at")),
    # Subject access (R33, R35): a manager gathers everything the setting holds
    # about a child, parent or member of staff of theirs. The export holds every
    # entry kept (drafts, withdrawn and declined ones too), never a deleted one;
    # once its child is in the deleted area it is no longer handed out.
    "subject_access.request": _managers(CHILD_IN_SETTING),
    "subject_access.request_person": _managers(MEMBER_IN_SETTING),
    "subject_access.entries": _managers(OBS_IN_SETTING),
    "subject_access.view": _managers(
        InSetting() & (Unset("subject_child_id") | NotDeleted("subject_child__deleted_at"))
    ),
    "deletion.view": _managers(SETTING_ITSELF),
    # Letting the operator in for a while (R32), and ending it.
    "support.manage": _managers(SETTING_ITSELF),
    "support.end": _managers(InSetting()),
    # Shared tablets (R11): managers register and revoke; staff set a PIN.
    "tablet.manage": _managers(SETTING_ITSELF),
    "tablet.revoke": _managers(InSetting()),
    "pin.set": _staff(SETTING_ITSELF),
    "deletion.restore": _managers(InSetting()),
    # Whether photos of a child may appear in other children's journals (R28):
    # the family decides; a manager records what the family asks for.
    "child.consent": {MANAGER: CHILD_IN_SETTING, PARENT: CHILD_IN_SETTING & OwnChild()},
    # A child's surname: the staff's records; families see first names only (R5).
    "child.full_name": _staff(CHILD_IN_SETTING),
    # A child who has left has a read-only journal (R6, R35).
    "nextstep.manage": _staff(
        InSetting("child__setting_id")
        & NotDeleted("child__deleted_at")
        & FieldIn("child__status", "active")
    ),
    # People (R12): memberships and parent links of the manager's own setting.
    "membership.manage": _managers(MEMBER_IN_SETTING),
    "link.manage": _managers(
        InSetting("child__setting_id") & ~FieldIn("parent__status", "deleted")
    ),
    "token.manage": {
        role: IsActorsMembership("membership_id")
        for role in (MANAGER, SENIOR, PRACTITIONER, PARENT)
    },
    # The journal (R14-R20).
    "observation.view": {
        **_reviewers(OBS_REVIEWER_VISIBLE),
        PRACTITIONER: OBS_STAFF_VISIBLE,
        PARENT: OBS_PARENT_VISIBLE,
    },
    "observation.history": {**_reviewers(OBS_REVIEWER_VISIBLE), PRACTITIONER: OBS_STAFF_VISIBLE},
    # What staff see of an entry beyond what families see: whether it is shared,
    # entered late (R22), when it was entered and its next steps (R25).
    "observation.staff_detail": _staff(OBS_IN_SETTING),
    "observation.edit": {
        MANAGER: OBS_OWN_AMENDABLE | OBS_REVIEWER_AMENDABLE,
        SENIOR: OBS_OWN_AMENDABLE | OBS_REVIEWER_AMENDABLE,
        PRACTITIONER: OBS_OWN_AMENDABLE,
    },
    "observation.review": _reviewers(
        OBS_IN_SETTING & OBS_STAFF_SOURCE & FieldIn("status", "awaiting_review") & ~OBS_AUTHOR
    ),
    "contribution.review": _staff(
        OBS_IN_SETTING & OBS_PARENT_SOURCE & FieldIn("status", "pending")
    ),
    "contribution.withdraw": {
        PARENT: OBS_IN_SETTING & OBS_PARENT_SOURCE & OBS_AUTHOR & FieldIn("status", "pending")
    },
    "observation.comment": {
        **_staff(OBS_IN_SETTING & FieldIn("status", "published")),
        PARENT: OBS_IN_SETTING
        & FieldIn("status", "published")
        & FieldIn("shared_with_parents", True)
        & AboutOwnChild(),
    },
    # Replies (R5, R18): staff read every thread; a family only the threads about
    # their own child on entries shared with them, never staff-only discussion,
    # and of others' replies only approved ones.
    "comment.view": {
        **_staff(COMMENT_IN_SETTING),
        PARENT: COMMENT_IN_SETTING
        & OwnChild("child_id")
        & FieldIn("staff_only", False)
        & FieldIn("observation__status", "published")
        & FieldIn("observation__shared_with_parents", True)
        & (FieldIn("status", "published") | IsActorsMembership("author_id")),
    },
    "comment.approve": _staff(COMMENT_IN_SETTING & FieldIn("status", "pending")),
    # Taking down what is inappropriate, with a reason (R38): reviewers, on a
    # published reply or an approved family entry.
    "comment.remove": _reviewers(COMMENT_IN_SETTING & FieldIn("status", "published")),
    "contribution.remove": _reviewers(
        OBS_IN_SETTING & OBS_PARENT_SOURCE & FieldIn("status", "published")
    ),
    "media.upload": {**_staff(SETTING_ITSELF), PARENT: SETTING_ITSELF},
    "media.view": {
        **_reviewers(
            MEDIA_OWN_UPLOAD | (MEDIA_IN_SETTING & Via("observation", OBS_REVIEWER_VISIBLE))
        ),
        PRACTITIONER: MEDIA_OWN_UPLOAD | (MEDIA_IN_SETTING & Via("observation", OBS_STAFF_VISIBLE)),
        PARENT: MEDIA_OWN_UPLOAD | MEDIA_FOR_FAMILY,
    },
    # Saving the file itself, not just seeing it in the journal: a setting may
    # keep families to viewing (R31).
    "media.download": {
        **_staff(MEDIA_IN_SETTING),
        PARENT: (MEDIA_OWN_UPLOAD | MEDIA_FOR_FAMILY)
        & FieldIn("setting__parents_may_download", True),
    },
    # Who appears in a photo, covering faces, leaving it out of a journal,
    # trying again: staff; families only their own uploads before they are sent.
    "media.edit": {
        **_staff(
            MEDIA_IN_SETTING & (~Unset("observation_id") | IsActorsMembership("uploaded_by_id"))
        ),
        PARENT: MEDIA_OWN_UPLOAD & Unset("observation_id"),
    },
    # EYFS frameworks, assessments and cohorts (R23, R24).
    "framework.view": {**_staff(FRAMEWORK_USABLE), PARENT: FRAMEWORK_USABLE},
    "framework.manage": _managers(SETTING_ITSELF),
    "period.manage": _managers(SETTING_ITSELF),
    # The assessment points and recording judgements: staff pages.
    "assessment.points": _staff(SETTING_ITSELF),
    "period.view": {
        **_staff(InSetting()),
        PARENT: InSetting() & FieldIn("shared_with_parents", True),
    },
    "assessment.record": _staff(CHILD_IN_SETTING & FieldIn("status", "active")),
    "assessment.view": {
        **_staff(ASSESSMENT_IN_SETTING),
        PARENT: ASSESSMENT_IN_SETTING
        & OwnChild("child_id")
        & FieldIn("period__shared_with_parents", True),
    },
    "progress.view": {**_staff(CHILD_IN_SETTING), PARENT: CHILD_IN_SETTING & OwnChild()},
    # Figures about groups of children never reach a family (R24).
    "cohort.view": _reviewers(SETTING_ITSELF),
}


def rule_for(actor: Actor, action: str) -> Rule | None:
    rules = RULES[action]  # an unknown action is an error, never a yes
    return rules.get(actor.role) if actor.role is not None else None


def can(actor: Actor, action: str, obj) -> bool:
    rule = rule_for(actor, action)
    return rule is not None and rule.holds(actor, obj)


def scope(actor: Actor, action: str, queryset):
    rule = rule_for(actor, action)
    if rule is None:
        return queryset.none()
    return queryset.filter(rule.q(actor))


def may_ever(actor: Actor, action: str) -> bool:
    """Whether the actor's role appears in the action's row at all (for menus)."""
    return rule_for(actor, action) is not None


def require(actor: Actor, action: str, obj) -> None:
    """For services: refuse unless `can`. Services check too, so an API route or a
    background task can never skip the policy."""
    if not can(actor, action, obj):
        raise PermissionDenied
