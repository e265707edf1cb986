from footsteps.access.policy import scope
from footsteps.children.models import Child


def children_for(actor, action: str = "child.view"):
    """Children the actor may see (or act on, for another action), with the
    relations every list shows, in one query."""
    return scope(actor, action, Child.objects.all()).select_related("room", "key_person__user")
