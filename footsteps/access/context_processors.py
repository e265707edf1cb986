from footsteps.access.policy import may_ever


class _Permissions:
    """Lets templates ask `{% if may.child__create %}`: may the actor ever do this action?"""

    def __init__(self, actor):
        self.actor = actor

    def __getitem__(self, action):
        return may_ever(self.actor, action.replace("__", "."))


def actor(request):
    current = getattr(request, "actor", None)
    if current is None:
        return {}
    return {"actor": current, "may": _Permissions(current)}
