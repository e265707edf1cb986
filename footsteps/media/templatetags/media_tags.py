from django import template
from django.urls import reverse

from footsteps.media import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def shown_media(context, observation, journal_child=None):
    """An entry's photos and videos as the journal being read shows them (R28):
    a parent's reads as their children's journals, a child's journal page as
    that child's (`journal_child`), any other staff page as the entry itself.
    Files not processed yet come with their status (staff and their sender)."""
    actor = context["actor"]
    asked = str(journal_child) if journal_child else None
    journal = selectors.journal_of(actor, asked)
    suffix = f"?for={journal_child}" if asked and not actor.is_parent else ""
    items = []
    for media in getattr(observation, "shown_media", ()):
        if not media.is_ready:
            items.append({"media": media, "pending": True})
            continue
        copy = selectors.copy_for(media, journal)
        if copy is None:
            continue

        def url(variant, media=media):
            return reverse("media_file", args=[media.key, variant]) + suffix

        video = media.kind == "video" and copy == selectors.ORIGINAL
        items.append(
            {
                "media": media,
                "covered": copy == selectors.COVERED,
                "thumbnail": url("thumbnail"),
                "display": url("display"),
                "video": url("video") if video else "",
                "download": reverse("media_download", args=[media.key]) + suffix,
            }
        )
    return items
