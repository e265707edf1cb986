"""Reads about children and rooms, always through the policy."""

from django.db.models import Q

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.children.models import Child, ChildQuerySet, Room


def children_for(actor: Actor, action: str = "child.view") -> ChildQuerySet:
    """Children the actor may see (or act on, for another action), with the
    relations every list shows, in one query."""
    return scope(actor, action, Child.objects.all()).select_related("room", "key_person__user")


def child_list(actor: Actor, *, status: str | None = "active", query: str = "") -> ChildQuerySet:
    """The staff's list of children: by status, and by a part of a name."""
    children = children_for(actor, "child.journal")
    if status in Child.Status.values:
        children = children.filter(status=status)
    if query:
        children = children.filter(Q(first_name__icontains=query) | Q(last_name__icontains=query))
    return children


def rooms_for(actor: Actor):
    """The rooms of the actor's setting."""
    return scope(actor, "room.view", Room.objects.all())
