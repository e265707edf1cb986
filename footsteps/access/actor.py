from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from footsteps.people.models import Membership, Role

if TYPE_CHECKING:
    from footsteps.people.models import User
    from footsteps.tenancy.models import Setting


@dataclass
class Actor:
    """Who is acting, and in which setting. Built once per request (session or API
    token); every policy decision and every selector takes one."""

    user: "User | None"
    membership: Membership | None

    @property
    def member(self) -> Membership:
        """The membership acted through, for code past a policy check: every role
        the policy admits has one."""
        if self.membership is None:
            raise PermissionDenied
        return self.membership

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def setting(self) -> "Setting | None":
        return self.membership.setting if self.membership else None

    @property
    def setting_id(self) -> int | None:
        return self.membership.setting_id if self.membership else None

    @property
    def is_staff_member(self) -> bool:
        return self.membership is not None and self.membership.is_staff_role

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    @classmethod
    def of(cls, membership: Membership) -> "Actor":
        """The actor of a membership loaded with its identity (access.membership):
        a parent's children come with it, no second query."""
        from footsteps.access.membership import attending_child_ids

        actor = cls(user=membership.user, membership=membership)
        if membership.is_parent and (known := attending_child_ids(membership)) is not None:
            actor.__dict__["child_ids"] = known
        return actor

    @cached_property
    def child_ids(self) -> frozenset[int]:
        """A parent's children they may see now: linked, attending and not deleted (R5, R6)."""
        if not self.is_parent:
            return frozenset()
        from footsteps.children.models import ParentLink

        return frozenset(
            ParentLink.objects.attending()
            .filter(parent=self.membership)
            .values_list("child_id", flat=True)
        )


ANONYMOUS = Actor(user=None, membership=None)
