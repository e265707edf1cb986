import re

from django import template
from django.template.defaultfilters import urlize
from django.utils.html import conditional_escape

from footsteps.journal.selectors import other_children_count

register = template.Library()


@register.filter
def other_children(observation) -> int:
    return other_children_count(observation)


_WORDS = re.compile(r"\s*\S+")


@register.filter(is_safe=False)
def excerpt(text: str, words: int) -> str:
    """The first `words` words of a plain text, keeping its line breaks, with an
    ellipsis if there was more. Cut before urlize and linebreaksbr, so a long
    entry costs no more to show than a short one."""
    found = _WORDS.finditer(text)
    end = 0
    for _ in range(words):
        match = next(found, None)
        if match is None:
            return text
        end = match.end()
    return text[:end] + " …" if text[end:].strip() else text


# Every word urlize could link has one of these (a scheme, www., an address, or a
# .com-like ending); it costs a millisecond a note, and most notes have none.
_MAYBE_LINK = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)


@register.filter(is_safe=True, needs_autoescape=True)
def links(text: str, autoescape: bool = True) -> str:
    """urlize, but only for texts that could hold a link: the same output."""
    if _MAYBE_LINK.search(text):
        return urlize(text, autoescape=autoescape)
    return conditional_escape(text) if autoescape else text
