from django import template

from footsteps.journal.selectors import other_children_count

register = template.Library()


@register.filter
def other_children(observation) -> int:
    return other_children_count(observation)
