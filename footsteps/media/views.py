"""Pages and file addresses for photos and videos. Every file request goes
through the policy (media.view, media.download): another family's or
setting's file is 404 by key, and the keys themselves are random (R31)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from footsteps.access.policy import can
from footsteps.access.views import requires
from footsteps.audit.services import audit_read
from footsteps.media import delivery, redaction, selectors, services


def _media(request, action: str, key):
    media = selectors.media_by_key(request.actor, action, key)
    if media is None:
        raise Http404
    return media


def _filename(media, name: str) -> str:
    day = (media.observation.observed_at if media.observation else media.created_at).date()
    return f"footsteps-{day.isoformat()}-{str(media.key)[:8]}{name[name.rfind('.') :]}"


@requires("media.view")
def media_file(request, key, variant):
    """A photo's thumbnail or display size, or a video, inline: the copy the
    reader's journal shows (R28)."""
    if variant not in selectors.VARIANTS:
        raise Http404
    media = _media(request, "media.view", key)
    found = selectors.file_of(
        media, variant, selectors.journal_of(request.actor, request.GET.get("for"))
    )
    if found is None:
        raise Http404
    name, content_type = found
    return delivery.serve(request, name, content_type, _filename(media, name))


@requires("media.download")
def media_download(request, key):
    """The full-size file to save, where the setting lets families (R31)."""
    media = _media(request, "media.download", key)
    found = selectors.file_of(
        media, "download", selectors.journal_of(request.actor, request.GET.get("for"))
    )
    if found is None:
        raise Http404
    name, content_type = found
    # Once a minute at most: a video's range requests are one download.
    audit_read(request.actor, "media.downloaded", media, every=60, media=str(media.key))
    return delivery.serve(request, name, content_type, _filename(media, name), download=True)


def _back(request, media):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if media.observation_id:
        return redirect("observation_detail", media.observation_id)
    return redirect("home")


@requires("media.edit")
def media_manage(request, key):
    """Who appears in a photo, whose journals it is left out of, and covering
    children (R28): what staff do when consent stops an entry going out."""
    media = _media(request, "media.edit", key)
    if request.method == "POST":
        try:
            services.tag(
                actor=request.actor,
                media=media,
                appears=request.POST.getlist("appears"),
                left_out=request.POST.getlist("left_out"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved who is in this photo.")
        return redirect(request.get_full_path())
    return render(request, "media/manage.html", _manage_context(request, media))


def _manage_context(request, media) -> dict:
    links = {link.child_id: link for link in media.child_links.all()}
    children = []
    if media.observation_id:
        for link in media.observation.links.select_related("child"):
            children.append(link.child)
    extra = [link.child for link in links.values() if link.child_id not in {c.pk for c in children}]
    rows = []
    for child in children + extra:
        link = links.get(child.pk)
        rows.append(
            {
                "child": child,
                "appears": bool(link and link.appears),
                "left_out": bool(link and link.left_out),
                "covered": bool(link and link.covered),
                "on_entry": child in children,
                "consents": child.image_consent == "granted",
            }
        )
    conflicts = selectors.consent_conflicts(media.observation) if media.observation_id else []
    suggested = redaction.suggest_faces(media) if media.kind == "photo" and media.is_ready else []
    return {
        "media": media,
        "rows": rows,
        "conflicts": [c for c in conflicts if c.media.pk == media.pk],
        "suggested": [box._asdict() for box in suggested],
        "regions": media.redaction,
        "next": request.GET.get("next", ""),
        "may_remove": can(request.actor, "media.edit", media),
    }


@require_POST
@requires("media.edit")
def media_redact(request, key):
    media = _media(request, "media.edit", key)
    try:
        services.redact(
            actor=request.actor,
            media=media,
            regions=request.POST.get("regions", "[]"),
            covered=request.POST.getlist("covered"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Saved the covered copy: other children's journals get it."
            if media.redaction
            else "Nothing is covered now.",
        )
    return redirect("media_manage", key)


@require_POST
@requires("media.edit")
def media_retry(request, key):
    media = _media(request, "media.edit", key)
    try:
        services.retry(actor=request.actor, media=media)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Trying {media.name} again.")
    return _back(request, media)


@require_POST
@requires("media.edit")
def media_remove(request, key):
    media = _media(request, "media.edit", key)
    services.remove(actor=request.actor, media=media)
    messages.success(request, f"Removed {media.name}.")
    return _back(request, media)
