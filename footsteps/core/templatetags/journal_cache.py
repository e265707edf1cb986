"""{% cachedfor key %}...{% endcachedfor %}: a part of a page kept in the cache
under a key from footsteps.core.caching (None: not cached).

A form inside a kept part still carries the CSRF token of the browser asking:
the part is kept with a placeholder where {% csrf_token %} goes, filled in on
every request."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

register = template.Library()

_PLACEHOLDER = "\x00csrf-placeholder\x00"


class CachedForNode(template.Node):
    def __init__(self, key, nodelist):
        self.key, self.nodelist = key, nodelist

    def render(self, context):
        key = self.key.resolve(context)
        html = cache.get(key) if key else None
        if html is None:
            with context.push(csrf_token=_PLACEHOLDER):
                html = self.nodelist.render(context)
            if key:
                cache.set(key, html, settings.PAGE_CACHE_SECONDS)
        return mark_safe(html.replace(_PLACEHOLDER, str(context.get("csrf_token", ""))))  # noqa: S308 (rendered by our templates)


@register.tag
def cachedfor(parser, token):
    _tag, key = token.split_contents()
    nodelist = parser.parse(("endcachedfor",))
    parser.delete_first_token()
    return CachedForNode(parser.compile_filter(key), nodelist)
