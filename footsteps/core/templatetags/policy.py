"""Templates ask the policy about one object, as views do:

    {% can "observation.staff_detail" o as staff_view %}
    {% if staff_view %}<span class="badge">Staff only</span>{% endif %}

(`may.action__name` in the context asks whether the person's role may ever do
something, for menus.) No template decides by role."""

from django import template

from footsteps.access import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj) -> bool:
    actor = context.get("actor")
    return actor is not None and policy.can(actor, action, obj)
