"""Notifications, sent from background tasks. Each task fetches by id and sends
short notices with a link: never observation text or photos (safeguarding)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from footsteps.journal import selectors


def _send(template: str, recipients, subject: str, **context) -> None:
    link_path = context.pop("path")
    for membership in recipients:
        send_mail(
            subject=f"[Footsteps] {subject}",
            message=render_to_string(
                f"journal/email/{template}.txt",
                {
                    "person": membership.user,
                    "setting": membership.setting,
                    "link": settings.SITE_URL + link_path,
                    **context,
                },
            ),
            from_email=None,
            recipient_list=[membership.user.email],
        )


def _tell_families(observation, parents, subject: str) -> None:
    """Email now, or hold for the daily digest, as each parent chose."""
    from footsteps.journal.models import PendingNotice

    PendingNotice.objects.bulk_create(
        PendingNotice(parent=p, observation=observation)
        for p in parents
        if p.journal_emails == "daily"
    )
    _send(
        "new_entry",
        [p for p in parents if p.journal_emails == "immediate"],
        subject,
        path=reverse("observation_detail", args=[observation.pk]),
    )


@task()
def notify_observation_published(observation_id: int) -> None:
    """Tell families something new is in their child's journal, now or in the digest."""
    from footsteps.journal.models import Observation

    observation = Observation.objects.filter(pk=observation_id, status="published").first()
    if observation is None or not observation.shared_with_parents:
        return
    parents = [p for p in selectors.families_of(observation) if p.pk != observation.author_id]
    _tell_families(observation, parents, "New in your child's learning journal")


@task()
def notify_family_of_reply(comment_id: int) -> None:
    """Staff replied in a family's thread: tell that family only (R5, R18)."""
    from footsteps.journal.models import Comment

    comment = Comment.objects.filter(pk=comment_id, status="published", staff_only=False).first()
    if comment is None:
        return
    observation = comment.observation
    if observation.status != "published" or not observation.shared_with_parents:
        return
    parents = selectors.families_of(observation, child_ids=[comment.child_id])
    _tell_families(observation, list(parents), "A reply in your child's learning journal")


@task()
def send_daily_digests() -> None:
    """One email per parent counting the entries new since their last digest. Only
    parents who may still use the journal get one (R6, R7); every notice read here
    is marked done, and only those: one arriving meanwhile waits for tomorrow."""
    from footsteps.journal.models import PendingNotice

    pending = list(PendingNotice.objects.filter(sent_at__isnull=True).only("id", "parent_id"))
    if not pending:
        return
    counts: dict[int, int] = {}
    for notice in pending:
        counts[notice.parent_id] = counts.get(notice.parent_id, 0) + 1
    for parent in selectors.digest_recipients(counts):
        _send(
            "digest",
            [parent],
            "Your daily learning journal update",
            path=reverse("feed"),
            count=counts[parent.pk],
        )
    PendingNotice.objects.filter(pk__in=[n.pk for n in pending]).update(sent_at=timezone.now())


@task()
def notify_review_waiting(observation_id: int) -> None:
    from footsteps.journal.models import Observation

    observation = Observation.objects.filter(pk=observation_id).first()
    if observation is None:
        return
    _send(
        "waiting",
        selectors.reviewers_of(observation),
        "An observation is waiting for review",
        path=reverse("review_queue"),
        what="A staff observation",
    )


@task()
def notify_contribution_waiting(observation_id: int) -> None:
    from footsteps.journal.models import Observation

    observation = Observation.objects.filter(pk=observation_id).first()
    if observation is not None:
        _send(
            "waiting",
            selectors.reviewers_and_key_people(observation),
            "A family has added to a learning journal",
            path=reverse("review_queue"),
            what="An observation from a family",
        )


@task()
def notify_comment_waiting(comment_id: int) -> None:
    from footsteps.journal.models import Comment

    comment = Comment.objects.filter(pk=comment_id).select_related("observation").first()
    if comment is not None:
        _send(
            "waiting",
            # The thread is about one child: their key person, not the others'.
            selectors.reviewers_and_key_people(comment.observation, [comment.child_id]),
            "A family has replied in a learning journal",
            path=reverse("observation_detail", args=[comment.observation_id]),
            what="A reply from a family",
        )


@task()
def notify_returned(observation_id: int) -> None:
    from footsteps.journal.models import Observation

    observation = (
        Observation.objects.filter(pk=observation_id)
        .select_related("author__user", "author__setting")
        .first()
    )
    if observation is not None:
        _send(
            "returned",
            [observation.author],
            "Your observation was returned with a comment",
            path=reverse("observation_edit", args=[observation.pk]),
        )
