from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.views import get_for, requires
from footsteps.children.models import Child
from footsteps.journal import services as journal_services
from footsteps.journal.models import Comment, Observation
from footsteps.people.models import Membership
from footsteps.records import selectors, services
from footsteps.records.models import Deletion

MOVED = "Moved to the deleted area: a manager can restore it for {days} days."


def _moved(request, deletion: Deletion) -> None:
    messages.success(request, MOVED.format(days=request.actor.setting.purge_after_days))


@requires("deletion.view", setting_wide=True)
def deleted_area(request):
    page = Paginator(selectors.deleted_area(request.actor), 50).get_page(request.GET.get("page"))
    return render(request, "records/deleted_area.html", {"page": page})


@require_POST
@requires("deletion.restore")
def deletion_restore(request, deletion_id):
    deletion = get_for(request.actor, "deletion.restore", Deletion.objects.all(), pk=deletion_id)
    services.restore(actor=request.actor, deletion=deletion)
    messages.success(request, f"Restored: {deletion.label}.")
    return redirect("deleted_area")


@require_POST
@requires("observation.delete")
def observation_delete(request, observation_id):
    observation = get_for(
        request.actor, "observation.delete", Observation.objects.all(), pk=observation_id
    )
    _moved(request, services.observation_delete(actor=request.actor, observation=observation))
    return redirect("home")


@require_POST
@requires("comment.delete")
def comment_delete(request, comment_id):
    comment = get_for(
        request.actor,
        "comment.delete",
        Comment.objects.select_related("author__user", "observation"),
        pk=comment_id,
    )
    _moved(request, services.comment_delete(actor=request.actor, comment=comment))
    return redirect("observation_detail", comment.observation_id)


@require_POST
@requires("child.delete")
def child_delete(request, child_id):
    child = get_for(request.actor, "child.delete", Child.objects.all(), pk=child_id)
    _moved(request, services.child_delete(actor=request.actor, child=child))
    return redirect("child_list")


@require_POST
@requires("membership.manage")
def person_delete(request, membership_id):
    membership = get_for(
        request.actor,
        "membership.manage",
        Membership.objects.select_related("user"),
        pk=membership_id,
    )
    try:
        _moved(request, services.membership_delete(actor=request.actor, membership=membership))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("person_detail", membership.pk)
    return redirect("staff_list" if membership.is_staff_role else "parent_list")


@require_POST
@requires("comment.remove")
def comment_remove(request, comment_id):
    comment = get_for(request.actor, "comment.remove", Comment.objects.all(), pk=comment_id)
    try:
        journal_services.comment_remove(
            actor=request.actor, comment=comment, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The reply is removed. The family sees only that it was.")
    return redirect("observation_detail", comment.observation_id)


@require_POST
@requires("contribution.remove")
def contribution_remove(request, observation_id):
    observation = get_for(
        request.actor, "contribution.remove", Observation.objects.all(), pk=observation_id
    )
    try:
        journal_services.contribution_remove(
            actor=request.actor, observation=observation, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The entry is removed from the journal. The family is told why.")
    return redirect("observation_detail", observation.pk)
