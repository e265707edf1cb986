"""Background work for photos and videos: slow, and never on a web request."""

from django.tasks import task

from footsteps.media import services


@task
def process_media(media_id: int) -> None:
    services.process(media_id)
